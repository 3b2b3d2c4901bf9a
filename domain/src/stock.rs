//! Stock on hand per variant and warehouse, as the merchant counts it. What is reserved for
//! placed orders is the checkout's (see `checkout`); on hand never goes below it.

use crate::entity::{stock_level, variant, warehouse};
use crate::error::{DomainError, Result};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

/// One variant's stock in one warehouse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Level {
    pub variant_id: i32,
    pub sku: String,
    pub warehouse: String,
    pub on_hand: i32,
    pub reserved: i32,
}

async fn variant_by_sku(db: &DatabaseConnection, sku: &str) -> Result<variant::Model> {
    variant::Entity::find()
        .filter(variant::Column::Sku.eq(sku.trim()))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::Invalid(format!("no variant has SKU `{sku}`")))
}

/// A variant's stock in every warehouse that holds some.
pub async fn levels(db: &DatabaseConnection, sku: &str) -> Result<Vec<Level>> {
    let v = variant_by_sku(db, sku).await?;
    let warehouses = warehouse::Entity::find().all(db).await?;
    Ok(stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.eq(v.id))
        .order_by_asc(stock_level::Column::WarehouseId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| Level {
            variant_id: v.id,
            sku: v.sku.clone(),
            warehouse: warehouses
                .iter()
                .find(|w| w.id == l.warehouse_id)
                .map(|w| w.code.clone())
                .unwrap_or_default(),
            on_hand: l.on_hand,
            reserved: l.reserved,
        })
        .collect())
}

/// Sets what is on hand of `sku` in the warehouse with `code` (the first warehouse when
/// none is named). Refused below what placed orders hold there.
pub async fn set_on_hand(
    db: &DatabaseConnection,
    sku: &str,
    code: Option<&str>,
    on_hand: i32,
) -> Result<Level> {
    if on_hand < 0 {
        return Err(DomainError::Invalid(
            "stock on hand cannot be negative".into(),
        ));
    }
    let v = variant_by_sku(db, sku).await?;
    let warehouses = warehouse::Entity::find()
        .order_by_asc(warehouse::Column::Id)
        .all(db)
        .await?;
    let w = match code {
        Some(code) => warehouses.iter().find(|w| w.code == code.trim()),
        None => warehouses.first(),
    }
    .ok_or_else(|| DomainError::Invalid(format!("no warehouse `{}`", code.unwrap_or(""))))?;
    let current = stock_level::Entity::find_by_id((v.id, w.id))
        .one(db)
        .await?;
    let reserved = current.map_or(0, |l| l.reserved);
    if on_hand < reserved {
        return Err(DomainError::Invalid(format!(
            "{reserved} units of {} are held for orders in {}; on hand cannot be less",
            v.sku, w.code
        )));
    }
    stock_level::Entity::insert(stock_level::ActiveModel {
        variant_id: Set(v.id),
        warehouse_id: Set(w.id),
        on_hand: Set(on_hand),
        reserved: Set(reserved),
    })
    .on_conflict(
        OnConflict::columns([
            stock_level::Column::VariantId,
            stock_level::Column::WarehouseId,
        ])
        .update_column(stock_level::Column::OnHand)
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(Level {
        variant_id: v.id,
        sku: v.sku,
        warehouse: w.code.clone(),
        on_hand,
        reserved,
    })
}

//! One line of an order, as sold.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_line")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub order_id: i32,
    pub variant_id: i32,
    pub sku: String,
    pub title: String,
    pub quantity: i32,
    pub unit_minor: i64,
    pub total_minor: i64,
    pub tax_minor: i64,
    pub tax_rate_ppm: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! One way to ship to a zone in a market, for parcels up to a weight.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shipping_rate")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub zone_id: i32,
    pub market_id: i32,
    pub code: String,
    pub max_weight_grams: Option<i32>,
    pub price_minor: i64,
    pub free_above_minor: Option<i64>,
    pub days_min: i32,
    pub days_max: i32,
    pub mode: String,
    pub distance_km: i32,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

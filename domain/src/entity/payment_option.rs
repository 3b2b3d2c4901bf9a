//! A way to pay offered in a market.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_option")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub market_id: i32,
    pub method: String,
    pub fee_minor: i64,
    pub max_order_minor: Option<i64>,
    pub details: String,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

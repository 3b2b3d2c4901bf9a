//! A discount used by an order.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discount_use")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub discount_id: i32,
    pub order_id: i32,
    /// Lower case, for the per-email limit.
    pub email: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

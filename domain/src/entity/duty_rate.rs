//! A customs duty rate by HS code prefix and origin, for one market.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_rate")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub market_id: i32,
    /// Digits only, e.g. 6911.
    pub hs_prefix: String,
    /// Empty: any origin.
    pub origin: String,
    pub rate_ppm: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

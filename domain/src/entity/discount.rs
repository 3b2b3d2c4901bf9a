//! A discount: a code a shopper types, or automatic (no code).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discount")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Upper case; none for an automatic discount.
    pub code: Option<String>,
    /// percent, fixed or free_shipping.
    pub kind: String,
    /// For `percent`: basis points (1000 = 10 %).
    pub percent_bp: i32,
    /// For `fixed`: the amount per currency, JSON `{"EUR": 500}` in minor units.
    pub amounts: String,
    /// The least subtotal per currency, JSON like `amounts`; a currency not named: none.
    pub minimum: String,
    /// Market codes, comma separated; empty: every market.
    pub markets: String,
    pub starts_at: Option<DateTimeUtc>,
    pub ends_at: Option<DateTimeUtc>,
    pub usage_limit: Option<i32>,
    pub per_email_limit: Option<i32>,
    pub used: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

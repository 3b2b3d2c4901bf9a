//! A payment for an order, by any method.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub order_id: i32,
    pub method: String,
    pub status: String,
    pub amount_minor: i64,
    pub currency: String,
    /// stripe, paypal; none for a manual method.
    pub provider: Option<String>,
    pub provider_ref: Option<String>,
    pub expires_at: Option<DateTimeUtc>,
    /// Cards tried (`payments::card::MAX_CARD_ATTEMPTS` at most).
    pub attempts: i32,
    /// A voucher's slip or code as Stripe gave it (`payments::voucher::Voucher`, JSON).
    pub voucher: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

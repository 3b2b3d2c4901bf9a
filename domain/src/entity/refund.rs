//! A refund of all or part of an order's payment.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refund")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub order_id: i32,
    pub payment_id: i32,
    /// In the order's currency, the store's minor units.
    pub amount_minor: i64,
    pub currency: String,
    pub reason: String,
    /// pending (sent to the provider), succeeded, failed.
    pub status: String,
    pub provider_ref: Option<String>,
    /// Who made it: cli, a staff member, the provider.
    pub actor: String,
    /// Sent with the provider's refund call, so a retried call refunds once.
    pub idempotency_key: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

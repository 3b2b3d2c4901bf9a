//! A payment provider's webhook event, kept once by its id.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// stripe, paypal.
    pub provider: String,
    pub event_id: String,
    pub event_type: String,
    pub provider_ref: Option<String>,
    /// What it did (`Outcome::code`).
    pub outcome: String,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A placed order, with the money breakdown it was charged.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shop_order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub number: String,
    pub token: String,
    pub cart_id: String,
    pub market_id: i32,
    pub locale: String,
    pub country: String,
    pub currency: String,
    pub email: String,
    pub marketing_consent: bool,
    pub consent_at: Option<DateTimeUtc>,
    pub consent_source: String,
    pub address: String,
    pub shipping_code: String,
    pub payment_method: String,
    pub status: String,
    pub tax_inclusive: bool,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub shipping_minor: i64,
    pub fee_minor: i64,
    pub tax_minor: i64,
    pub duty_minor: i64,
    pub total_minor: i64,
    pub breakdown: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

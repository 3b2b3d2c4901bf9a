use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "market")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: String,
    pub name: Json,
    pub currency: String,
    /// Comma separated; the first is the market's own language.
    pub locales: String,
    /// ISO 3166 alpha-2 codes, comma separated.
    pub countries: String,
    pub tax_inclusive: bool,
    /// Exchange rate from the shop's base currency, scaled by 10^9.
    pub rate_scaled: i64,
    pub rate_date: Date,
    pub rounding: String,
    pub position: i32,
    pub enabled: bool,
    /// The country whose tax rate the market's prices are set with; empty: the first of
    /// `countries`.
    pub home_country: String,
    /// `same` or `follow-rate` (`GrossPolicy`).
    pub gross_policy: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

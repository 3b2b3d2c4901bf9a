use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tax_rate")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// ISO 3166 alpha-2.
    pub country: String,
    /// A state or province (US sales tax); empty for the whole country.
    pub region: String,
    /// `standard`, `reduced` or `zero` (`TaxClass`).
    pub tax_class: String,
    /// Parts per million of the net price.
    pub rate_ppm: i64,
    pub label: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

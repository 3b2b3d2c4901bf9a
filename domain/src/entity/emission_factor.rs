//! Grams of CO2e per tonne-kilometre for a transport mode.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emission_factor")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mode: String,
    pub grams_per_tonne_km: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

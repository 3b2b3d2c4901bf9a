use sea_orm::entity::prelude::*;

/// A fixed price for one variant in one market, in the market's currency. Wins over conversion.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "price_override")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub market_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub variant_id: i32,
    pub amount_minor: i64,
    pub compare_at_minor: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// One search a shopper ran, for the merchant's search reports.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_query")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub market: String,
    pub locale: String,
    /// Normalized: trimmed, single spaces, lower case.
    pub query: String,
    pub results: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

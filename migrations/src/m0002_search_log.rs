//! What shoppers search for, per market, for the merchant's search reports.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_search_log"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("search_query"))
                .col(pk_auto(Alias::new("id")))
                .col(string_len(Alias::new("market"), 16))
                .col(string_len(Alias::new("locale"), 16))
                .col(string_len(Alias::new("query"), 256))
                .col(integer(Alias::new("results")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_search_query_market_time")
                .table(Alias::new("search_query"))
                .col(Alias::new("market"))
                .col(Alias::new("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("search_query")).to_owned())
            .await
    }
}

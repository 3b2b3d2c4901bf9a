//! Secret keys the store signs with (CSRF tokens today; sessions and links later), kept in
//! the database so every instance on one PostgreSQL signs and checks alike.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_site_keys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("site_key"))
                .col(string_len(Alias::new("name"), 32).primary_key())
                // Base64 of 32 random bytes.
                .col(string_len(Alias::new("secret"), 64))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("site_key")).to_owned())
            .await
    }
}

//! Shopper sessions, server-side: in the database so every instance on one PostgreSQL
//! knows the same shopper, and a restart forgets nobody.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_sessions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("session"))
                // The random 128-bit id, URL-safe base64 (22 characters).
                .col(string_len(Alias::new("id"), 32).primary_key())
                // The session's values as a JSON object.
                .col(text(Alias::new("data")))
                .col(timestamp_with_time_zone(Alias::new("expires_at")))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_session_expires_at")
                .table(Alias::new("session"))
                .col(Alias::new("expires_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("session")).to_owned())
            .await
    }
}

//! Connecting to SQLite or PostgreSQL and bringing the schema up to date.

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;
use tradewind_migrations::Migrator;

/// Connections one store keeps open at most.
pub const POOL_SIZE: u32 = 16;

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, POOL_SIZE).await
}

/// `connect` with a pool of at most `pool` connections (the test suite runs dozens of
/// stores on one PostgreSQL, whose default limit is 100 connections in all).
pub async fn connect_with(url: &str, pool: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(pool)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // WAL lets shoppers read while a merchant writes; it is a property of the file.
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

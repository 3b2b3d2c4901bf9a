//! Connecting to SQLite or PostgreSQL and bringing the schema up to date.

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;
use tradewind_migrations::Migrator;

/// How long an SQLite write waits for the one before it.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

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
        .sqlx_logging(false)
        // SQLite has one writer at a time; a write waits for the one before it. sqlx gives
        // up after 5 s ("database is locked"), which a busy two-core machine reaches under
        // a burst of writes (seen in CI as a 503 and a failed seeding): a writer now waits
        // up to 30 s, still inside the request timeout.
        .map_sqlx_sqlite_opts(|o| o.busy_timeout(SQLITE_BUSY_TIMEOUT));
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // WAL lets shoppers read while a merchant writes; it is a property of the file.
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

/// Brings the schema up to date. A database that a newer Tradewind has migrated is refused
/// with the names of the migrations this binary does not know, before anything is changed:
/// an older binary must never run on a schema it does not understand.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let unknown = unknown_migrations(db).await?;
    if !unknown.is_empty() {
        return Err(DbErr::Custom(format!(
            "this database was upgraded by a newer Tradewind (it has {}; this binary knows up \
             to {}): run that newer version, or restore a backup made for this one",
            unknown.join(", "),
            latest_migration()
        )));
    }
    Migrator::up(db, None).await
}

/// Whether every migration this binary knows has run (for `/readyz`).
pub async fn is_current(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.is_empty())
}

/// The newest migration this binary carries.
pub fn latest_migration() -> String {
    Migrator::migrations()
        .last()
        .map(|m| m.name().to_owned())
        .unwrap_or_default()
}

/// Migrations recorded in the database that this binary does not carry. sea-orm's own
/// record of applied migrations (created empty on a new database, as `up` would).
async fn unknown_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    Ok(Migrator::get_migration_models(db)
        .await?
        .into_iter()
        .map(|m| m.version)
        .filter(|v| !known.contains(v))
        .collect())
}

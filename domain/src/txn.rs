//! Transactions that write.
//!
//! SQLite starts a plain `BEGIN` as a reader: a transaction that reads, then writes after
//! another connection has written meanwhile, cannot take the write lock on its old snapshot
//! and fails at once with "database is locked" (the busy timeout does not apply). Seen in the
//! test suite as a merchant's order change failing while the store's background jobs wrote.
//! `begin_write` takes the write lock first, with a write that changes nothing, so such a
//! transaction waits its turn instead, as `BEGIN IMMEDIATE` would (sea-orm does not expose
//! it). PostgreSQL needs nothing of the kind.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, TransactionTrait};

/// A transaction that will write: on SQLite it holds the write lock from its start.
pub async fn begin_write(db: &impl TransactionTrait) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DatabaseBackend::Sqlite {
        // Every write statement takes the lock when it starts, whatever rows it matches.
        txn.execute_unprepared("UPDATE seaql_migrations SET version = version WHERE 0")
            .await?;
    }
    Ok(txn)
}

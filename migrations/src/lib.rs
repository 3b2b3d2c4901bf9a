//! Schema migrations, run at start-up and by `tradewind migrate`.
//!
//! A migration that has shipped is never edited: add a new one. Tables are described with
//! sea-query's builder so the same migration runs on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m0001_catalog;
mod m0002_search_log;
mod m0003_taxes;
mod m0004_site_keys;
mod m0005_sessions;
mod m0006_checkout;
mod m0007_payments;
mod m0008_card_attempts;
mod m0009_payment_voucher;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_catalog::Migration),
            Box::new(m0002_search_log::Migration),
            Box::new(m0003_taxes::Migration),
            Box::new(m0004_site_keys::Migration),
            Box::new(m0005_sessions::Migration),
            Box::new(m0006_checkout::Migration),
            Box::new(m0007_payments::Migration),
            Box::new(m0008_card_attempts::Migration),
            Box::new(m0009_payment_voucher::Migration),
        ]
    }
}

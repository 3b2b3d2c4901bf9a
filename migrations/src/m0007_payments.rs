//! Payment providers' webhook events, each kept once by its id so a redelivered event has no
//! second effect; payments found by the provider's reference; and refunds.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_payments"
    }
}

fn n(name: &'static str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(n("payment_event"))
                .col(pk_auto(n("id")))
                // stripe, paypal.
                .col(string_len(n("provider"), 16))
                .col(string_len(n("event_id"), 255))
                .col(text(n("event_type")))
                // The provider's reference of the payment it is about, if any.
                .col(string_len_null(n("provider_ref"), 255))
                // What it did: applied, ignored, unknown-payment, amount-mismatch…
                .col(string_len(n("outcome"), 32))
                .col(timestamp_with_time_zone(n("received_at")))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_payment_event_provider_event")
                .table(n("payment_event"))
                .col(n("provider"))
                .col(n("event_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(n("refund"))
                .col(pk_auto(n("id")))
                .col(integer(n("order_id")))
                .col(integer(n("payment_id")))
                // In the order's currency, the store's minor units.
                .col(big_integer(n("amount_minor")))
                .col(string_len(n("currency"), 3))
                .col(text(n("reason")))
                // pending (sent to the provider), succeeded, failed.
                .col(string_len(n("status"), 16))
                .col(string_len_null(n("provider_ref"), 255))
                .col(string_len(n("actor"), 64))
                // Sent with the provider's refund call, so a retried call refunds once.
                .col(string_len_null(n("idempotency_key"), 64).unique_key())
                .col(timestamp_with_time_zone(n("created_at")))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_refund_order")
                .table(n("refund"))
                .col(n("order_id"))
                .to_owned(),
        )
        .await?;
        // Which provider took a payment (none: a manual method); its reference is unique
        // per provider, and a webhook finds the payment by both.
        m.alter_table(
            Table::alter()
                .table(n("payment"))
                .add_column(string_len_null(n("provider"), 16))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_payment_provider_ref")
                .table(n("payment"))
                .col(n("provider"))
                .col(n("provider_ref"))
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ux_payment_provider_ref")
                .table(n("payment"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(n("payment"))
                .drop_column(n("provider"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(n("refund")).to_owned())
            .await?;
        m.drop_table(Table::drop().table(n("payment_event")).to_owned())
            .await
    }
}

//! What a shopper needs to pay a voucher (an OXXO or konbini slip, a Pix code) at a till or in
//! a banking app: kept on the payment, to show on the order page and in the email.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_payment_voucher"
    }
}

fn n(name: &'static str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(n("payment"))
                .add_column(text_null(n("voucher")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(n("payment"))
                .drop_column(n("voucher"))
                .to_owned(),
        )
        .await
    }
}

//! Taxes: rates per destination country (and, for US sales tax, region) and tax class; a
//! product's tax class; each market's home country and what its tax-inclusive prices do
//! when the destination's rate differs.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_taxes"
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
                .table(n("tax_rate"))
                .col(pk_auto(n("id")))
                .col(string_len(n("country"), 2))
                // A state or province code; empty for the whole country.
                .col(string_len(n("region"), 8).default(""))
                .col(string_len(n("tax_class"), 16))
                // Parts per million of the net price: 19 % is 190000.
                .col(big_integer(n("rate_ppm")))
                // What the rate is called on receipts: VAT, MwSt., TVA, 消費税, GST…
                .col(string_len(n("label"), 32).default(""))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_tax_rate_place_class")
                .table(n("tax_rate"))
                .unique()
                .col(n("country"))
                .col(n("region"))
                .col(n("tax_class"))
                .to_owned(),
        )
        .await?;
        // SQLite alters one column per statement.
        for (table, col) in [
            (
                "product",
                string_len(n("tax_class"), 16)
                    .default("standard")
                    .to_owned(),
            ),
            (
                "market",
                string_len(n("home_country"), 2).default("").to_owned(),
            ),
            (
                "market",
                string_len(n("gross_policy"), 16).default("same").to_owned(),
            ),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table(n(table))
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, col) in [
            ("product", "tax_class"),
            ("market", "home_country"),
            ("market", "gross_policy"),
        ] {
            m.alter_table(
                Table::alter()
                    .table(n(table))
                    .drop_column(n(col))
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(n("tax_rate")).to_owned())
            .await
    }
}

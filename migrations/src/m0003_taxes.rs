//! Taxes: rates per destination country (and, for US sales tax, region) and tax class; a
//! product's tax class; each market's home country and what its tax-inclusive prices do
//! when the destination's rate differs. Also rewrites stored `ending:N` rounding rules,
//! whose digits now read as written (`ending:5` is .50, not .05), so every market keeps
//! the prices it had.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

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
        keep_rounding_meaning(m).await
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

/// Until now `ending:N` set the minor units to N (`ending:5` was .05, `ending:99` in dinars
/// .099) and did nothing in currencies without minor units or when N did not fit. Now the
/// digits read as written, so stored rules are rewritten to the spelling that keeps their
/// old effect: `ending:05`, `ending:099`, or `none`.
async fn keep_rounding_meaning(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let backend = m.get_database_backend();
    let rows = db
        .query_all(Statement::from_string(
            backend,
            "SELECT id, currency, rounding FROM market",
        ))
        .await?;
    for row in rows {
        let id: i32 = row.try_get("", "id")?;
        let currency: String = row.try_get("", "currency")?;
        let rounding: String = row.try_get("", "rounding")?;
        let Some(new) = old_ending_as_written(&currency, &rounding) else {
            continue;
        };
        let sql = match backend {
            DatabaseBackend::Postgres => "UPDATE market SET rounding = $1 WHERE id = $2",
            _ => "UPDATE market SET rounding = ? WHERE id = ?",
        };
        db.execute(Statement::from_sql_and_values(
            backend,
            sql,
            [new.into(), id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The rule that means today what `rule` meant before, when it differs.
fn old_ending_as_written(currency: &str, rule: &str) -> Option<String> {
    let n: u64 = rule.strip_prefix("ending:")?.parse().ok()?;
    let exp = match currency {
        "JPY" | "VND" | "IDR" => 0,
        "BHD" | "KWD" => 3,
        _ => 2,
    };
    let unit = 10_u64.pow(exp);
    let new = if exp == 0 || n >= unit {
        "none".to_owned()
    } else {
        format!("ending:{n:0width$}", width = exp as usize)
    };
    (new != rule).then_some(new)
}

#[cfg(test)]
mod tests {
    use super::old_ending_as_written as rewrite;

    #[test]
    fn stored_endings_keep_their_old_effect() {
        assert_eq!(rewrite("EUR", "ending:99"), None);
        assert_eq!(rewrite("EUR", "ending:90"), None);
        assert_eq!(rewrite("EUR", "ending:5").as_deref(), Some("ending:05"));
        assert_eq!(rewrite("EUR", "ending:0").as_deref(), Some("ending:00"));
        assert_eq!(rewrite("EUR", "ending:999").as_deref(), Some("none"));
        assert_eq!(rewrite("BHD", "ending:99").as_deref(), Some("ending:099"));
        assert_eq!(rewrite("JPY", "ending:80").as_deref(), Some("none"));
        assert_eq!(rewrite("VND", "step:1000"), None);
        assert_eq!(rewrite("USD", "none"), None);
    }
}

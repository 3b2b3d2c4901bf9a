//! Selling: carts, shipping zones and rates, payment options per market, discounts, orders
//! with their lines, history, payments and stock reservations, and the outbox email is sent
//! from.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_checkout"
    }
}

fn n(name: &'static str) -> Alias {
    Alias::new(name)
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(n("shipping_zone"))
            .col(pk_auto(n("id")))
            .col(string_len(n("code"), 32).unique_key())
            // ISO 3166 alpha-2 codes, comma separated.
            .col(text(n("countries")))
            .to_owned(),
        Table::create()
            .table(n("shipping_rate"))
            .col(pk_auto(n("id")))
            .col(integer(n("zone_id")))
            .col(integer(n("market_id")))
            // `standard`, `express`…: what the shopper picks, named in the locale files.
            .col(string_len(n("code"), 32))
            // The band: parcels up to this weight (none: any weight).
            .col(integer_null(n("max_weight_grams")))
            .col(big_integer(n("price_minor")))
            // Free when the goods cost at least this much (none: never free).
            .col(big_integer_null(n("free_above_minor")))
            .col(integer(n("days_min")))
            .col(integer(n("days_max")))
            // road, air or sea: the emission factor used for the CO2e estimate.
            .col(string_len(n("mode"), 8))
            .col(integer(n("distance_km")))
            .col(integer(n("position")).default(0))
            .to_owned(),
        Table::create()
            .table(n("emission_factor"))
            .col(string_len(n("mode"), 8).primary_key())
            // Grams of CO2e per tonne-kilometre.
            .col(integer(n("grams_per_tonne_km")))
            .to_owned(),
        Table::create()
            .table(n("payment_option"))
            .col(pk_auto(n("id")))
            .col(integer(n("market_id")))
            // bank_transfer, cash_on_delivery (card providers come next).
            .col(string_len(n("method"), 32))
            .col(big_integer(n("fee_minor")).default(0))
            .col(big_integer_null(n("max_order_minor")))
            // What the shopper needs to pay this way (account holder, IBAN, BIC…).
            .col(text(n("details")).default(""))
            .col(integer(n("position")).default(0))
            .to_owned(),
        Table::create()
            // A market's checkout rules: imports (de minimis, duties, IOSS) and tax rounding.
            .table(n("import_rule"))
            .col(integer(n("market_id")).primary_key())
            // Consignments whose goods (before tax) are worth more than this, in the market's
            // currency, pay duties: EU 150 €. None: no duties are reckoned.
            .col(big_integer_null(n("de_minimis_minor")))
            // ddp: duties collected at checkout; dap: the shopper pays them on delivery.
            .col(string_len(n("duty_mode"), 8).default("ddp"))
            // The shop's IOSS number, stored on EU orders whose import VAT it collects.
            .col(string_len(n("ioss_number"), 32).default(""))
            // Tax rounded per line (`line`) or once per rate on the order (`total`, as
            // Japan's qualified invoices require).
            .col(string_len(n("tax_rounding"), 8).default("line"))
            .to_owned(),
        Table::create()
            .table(n("duty_rate"))
            .col(pk_auto(n("id")))
            .col(integer(n("market_id")))
            // The start of a Harmonized System code, digits only: 6911 covers 6911.10.00.
            .col(string_len(n("hs_prefix"), 10))
            // ISO country of origin; empty: any origin.
            .col(string_len(n("origin"), 2).default(""))
            .col(big_integer(n("rate_ppm")))
            .to_owned(),
        Table::create()
            .table(n("discount"))
            .col(pk_auto(n("id")))
            // Upper case; none for an automatic discount.
            .col(string_len_null(n("code"), 64).unique_key())
            // percent, fixed or free_shipping.
            .col(string_len(n("kind"), 16))
            // For percent: basis points, 1000 = 10 %.
            .col(integer(n("percent_bp")).default(0))
            // For fixed: JSON {"EUR": 500}, minor units per currency.
            .col(text(n("amounts")).default("{}"))
            // The least subtotal per currency, JSON like amounts.
            .col(text(n("minimum")).default("{}"))
            // Market codes, comma separated; empty: all.
            .col(text(n("markets")).default(""))
            .col(timestamp_with_time_zone_null(n("starts_at")))
            .col(timestamp_with_time_zone_null(n("ends_at")))
            .col(integer_null(n("usage_limit")))
            .col(integer_null(n("per_email_limit")))
            .col(integer(n("used")).default(0))
            .to_owned(),
        Table::create()
            .table(n("discount_use"))
            .col(pk_auto(n("id")))
            .col(integer(n("discount_id")))
            .col(integer(n("order_id")))
            .col(string_len(n("email"), 254))
            .col(timestamp_with_time_zone(n("at")))
            .to_owned(),
        Table::create()
            .table(n("cart"))
            // A random 128-bit id (URL-safe base64), held in the shopper's session.
            .col(string_len(n("id"), 32).primary_key())
            .col(integer(n("market_id")))
            // The checkout form as last submitted, JSON: kept even when invalid.
            .col(text(n("draft")).default("{}"))
            .col(integer_null(n("order_id")))
            .col(timestamp_with_time_zone(n("created_at")))
            .col(timestamp_with_time_zone(n("updated_at")))
            .col(timestamp_with_time_zone(n("expires_at")))
            .to_owned(),
        Table::create()
            .table(n("cart_line"))
            .col(string_len(n("cart_id"), 32))
            .col(integer(n("variant_id")))
            .col(integer(n("quantity")))
            // The unit price the shopper was shown when the line was added or last reviewed,
            // in the cart market's currency: a change since is pointed out, never hidden.
            .col(big_integer(n("seen_unit_minor")))
            .col(timestamp_with_time_zone(n("added_at")))
            .primary_key(Index::create().col(n("cart_id")).col(n("variant_id")))
            .to_owned(),
        Table::create()
            .table(n("shop_order"))
            .col(pk_auto(n("id")))
            .col(string_len(n("number"), 32).unique_key())
            // The unguessable part of the status page's address.
            .col(string_len(n("token"), 64).unique_key())
            // One order per cart: placing it twice finds the first.
            .col(string_len(n("cart_id"), 32).unique_key())
            .col(integer(n("market_id")))
            .col(string_len(n("locale"), 8))
            .col(string_len(n("country"), 2))
            .col(string_len(n("currency"), 3))
            .col(string_len(n("email"), 254))
            .col(boolean(n("marketing_consent")).default(false))
            .col(timestamp_with_time_zone_null(n("consent_at")))
            .col(string_len(n("consent_source"), 32).default(""))
            // Name, lines, city, region, postcode, phone: JSON, any script.
            .col(text(n("address")))
            .col(string_len(n("shipping_code"), 32))
            .col(string_len(n("payment_method"), 32))
            .col(string_len(n("status"), 32))
            .col(boolean(n("tax_inclusive")))
            .col(big_integer(n("subtotal_minor")))
            .col(big_integer(n("discount_minor")).default(0))
            .col(big_integer(n("shipping_minor")))
            .col(big_integer(n("fee_minor")).default(0))
            .col(big_integer(n("tax_minor")))
            .col(big_integer(n("duty_minor")).default(0))
            .col(big_integer(n("total_minor")))
            // Everything the shopper was charged, as computed then: never recomputed.
            .col(text(n("breakdown")))
            .col(timestamp_with_time_zone(n("created_at")))
            .col(timestamp_with_time_zone(n("updated_at")))
            .to_owned(),
        Table::create()
            .table(n("order_line"))
            .col(pk_auto(n("id")))
            .col(integer(n("order_id")))
            .col(integer(n("variant_id")))
            .col(string_len(n("sku"), 64))
            .col(text(n("title")))
            .col(integer(n("quantity")))
            .col(big_integer(n("unit_minor")))
            .col(big_integer(n("total_minor")))
            .col(big_integer(n("tax_minor")))
            .col(big_integer(n("tax_rate_ppm")))
            .to_owned(),
        Table::create()
            .table(n("order_event"))
            .col(pk_auto(n("id")))
            .col(integer(n("order_id")))
            .col(timestamp_with_time_zone(n("at")))
            .col(string_len_null(n("from_status"), 32))
            .col(string_len(n("to_status"), 32))
            // shopper, system, or a staff member.
            .col(string_len(n("actor"), 64))
            .col(text(n("note")).default(""))
            .to_owned(),
        Table::create()
            .table(n("payment"))
            .col(pk_auto(n("id")))
            .col(integer(n("order_id")))
            .col(string_len(n("method"), 32))
            // pending, paid, failed, cancelled, refunded.
            .col(string_len(n("status"), 32))
            // In the order's currency, ISO minor units (a provider converts to its own).
            .col(big_integer(n("amount_minor")))
            .col(string_len(n("currency"), 3))
            .col(string_len_null(n("provider_ref"), 255))
            // An unpaid card payment releases its stock after this; manual methods: never.
            .col(timestamp_with_time_zone_null(n("expires_at")))
            .col(timestamp_with_time_zone(n("created_at")))
            .col(timestamp_with_time_zone(n("updated_at")))
            .to_owned(),
        Table::create()
            .table(n("reservation"))
            .col(pk_auto(n("id")))
            .col(integer(n("order_id")))
            .col(integer(n("variant_id")))
            .col(integer(n("warehouse_id")))
            .col(integer(n("quantity")))
            .col(timestamp_with_time_zone_null(n("released_at")))
            .to_owned(),
        Table::create()
            .table(n("email_outbox"))
            .col(pk_auto(n("id")))
            // order-confirmation, payment-received, shipped…
            .col(string_len(n("kind"), 32))
            .col(integer_null(n("order_id")))
            .col(string_len(n("to_address"), 254))
            .col(string_len(n("locale"), 8))
            .col(text(n("subject")))
            .col(text(n("text_body")))
            .col(text(n("html_body")))
            .col(timestamp_with_time_zone(n("created_at")))
            .col(integer(n("attempts")).default(0))
            .col(timestamp_with_time_zone(n("next_attempt_at")))
            // A sender holds the message until then; another may take it after.
            .col(timestamp_with_time_zone_null(n("claimed_until")))
            .col(timestamp_with_time_zone_null(n("sent_at")))
            .col(text_null(n("last_error")))
            .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    let ix = |name: &str, table: &'static str, cols: &[&'static str]| {
        let mut i = Index::create();
        i.name(name).table(n(table));
        for c in cols {
            i.col(n(c));
        }
        i.to_owned()
    };
    vec![
        ix("ix_shipping_rate_market", "shipping_rate", &["market_id"]),
        ix("ix_payment_option_market", "payment_option", &["market_id"]),
        ix("ix_cart_expires_at", "cart", &["expires_at"]),
        ix("ix_order_line_order", "order_line", &["order_id"]),
        ix("ix_order_event_order", "order_event", &["order_id"]),
        ix("ix_payment_order", "payment", &["order_id"]),
        ix("ix_reservation_order", "reservation", &["order_id"]),
        ix(
            "ix_email_outbox_due",
            "email_outbox",
            &["sent_at", "next_attempt_at"],
        ),
    ]
}

const TABLES: [&str; 16] = [
    "shipping_zone",
    "shipping_rate",
    "emission_factor",
    "payment_option",
    "import_rule",
    "duty_rate",
    "discount",
    "discount_use",
    "cart",
    "cart_line",
    "shop_order",
    "order_line",
    "order_event",
    "payment",
    "reservation",
    "email_outbox",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in tables() {
            m.create_table(t).await?;
        }
        for i in indexes() {
            m.create_index(i).await?;
        }
        // Average well-to-wheel factors (GLEC framework, grams CO2e per tonne-km); the
        // merchant edits them with their carrier's figures.
        let db = m.get_connection();
        db.execute_unprepared(
            "INSERT INTO emission_factor (mode, grams_per_tonne_km) VALUES \
             ('road', 105), ('air', 602), ('sea', 16)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES.iter().rev() {
            m.drop_table(Table::drop().table(n(t)).to_owned()).await?;
        }
        Ok(())
    }
}

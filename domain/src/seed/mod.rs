//! A demo store for a fresh install, and synthetic catalogs for benchmarks.
//!
//! Both go through the same batch insert, inside one transaction: a seed that fails
//! half-way leaves the database as it was.

mod content;

use crate::entity::*;
use crate::error::{DomainError, Result};
use crate::html::SafeHtml;
use crate::locale::Locale;
use crate::market::Localized;
use crate::media;
use crate::pricing::{ExchangeRate, RoundingRule};
use crate::tax::{GrossPolicy, TaxClass, TaxRate};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use content::{
    BANK_DETAILS, CASH_ON_DELIVERY, COLLECTIONS, COLOUR, COLOURS, DUTIES, IMPORT_RULES, ITEMS,
    MARKETS, SERIES, SHIPPING, TAX_RATES, TITLE_PATTERN, US_SALES_TAX, Words,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    QuerySelect,
};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits.
const CHUNK: usize = 1000;

pub struct SeedReport {
    pub products: usize,
    pub variants: usize,
    pub collections: usize,
    pub markets: usize,
}

/// Whether the store has no shop yet, i.e. a fresh install.
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool> {
    Ok(shop::Entity::find().one(db).await?.is_none())
}

fn localized(words: &Words) -> Localized {
    Localized(
        Locale::ALL
            .iter()
            .zip(words)
            .map(|(l, w)| (l.code().to_owned(), (*w).to_owned()))
            .collect(),
    )
}

fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

/// EAN-13 with its check digit, in the GS1 prefix range for China (690–699).
fn ean13(n: u64) -> String {
    let body = format!("69{:010}", n % 10_000_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// Hands out primary keys, so children can be inserted in batches with their parents' ids.
struct Keys {
    product: i32,
    variant: i32,
    option: i32,
    value: i32,
    image: i32,
    collection: i32,
}

async fn max_id<E: EntityTrait>(db: &impl ConnectionTrait, col: E::Column) -> Result<i32> {
    let max: Option<Option<i32>> = E::find()
        .select_only()
        .column_as(Expr::col(col).max(), "max")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

impl Keys {
    async fn load(db: &impl ConnectionTrait) -> Result<Self> {
        Ok(Self {
            product: max_id::<product::Entity>(db, product::Column::Id).await?,
            variant: max_id::<variant::Entity>(db, variant::Column::Id).await?,
            option: max_id::<product_option::Entity>(db, product_option::Column::Id).await?,
            value: max_id::<option_value::Entity>(db, option_value::Column::Id).await?,
            image: max_id::<product_image::Entity>(db, product_image::Column::Id).await?,
            collection: max_id::<collection::Entity>(db, collection::Column::Id).await?,
        })
    }
}

fn next(key: &mut i32) -> i32 {
    *key += 1;
    *key
}

/// Everything inserted for a batch of products, table by table.
#[derive(Default)]
struct Batch {
    products: Vec<product::ActiveModel>,
    texts: Vec<product_translation::ActiveModel>,
    options: Vec<product_option::ActiveModel>,
    values: Vec<option_value::ActiveModel>,
    images: Vec<product_image::ActiveModel>,
    variants: Vec<variant::ActiveModel>,
    stock: Vec<stock_level::ActiveModel>,
    memberships: Vec<collection_product::ActiveModel>,
    overrides: Vec<price_override::ActiveModel>,
}

async fn insert_all<A>(db: &impl ConnectionTrait, mut rows: Vec<A>) -> Result<()>
where
    A: sea_orm::ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(CHUNK));
        <A::Entity as EntityTrait>::insert_many(rows)
            .exec_without_returning(db)
            .await?;
        rows = rest;
    }
    Ok(())
}

impl Batch {
    async fn insert(self, db: &impl ConnectionTrait) -> Result<()> {
        insert_all(db, self.products).await?;
        insert_all(db, self.texts).await?;
        insert_all(db, self.options).await?;
        insert_all(db, self.values).await?;
        insert_all(db, self.images).await?;
        insert_all(db, self.variants).await?;
        insert_all(db, self.stock).await?;
        insert_all(db, self.memberships).await?;
        insert_all(db, self.overrides).await?;
        Ok(())
    }
}

/// One picture per series, item and colour, drawn once per media folder.
fn picture(
    media_dir: &Path,
    series: usize,
    item: usize,
    colour: usize,
) -> Result<(String, i32, i32)> {
    let key = format!(
        "demo/v1/{}/{}/{}",
        SERIES[series].handle, ITEMS[item].handle, colour
    );
    let name = media::name_for(&key);
    let (w, h) = media::store(media_dir, &name, || {
        media::draw(
            ITEMS[item].shape,
            SERIES[series].background,
            COLOURS[colour].rgb,
        )
    })?;
    Ok((name, w as i32, h as i32))
}

/// Slugs unique per locale, as the database requires.
#[derive(Default)]
struct Slugs(HashSet<(Locale, String)>);

impl Slugs {
    fn make(&mut self, locale: Locale, title: &str) -> String {
        let base = crate::catalog::slug_for(locale, title);
        let base = if base.is_empty() {
            "item".to_owned()
        } else {
            base
        };
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.0.insert((locale, candidate.clone())) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        candidate
    }
}

struct ProductSpec {
    series: usize,
    item: usize,
    /// Appended to titles and SKUs of synthetic products.
    number: Option<usize>,
    created_at: DateTime<Utc>,
    collections: Vec<i32>,
}

fn add_product(
    batch: &mut Batch,
    keys: &mut Keys,
    slugs: &mut Slugs,
    media_dir: &Path,
    spec: &ProductSpec,
    stock_seed: usize,
) -> Result<i32> {
    let series = &SERIES[spec.series];
    let item = &ITEMS[spec.item];
    let id = next(&mut keys.product);
    let suffix = spec.number.map(|n| format!(" {n}")).unwrap_or_default();
    let handle = format!(
        "{}-{}{}",
        series.handle,
        item.handle,
        spec.number.map(|n| format!("-{n}")).unwrap_or_default()
    );
    batch.products.push(product::ActiveModel {
        id: Set(id),
        handle: Set(handle.clone()),
        vendor: Set("Tradewind Studio".to_owned()),
        product_type: Set(item.product_type.to_owned()),
        status: Set(crate::catalog::ProductStatus::Active.as_str().to_owned()),
        tags: Set(format!("{},{}", series.handle, item.handle)),
        tax_class: Set(TaxClass::Standard.code().to_owned()),
        created_at: Set(spec.created_at),
        updated_at: Set(spec.created_at),
    });
    let mut titles = BTreeMap::new();
    for (i, locale) in Locale::ALL.into_iter().enumerate() {
        let title = TITLE_PATTERN[i]
            .replace("{series}", series.name[i])
            .replace("{item}", item.name[i])
            + &suffix;
        let description = SafeHtml::sanitize(&format!(
            "<p>{}</p><p>{}</p>",
            item.about[i], series.about[i]
        ));
        batch.texts.push(product_translation::ActiveModel {
            product_id: Set(id),
            locale: Set(locale.code().to_owned()),
            slug: Set(slugs.make(locale, &title)),
            title: Set(title.clone()),
            description_html: Set(description.into_string()),
            seo_title: Set(None),
            seo_description: Set(Some(format!("{} {}", item.about[i], series.about[i]))),
            ..Default::default()
        });
        titles.insert(locale, title);
    }

    // Three colours per product, rotating through the palette by series.
    let colours: Vec<usize> = (0..3).map(|k| (spec.series + k) % COLOURS.len()).collect();
    let colour_option = next(&mut keys.option);
    batch.options.push(product_option::ActiveModel {
        id: Set(colour_option),
        product_id: Set(id),
        position: Set(1),
        name: Set(localized(&COLOUR).to_json()),
    });
    let mut colour_values = Vec::new();
    let mut images = Vec::new();
    for (pos, c) in colours.iter().enumerate() {
        let value = next(&mut keys.value);
        batch.values.push(option_value::ActiveModel {
            id: Set(value),
            option_id: Set(colour_option),
            position: Set(pos as i32),
            label: Set(localized(&COLOURS[*c].name).to_json()),
        });
        colour_values.push(value);
        let (file, width, height) = picture(media_dir, spec.series, spec.item, *c)?;
        let image = next(&mut keys.image);
        let alt = Localized(
            Locale::ALL
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    (
                        l.code().to_owned(),
                        format!("{} – {}", titles[l], COLOURS[*c].name[i]),
                    )
                })
                .collect(),
        );
        batch.images.push(product_image::ActiveModel {
            id: Set(image),
            product_id: Set(id),
            position: Set(pos as i32),
            file: Set(file),
            width: Set(width),
            height: Set(height),
            alt: Set(alt.to_json()),
        });
        images.push(image);
    }
    let mut extra_values = vec![(None, 0)];
    if let Some(extra) = &item.extra {
        let option = next(&mut keys.option);
        batch.options.push(product_option::ActiveModel {
            id: Set(option),
            product_id: Set(id),
            position: Set(2),
            name: Set(localized(&extra.name).to_json()),
        });
        extra_values.clear();
        for (pos, label) in extra.values.iter().enumerate() {
            let value = next(&mut keys.value);
            batch.values.push(option_value::ActiveModel {
                id: Set(value),
                option_id: Set(option),
                position: Set(pos as i32),
                label: Set(Localized(BTreeMap::from([(
                    Locale::DEFAULT.code().to_owned(),
                    (*label).to_owned(),
                )]))
                .to_json()),
            });
            extra_values.push((Some(value), extra.surcharge * pos as i64));
        }
    }

    let price = item.price_minor + 300 * spec.series as i64 - 1;
    let mut position = 0;
    for (ci, colour_value) in colour_values.iter().enumerate() {
        for (extra_value, surcharge) in &extra_values {
            let variant_id = next(&mut keys.variant);
            let sku = format!(
                "TW-{}-{}-{}{}",
                series.handle.to_uppercase(),
                item.handle.to_uppercase(),
                COLOURS[colours[ci]].name[0]
                    .split(' ')
                    .next()
                    .unwrap_or_default()
                    .to_uppercase(),
                match (spec.number, extra_value) {
                    (Some(n), _) => format!("-{n}-{position}"),
                    (None, Some(_)) => format!("-{position}"),
                    (None, None) => String::new(),
                }
            );
            batch.variants.push(variant::ActiveModel {
                id: Set(variant_id),
                product_id: Set(id),
                position: Set(position),
                sku: Set(sku),
                barcode: Set(Some(ean13(variant_id as u64))),
                option1: Set(Some(*colour_value)),
                option2: Set(*extra_value),
                option3: Set(None),
                price_minor: Set(price + surcharge),
                compare_at_minor: Set((spec.series == 2).then_some(price + surcharge + 1000)),
                weight_grams: Set(item.weight_grams),
                hs_code: Set(Some(item.hs_code.to_owned())),
                country_of_origin: Set(Some("CN".to_owned())),
                packaging_material: Set(Some(item.packaging.to_owned())),
                packaging_recyclable: Set(item.recyclable),
                image_id: Set(Some(images[ci])),
            });
            // Deterministic stock with some variants sold out; the second colour of the
            // first product always is, so the demo shows both states.
            let units = ((stock_seed * 7 + position as usize * 13 + 5) % 23) as i32;
            let units = if stock_seed == 0 && ci == 1 { 0 } else { units };
            for (warehouse, share) in [(1, units - units / 3), (2, units / 3)] {
                batch.stock.push(stock_level::ActiveModel {
                    variant_id: Set(variant_id),
                    warehouse_id: Set(warehouse),
                    on_hand: Set(share),
                    reserved: Set(0),
                });
            }
            position += 1;
        }
    }
    for (pos, collection) in spec.collections.iter().enumerate() {
        batch.memberships.push(collection_product::ActiveModel {
            collection_id: Set(*collection),
            product_id: Set(id),
            position: Set(id * 10 + pos as i32),
        });
    }
    Ok(id)
}

async fn seed_shop(db: &impl ConnectionTrait, keys: &mut Keys) -> Result<Vec<(i32, &'static str)>> {
    shop::Entity::insert(shop::ActiveModel {
        name: Set("Tradewind Studio".to_owned()),
        base_currency: Set("USD".to_owned()),
        default_locale: Set(Locale::DEFAULT.code().to_owned()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    let rate_date = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
    let mut markets = Vec::new();
    for (pos, m) in MARKETS.iter().enumerate() {
        let rate = ExchangeRate::parse(m.rate).map_err(|e| DomainError::Invalid(e.to_string()))?;
        m.rounding
            .parse::<RoundingRule>()
            .map_err(|e| DomainError::Invalid(e.to_string()))?;
        markets.push(market::ActiveModel {
            code: Set(m.code.to_owned()),
            name: Set(localized(&m.name).to_json()),
            currency: Set(m.currency.to_owned()),
            locales: Set(m.locales.to_owned()),
            countries: Set(m.countries.to_owned()),
            home_country: Set(m.home_country.to_owned()),
            gross_policy: Set(GrossPolicy::SameEverywhere.code().to_owned()),
            tax_inclusive: Set(m.tax_inclusive),
            rate_scaled: Set(rate.scaled),
            rate_date: Set(rate_date),
            rounding: Set(m.rounding.to_owned()),
            position: Set(pos as i32),
            enabled: Set(true),
            ..Default::default()
        });
    }
    insert_all(db, markets).await?;
    let mut rates = Vec::new();
    for (country, standard, reduced, label) in TAX_RATES {
        for (class, rate) in [
            (TaxClass::Standard, Some(standard)),
            (TaxClass::Reduced, reduced.as_ref()),
        ] {
            let Some(rate) = rate else { continue };
            let rate: TaxRate = rate
                .parse()
                .map_err(|e: crate::tax::TaxError| DomainError::Invalid(e.to_string()))?;
            rates.push(tax_rate::ActiveModel {
                country: Set((*country).to_owned()),
                region: Set(String::new()),
                tax_class: Set(class.code().to_owned()),
                rate_ppm: Set(i64::from(rate.ppm)),
                label: Set((*label).to_owned()),
                ..Default::default()
            });
        }
    }
    for (state, rate) in US_SALES_TAX {
        let rate: TaxRate = rate
            .parse()
            .map_err(|e: crate::tax::TaxError| DomainError::Invalid(e.to_string()))?;
        rates.push(tax_rate::ActiveModel {
            country: Set("US".into()),
            region: Set((*state).to_owned()),
            tax_class: Set(TaxClass::Standard.code().to_owned()),
            rate_ppm: Set(i64::from(rate.ppm)),
            label: Set("Sales tax".into()),
            ..Default::default()
        });
    }
    insert_all(db, rates).await?;
    insert_all(
        db,
        vec![
            warehouse::ActiveModel {
                id: Set(1),
                code: Set("CN-SZ".into()),
                name: Set("Shenzhen".into()),
                country: Set("CN".into()),
            },
            warehouse::ActiveModel {
                id: Set(2),
                code: Set("NL-VNL".into()),
                name: Set("Venlo".into()),
                country: Set("NL".into()),
            },
        ],
    )
    .await?;
    seed_selling(db).await?;

    let mut collections = Vec::new();
    let mut rows = Vec::new();
    let mut texts = Vec::new();
    for (pos, c) in COLLECTIONS.iter().enumerate() {
        let id = next(&mut keys.collection);
        rows.push(collection::ActiveModel {
            id: Set(id),
            handle: Set(c.handle.to_owned()),
            position: Set(pos as i32),
            featured: Set(c.featured),
            created_at: Set(epoch()),
        });
        for (i, locale) in Locale::ALL.into_iter().enumerate() {
            texts.push(collection_translation::ActiveModel {
                collection_id: Set(id),
                locale: Set(locale.code().to_owned()),
                title: Set(c.title[i].to_owned()),
                description_html: Set(
                    SafeHtml::sanitize(&format!("<p>{}</p>", c.about[i])).into_string()
                ),
                slug: Set(crate::catalog::slug_for(locale, c.title[i])),
                seo_title: Set(None),
                seo_description: Set(Some(c.about[i].to_owned())),
                ..Default::default()
            });
        }
        collections.push((id, c.handle));
    }
    insert_all(db, rows).await?;
    insert_all(db, texts).await?;
    Ok(collections)
}

/// A shipping zone per market (its countries), the demo rates, and the payment methods:
/// bank transfer everywhere, cash on delivery where shoppers expect it.
async fn seed_selling(db: &impl ConnectionTrait) -> Result<()> {
    let markets = market::Entity::find().all(db).await?;
    let mut zones = Vec::new();
    let mut rates = Vec::new();
    let mut options = Vec::new();
    for (zone_id, m) in (1..).zip(&markets) {
        zones.push(shipping_zone::ActiveModel {
            id: Set(zone_id),
            code: Set(m.code.to_ascii_lowercase()),
            countries: Set(m.countries.clone()),
        });
        if let Some(s) = SHIPPING.iter().find(|s| s.market == m.code) {
            for (position, (code, up_to, price, days_min, days_max, mode, km)) in (0..).zip(s.rates)
            {
                rates.push(shipping_rate::ActiveModel {
                    zone_id: Set(zone_id),
                    market_id: Set(m.id),
                    code: Set((*code).to_owned()),
                    max_weight_grams: Set((*up_to > 0).then_some(*up_to)),
                    price_minor: Set(*price),
                    free_above_minor: Set((*code == "standard").then_some(s.free_above)),
                    days_min: Set(*days_min),
                    days_max: Set(*days_max),
                    mode: Set((*mode).to_owned()),
                    distance_km: Set(*km),
                    position: Set(if *code == "standard" { 0 } else { 1 + position }),
                    ..Default::default()
                });
            }
        }
        options.push(payment_option::ActiveModel {
            market_id: Set(m.id),
            method: Set("bank_transfer".into()),
            fee_minor: Set(0),
            max_order_minor: Set(None),
            details: Set(BANK_DETAILS.into()),
            position: Set(0),
            ..Default::default()
        });
        if let Some((_, fee, max)) = CASH_ON_DELIVERY.iter().find(|(c, ..)| *c == m.code) {
            options.push(payment_option::ActiveModel {
                market_id: Set(m.id),
                method: Set("cash_on_delivery".into()),
                fee_minor: Set(*fee),
                max_order_minor: Set(Some(*max)),
                details: Set(String::new()),
                position: Set(1),
                ..Default::default()
            });
        }
    }
    insert_all(db, zones).await?;
    insert_all(db, rates).await?;
    insert_all(db, options).await?;
    seed_imports(db, &markets).await?;
    seed_discounts(db).await
}

/// Per-market import rules and duty rates (`IMPORT_RULES`, `DUTIES`, where the figures come
/// from).
async fn seed_imports(db: &impl ConnectionTrait, markets: &[market::Model]) -> Result<()> {
    let id_of = |code: &str| markets.iter().find(|m| m.code == code).map(|m| m.id);
    let mut rules = Vec::new();
    for (code, de_minimis, mode, number, rounding) in IMPORT_RULES {
        let Some(market_id) = id_of(code) else {
            continue;
        };
        rules.push(import_rule::ActiveModel {
            market_id: Set(market_id),
            de_minimis_minor: Set(*de_minimis),
            duty_mode: Set((*mode).to_owned()),
            ioss_number: Set((*number).to_owned()),
            tax_rounding: Set((*rounding).to_owned()),
        });
    }
    let mut rates = Vec::new();
    for (code, prefix, origin, percent) in DUTIES {
        let Some(market_id) = id_of(code) else {
            continue;
        };
        let rate: TaxRate = percent
            .parse()
            .map_err(|e: crate::tax::TaxError| DomainError::Invalid(e.to_string()))?;
        rates.push(duty_rate::ActiveModel {
            market_id: Set(market_id),
            hs_prefix: Set((*prefix).to_owned()),
            origin: Set((*origin).to_owned()),
            rate_ppm: Set(i64::from(rate.ppm)),
            ..Default::default()
        });
    }
    insert_all(db, rules).await?;
    insert_all(db, rates).await
}

/// Demo discounts: a welcome code (10 %, once per email), a fixed €/$/£5 off, free shipping
/// above a minimum, one that has ended, and an automatic 5 % off large orders.
async fn seed_discounts(db: &impl ConnectionTrait) -> Result<()> {
    let row = |code: Option<&str>, kind: &str| discount::ActiveModel {
        code: Set(code.map(str::to_owned)),
        kind: Set(kind.to_owned()),
        percent_bp: Set(0),
        amounts: Set("{}".into()),
        minimum: Set("{}".into()),
        markets: Set(String::new()),
        starts_at: Set(None),
        ends_at: Set(None),
        usage_limit: Set(None),
        per_email_limit: Set(None),
        used: Set(0),
        ..Default::default()
    };
    let ended = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).single();
    insert_all(
        db,
        vec![
            discount::ActiveModel {
                percent_bp: Set(1000),
                per_email_limit: Set(Some(1)),
                ..row(Some("WELCOME10"), "percent")
            },
            discount::ActiveModel {
                amounts: Set(r#"{"EUR": 500, "USD": 500, "GBP": 500}"#.into()),
                minimum: Set(r#"{"EUR": 2500, "USD": 2500, "GBP": 2500}"#.into()),
                usage_limit: Set(Some(1000)),
                ..row(Some("SAVE5"), "fixed")
            },
            discount::ActiveModel {
                minimum: Set(
                    r#"{"EUR": 3000, "USD": 3000, "GBP": 3000, "JPY": 4000, "CNY": 20000}"#.into(),
                ),
                ..row(Some("FREESHIP"), "free_shipping")
            },
            discount::ActiveModel {
                percent_bp: Set(2500),
                ends_at: Set(ended),
                ..row(Some("SUMMER25"), "percent")
            },
            discount::ActiveModel {
                percent_bp: Set(500),
                minimum: Set(r#"{"EUR": 20000, "USD": 20000, "GBP": 20000, "JPY": 30000}"#.into()),
                ..row(None, "percent")
            },
        ],
    )
    .await
}

fn collection_id(collections: &[(i32, &str)], handle: &str) -> Option<i32> {
    collections
        .iter()
        .find(|(_, h)| *h == handle)
        .map(|(id, _)| *id)
}

/// PostgreSQL's serial sequences do not see explicit ids; move them past the seeded rows.
async fn sync_sequences(db: &impl ConnectionTrait) -> Result<()> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for table in [
        "product",
        "variant",
        "product_option",
        "option_value",
        "product_image",
        "collection",
        "warehouse",
        "market",
        "shipping_zone",
        "shop",
        "product_translation",
        "collection_translation",
    ] {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .await?;
    }
    Ok(())
}

/// The demo store: ten markets, five collections, fifty products in ten languages.
pub async fn demo(db: &DatabaseConnection, media_dir: &Path) -> Result<SeedReport> {
    let txn = crate::txn::begin_write(db).await?;
    let mut keys = Keys::load(&txn).await?;
    let collections = seed_shop(&txn, &mut keys).await?;
    let new_arrivals = collection_id(&collections, "new-arrivals");
    let gifts = collection_id(&collections, "small-gifts");
    let mut batch = Batch::default();
    let mut slugs = Slugs::default();
    let total = SERIES.len() * ITEMS.len();
    for series in 0..SERIES.len() {
        for (item, kind) in ITEMS.iter().enumerate() {
            let index = series * ITEMS.len() + item;
            let mut member_of: Vec<i32> = collection_id(&collections, kind.collection)
                .into_iter()
                .collect();
            // The newest twelve are the last ones created.
            if index + 12 >= total {
                member_of.extend(new_arrivals);
            }
            if kind.price_minor < 2500 {
                member_of.extend(gifts);
            }
            add_product(
                &mut batch,
                &mut keys,
                &mut slugs,
                media_dir,
                &ProductSpec {
                    series,
                    item,
                    number: None,
                    created_at: epoch() + Duration::days(index as i64),
                    collections: member_of,
                },
                index,
            )?;
        }
    }
    let variants = batch.variants.len();
    // Japan sells the Lotus mugs at a fixed, rounder price than conversion would give.
    let jp = market::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .find(|m| m.code == "JP")
        .map(|m| m.id);
    if let Some(jp) = jp {
        let lotus_mug: Vec<(i32, Option<i32>)> = batch
            .variants
            .iter()
            .filter(|v| matches!(&v.sku, sea_orm::ActiveValue::Set(s) if s.starts_with("TW-LOTUS-MUG-")))
            .filter_map(|v| match (&v.id, &v.option2) {
                (sea_orm::ActiveValue::Set(id), sea_orm::ActiveValue::Set(o2)) => Some((*id, *o2)),
                _ => None,
            })
            .collect();
        let small = lotus_mug.iter().filter_map(|(_, o)| *o).min();
        for (variant_id, option2) in lotus_mug {
            let amount = if option2 == small { 2980 } else { 3480 };
            batch.overrides.push(price_override::ActiveModel {
                market_id: Set(jp),
                variant_id: Set(variant_id),
                amount_minor: Set(amount),
                compare_at_minor: Set(None),
            });
        }
    }
    batch.insert(&txn).await?;
    sync_sequences(&txn).await?;
    txn.commit().await?;
    Ok(SeedReport {
        products: total,
        variants,
        collections: collections.len(),
        markets: MARKETS.len(),
    })
}

/// `count` generated products on top of whatever is there (the demo shop is created first
/// if missing), in batches with a progress bar. For benchmarks and load tests.
pub async fn synthetic(
    db: &DatabaseConnection,
    media_dir: &Path,
    count: usize,
    progress: bool,
) -> Result<SeedReport> {
    if is_empty(db).await? {
        demo(db, media_dir).await?;
    }
    let collections: Vec<(i32, String)> = collection::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.handle))
        .collect();
    let bar = if progress {
        indicatif::ProgressBar::new(count as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let txn = crate::txn::begin_write(db).await?;
    let mut keys = Keys::load(&txn).await?;
    let mut slugs = Slugs::default();
    let mut variants = 0;
    let first = keys.product as usize + 1;
    let mut done = 0;
    while done < count {
        let mut batch = Batch::default();
        let n = (count - done).min(2000);
        for k in 0..n {
            let number = first + done + k;
            let series = number % SERIES.len();
            let item = (number / SERIES.len()) % ITEMS.len();
            let member_of = collections
                .iter()
                .filter(|(_, h)| h == ITEMS[item].collection)
                .map(|(id, _)| *id)
                .collect();
            add_product(
                &mut batch,
                &mut keys,
                &mut slugs,
                media_dir,
                &ProductSpec {
                    series,
                    item,
                    number: Some(number),
                    created_at: epoch() + Duration::minutes(number as i64),
                    collections: member_of,
                },
                number,
            )?;
        }
        variants += batch.variants.len();
        batch.insert(&txn).await?;
        done += n;
        bar.set_position(done as u64);
    }
    sync_sequences(&txn).await?;
    txn.commit().await?;
    bar.finish_and_clear();
    Ok(SeedReport {
        products: count,
        variants,
        collections: collections.len(),
        markets: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barcodes_have_valid_check_digits() {
        // 690123456789 weighs 128 by the 1-3 rule, so its check digit is 2.
        assert_eq!(ean13(123_456_789), "6901234567892");
        let code = ean13(42);
        assert_eq!(code.len(), 13);
        let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = digits
            .iter()
            .enumerate()
            .map(|(i, d)| d * if i % 2 == 0 { 1 } else { 3 })
            .sum();
        assert_eq!(sum % 10, 0);
    }

    #[test]
    fn every_word_list_is_filled_in_every_locale() {
        let lists = SERIES
            .iter()
            .flat_map(|s| [s.name, s.about])
            .chain(ITEMS.iter().flat_map(|i| [i.name, i.about]))
            .chain(COLOURS.iter().map(|c| c.name))
            .chain(COLLECTIONS.iter().flat_map(|c| [c.title, c.about]))
            .chain(MARKETS.iter().map(|m| m.name));
        for words in lists {
            assert!(words.iter().all(|w| !w.trim().is_empty()), "{words:?}");
        }
    }

    #[test]
    fn slugs_stay_unique_per_locale() {
        let mut s = Slugs::default();
        assert_eq!(s.make(Locale::En, "Lotus Teapot"), "lotus-teapot");
        assert_eq!(s.make(Locale::En, "Lotus  teapot!"), "lotus-teapot-2");
        assert_eq!(s.make(Locale::De, "Lotus Teapot"), "lotus-teapot");
        assert_eq!(s.make(Locale::ZhCn, "莲花茶壶"), "莲花茶壶");
        assert_eq!(s.make(Locale::ZhCn, "莲花 茶壶"), "莲花-茶壶");
        assert_eq!(s.make(Locale::Ja, "・"), "item");
    }
}

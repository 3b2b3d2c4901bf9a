//! The one answer to "what does this cost, for whom, with what tax". Every page, the search
//! index, sorting, facets and (later) the cart and the order ask here, so a product can
//! never cost one thing on its page and another in search.

use crate::catalog::view::{PriceView, TaxView};
use crate::entity::tax_rate;
use crate::error::{DomainError, Result};
use crate::locale::Locale;
use crate::market::Market;
use crate::money::{Money, MoneyError};
use crate::pricing::{ExchangeRate, PricingError, RoundingRule};
use crate::tax::{GrossPolicy, TaxClass, TaxRate};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use std::collections::HashMap;

/// Tax rates by destination and tax class, loaded once (they change with the law, not with
/// traffic). A destination is a country (`DE`) or a part of one with its own rate, written as
/// in ISO 3166-2 (`US-CA`): a state's sales tax.
#[derive(Clone, Debug, Default)]
pub struct TaxTable {
    rates: HashMap<(String, TaxClass), TaxRate>,
}

/// `US-CA` for a region's row, `DE` for a country's.
fn place(country: &str, region: &str) -> String {
    if region.is_empty() {
        country.to_owned()
    } else {
        format!("{country}-{region}")
    }
}

impl TaxTable {
    pub async fn load(db: &DatabaseConnection) -> Result<Self> {
        let mut table = Self::default();
        for row in tax_rate::Entity::find().all(db).await? {
            let corrupt = |what: &str| {
                DomainError::Corrupt(format!(
                    "tax rate {} {}: {what}",
                    row.country, row.tax_class
                ))
            };
            let class = TaxClass::from_code(&row.tax_class).ok_or_else(|| corrupt("class"))?;
            let rate = TaxRate::from_ppm(row.rate_ppm).map_err(|_| corrupt("rate"))?;
            table
                .rates
                .insert((place(&row.country, &row.region), class), rate);
        }
        Ok(table)
    }

    pub fn insert(&mut self, country: &str, class: TaxClass, rate: TaxRate) {
        self.rates.insert((country.to_owned(), class), rate);
    }

    /// The rate for goods of `class` sent to `to`: a region's own rate (`US-CA`) where it
    /// has one, else its country's. A place without a row has no tax the store collects (the
    /// US before checkout knows the state).
    pub fn rate(&self, to: &str, class: TaxClass) -> TaxRate {
        if class == TaxClass::Zero {
            return TaxRate::ZERO;
        }
        let country = country_of(to);
        [to, country]
            .into_iter()
            .flat_map(|p| [(p, class), (p, TaxClass::Standard)])
            .find_map(|(p, c)| self.rates.get(&(p.to_owned(), c)))
            .copied()
            .unwrap_or(TaxRate::ZERO)
    }
}

/// The country of a destination: `US` of `US-CA`.
pub fn country_of(to: &str) -> &str {
    to.split_once('-').map_or(to, |(c, _)| c)
}

/// One row of the tax table, as a merchant reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxRateRow {
    pub country: String,
    pub class: TaxClass,
    pub rate: TaxRate,
    pub label: String,
}

/// Every rate, by place (`DE`, `US-CA`) and class.
pub async fn tax_rates(db: &DatabaseConnection) -> Result<Vec<TaxRateRow>> {
    let mut rows = Vec::new();
    for row in tax_rate::Entity::find().all(db).await? {
        let corrupt =
            || DomainError::Corrupt(format!("tax rate {} {}", row.country, row.tax_class));
        rows.push(TaxRateRow {
            class: TaxClass::from_code(&row.tax_class).ok_or_else(corrupt)?,
            rate: TaxRate::from_ppm(row.rate_ppm).map_err(|_| corrupt())?,
            country: place(&row.country, &row.region),
            label: row.label,
        });
    }
    rows.sort_by(|a, b| (&a.country, a.class).cmp(&(&b.country, b.class)));
    Ok(rows)
}

/// Sets the rate for goods of `class` sent to `country` (`DE`, or a region such as `US-CA`),
/// a percentage as written in law, keeping the label unless a new one is given. Bad input is
/// refused with what is wrong.
pub async fn set_tax_rate(
    db: &DatabaseConnection,
    country: &str,
    class: &str,
    rate: &str,
    label: Option<&str>,
) -> Result<TaxRateRow> {
    let given = country;
    let upper = given.trim().to_ascii_uppercase();
    let (country, region) = upper.split_once('-').unwrap_or((&upper, ""));
    let (country, region) = (country.to_owned(), region.to_owned());
    let letters = |s: &str, max: usize| {
        (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    if country.len() != 2
        || !country.bytes().all(|b| b.is_ascii_uppercase())
        || (upper.contains('-') && !letters(&region, 3))
    {
        return Err(DomainError::Invalid(format!(
            "`{given}` is not an ISO 3166 country code such as DE, or a region such as US-CA"
        )));
    }
    let class = TaxClass::from_code(class.trim()).ok_or_else(|| {
        DomainError::Invalid(format!(
            "`{class}` is not a tax class (standard, reduced, zero)"
        ))
    })?;
    let rate: TaxRate = rate
        .parse()
        .map_err(|e: crate::tax::TaxError| DomainError::Invalid(e.to_string()))?;
    let existing = tax_rate::Entity::find()
        .filter(tax_rate::Column::Country.eq(&country))
        .filter(tax_rate::Column::Region.eq(&region))
        .filter(tax_rate::Column::TaxClass.eq(class.code()))
        .one(db)
        .await?;
    let label = label
        .map(|l| l.trim().to_owned())
        .or_else(|| existing.as_ref().map(|r| r.label.clone()))
        .unwrap_or_default();
    if label.chars().count() > 32 {
        return Err(DomainError::Invalid(format!(
            "`{label}` is longer than 32 characters"
        )));
    }
    match existing {
        Some(row) => {
            let mut row: tax_rate::ActiveModel = row.into();
            row.rate_ppm = Set(i64::from(rate.ppm));
            row.label = Set(label.clone());
            row.update(db).await?;
        }
        None => {
            tax_rate::ActiveModel {
                country: Set(country.clone()),
                region: Set(region.clone()),
                tax_class: Set(class.code().to_owned()),
                rate_ppm: Set(i64::from(rate.ppm)),
                label: Set(label.clone()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(TaxRateRow {
        country: place(&country, &region),
        class,
        rate,
        label,
    })
}

/// What to price: one variant (its base price and any fixed price in the market), how many,
/// for whom and where to.
#[derive(Clone, Copy, Debug)]
pub struct PriceRequest<'a> {
    pub market: &'a Market,
    /// ISO 3166 alpha-2 destination country.
    pub country: &'a str,
    /// The variant's price in the shop's base currency.
    pub base: Money,
    /// A fixed price for this market, in its currency, which wins over conversion.
    pub fixed: Option<i64>,
    pub quantity: i64,
    pub tax_class: TaxClass,
}

/// Which rule made a price, so a merchant (and a test) can tell why it is what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceSource {
    Fixed,
    Converted {
        rate: ExchangeRate,
        rounding: RoundingRule,
    },
}

/// A priced line: net, tax and gross for `quantity` units, the unit price a shopper is
/// shown, and how it came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quote {
    /// The price of one unit as shown: gross in a tax-inclusive market, net otherwise.
    pub unit: Money,
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
    pub rate: TaxRate,
    /// Whether the shown price includes the tax.
    pub inclusive: bool,
    pub source: PriceSource,
}

#[derive(Clone, Debug, Default)]
pub struct PriceBook {
    taxes: TaxTable,
}

impl PriceBook {
    pub fn new(taxes: TaxTable) -> Self {
        Self { taxes }
    }

    /// The tax rate on goods of `class` delivered to `country`.
    pub fn tax_rate(&self, country: &str, class: TaxClass) -> TaxRate {
        self.taxes.rate(country, class)
    }

    /// Prices a request. Tax is computed on the whole line, not per unit, so that ten
    /// units never carry ten roundings.
    pub fn quote(&self, req: PriceRequest<'_>) -> Result<Quote, PricingError> {
        let market = req.market;
        let rule = market.price_rule;
        let listed = rule.price(req.base, req.fixed)?;
        let source = match req.fixed {
            Some(_) => PriceSource::Fixed,
            None => PriceSource::Converted {
                rate: rule.rate,
                rounding: rule.rounding,
            },
        };
        let rate = self.taxes.rate(req.country, req.tax_class);
        let overflow = |_: MoneyError| PricingError::Overflow;
        if !market.tax_inclusive {
            let net = listed.checked_mul(req.quantity).map_err(overflow)?;
            let tax = rate.on(net).map_err(overflow)?;
            return Ok(Quote {
                unit: listed,
                net,
                tax,
                gross: net.checked_add(tax).map_err(overflow)?,
                rate,
                inclusive: false,
                source,
            });
        }
        let unit = self.for_country(market, req.country, req.tax_class, listed)?;
        let gross = unit.checked_mul(req.quantity).map_err(overflow)?;
        let tax = rate.included_in(gross).map_err(overflow)?;
        Ok(Quote {
            unit,
            net: gross.checked_sub(tax).map_err(overflow)?,
            tax,
            gross,
            rate,
            inclusive: true,
            source,
        })
    }

    /// A tax-inclusive price listed for the market's home country, as a shopper in
    /// `country` pays it: the same under `GrossPolicy::SameEverywhere`; under `FollowRate`
    /// the net with the local rate added, then the market's rounding.
    pub fn for_country(
        &self,
        market: &Market,
        country: &str,
        class: TaxClass,
        listed: Money,
    ) -> Result<Money, PricingError> {
        let follows = market.tax_inclusive
            && market.gross_policy == GrossPolicy::FollowRate
            && country_of(country) != market.home_country;
        if !follows {
            return Ok(listed);
        }
        let overflow = |_: MoneyError| PricingError::Overflow;
        let home = self.taxes.rate(&market.home_country, class);
        let net = listed
            .checked_sub(home.included_in(listed).map_err(overflow)?)
            .map_err(overflow)?;
        let local = self
            .taxes
            .rate(country, class)
            .add_to(net)
            .map_err(overflow)?;
        let rounded = market
            .price_rule
            .rounding
            .apply(local.minor, local.currency)?;
        Ok(Money::new(rounded, local.currency))
    }

    /// A card's price (kept per market, for its home country) as a shopper in `country`
    /// sees it, so a card never shows another price than its product page.
    pub fn card_for_country(
        &self,
        market: &Market,
        country: &str,
        class: TaxClass,
        price: &PriceView,
    ) -> Result<PriceView, PricingError> {
        let local = |m| self.for_country(market, country, class, m);
        Ok(PriceView {
            amount: local(price.amount)?,
            compare_at: price.compare_at.map(local).transpose()?,
            from: price.from,
        })
    }

    /// An amount in the base currency converted to `market`'s currency without the
    /// market's rounding: where a price filter ("under $25") draws its line there.
    pub fn threshold(&self, market: &Market, base: Money) -> Result<i64, PricingError> {
        let exact = crate::pricing::PriceRule {
            rounding: RoundingRule::None,
            ..market.price_rule
        };
        exact.price(base, None).map(|m| m.minor)
    }

    /// The price of one unit of goods of `class` as shown in `market` to a shopper in
    /// `country`: what pages and cards show.
    pub fn shown(
        &self,
        market: &Market,
        country: &str,
        class: TaxClass,
        base: Money,
        fixed: Option<i64>,
    ) -> Result<Quote, PricingError> {
        self.quote(PriceRequest {
            market,
            country,
            base,
            fixed,
            quantity: 1,
            tax_class: class,
        })
    }
}

impl TaxView {
    /// The tax line for a quote, or `None` when no tax is collected in `country`.
    pub fn of(quote: &Quote, country: &str) -> Option<Self> {
        (quote.rate != TaxRate::ZERO).then(|| Self {
            amount: quote.tax,
            percent: quote.rate.to_string(),
            included: quote.inclusive,
            country: country.to_owned(),
        })
    }
}

impl Market {
    /// Where a shopper of `locale` in this market is taken to live until they say: the
    /// locale's own country when the market sells there (a French shopper in the EU market
    /// is in France), else the market's home country.
    pub fn default_country(&self, locale: Locale) -> &str {
        let own = match locale {
            Locale::En => "US",
            Locale::ZhCn => "CN",
            Locale::Es => "ES",
            Locale::PtBr => "BR",
            Locale::De => "DE",
            Locale::Fr => "FR",
            Locale::Ja => "JP",
            Locale::Ar => "AE",
            Locale::Vi => "VN",
            Locale::Id => "ID",
        };
        self.countries
            .iter()
            .find(|c| *c == own)
            .unwrap_or(&self.home_country)
    }

    pub fn ships_to(&self, country: &str) -> bool {
        self.countries.iter().any(|c| c == country)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::Localized;
    use crate::money::Currency;
    use crate::pricing::PriceRule;

    fn market(
        code: &str,
        currency: Currency,
        rate: &str,
        rounding: &str,
        inclusive: bool,
    ) -> Market {
        Market {
            id: 1,
            code: code.to_owned(),
            name: Localized::default(),
            locales: vec![Locale::De],
            countries: vec!["DE".into(), "FR".into(), "ES".into()],
            home_country: "DE".into(),
            tax_inclusive: inclusive,
            gross_policy: GrossPolicy::SameEverywhere,
            price_rule: PriceRule {
                currency,
                rate: ExchangeRate::parse(rate).unwrap(),
                rounding: rounding.parse().unwrap(),
            },
            rate_date: chrono::NaiveDate::default(),
        }
    }

    #[test]
    fn a_state_has_its_own_sales_tax_and_falls_back_to_its_country() {
        let mut t = TaxTable::default();
        let pct = |r: &str| r.parse::<TaxRate>().unwrap();
        t.insert("US-CA", TaxClass::Standard, pct("7.25"));
        t.insert("US-OR", TaxClass::Standard, pct("0"));
        t.insert("DE", TaxClass::Standard, pct("19"));
        t.insert("DE", TaxClass::Reduced, pct("7"));
        assert_eq!(t.rate("US-CA", TaxClass::Standard), pct("7.25"));
        assert_eq!(t.rate("US-CA", TaxClass::Reduced), pct("7.25"));
        assert_eq!(t.rate("US-OR", TaxClass::Standard), TaxRate::ZERO);
        assert_eq!(
            t.rate("US-TX", TaxClass::Standard),
            TaxRate::ZERO,
            "no row: none"
        );
        assert_eq!(t.rate("US", TaxClass::Standard), TaxRate::ZERO);
        assert_eq!(t.rate("DE", TaxClass::Reduced), pct("7"));
        assert_eq!(country_of("US-CA"), "US");
        assert_eq!(country_of("DE"), "DE");
        // $24.99 to California: $1.81 added.
        let us = market("US", Currency::Usd, "1", "none", false);
        let q = PriceBook::new(t)
            .quote(PriceRequest {
                market: &us,
                country: "US-CA",
                base: Money::new(2499, Currency::Usd),
                fixed: None,
                quantity: 1,
                tax_class: TaxClass::Standard,
            })
            .unwrap();
        assert_eq!((q.tax.minor, q.gross.minor), (181, 2680));
    }

    fn book() -> PriceBook {
        let mut t = TaxTable::default();
        for (c, r) in [
            ("DE", "19"),
            ("FR", "20"),
            ("ES", "21"),
            ("JP", "10"),
            ("VN", "10"),
        ] {
            t.insert(c, TaxClass::Standard, r.parse().unwrap());
        }
        t.insert("DE", TaxClass::Reduced, "7".parse().unwrap());
        PriceBook::new(t)
    }

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::Usd)
    }

    #[test]
    fn a_german_and_a_french_shopper_pay_the_same_gross_with_their_own_vat() {
        let eu = market("EU", Currency::Eur, "0.92", "ending:99", true);
        let b = book();
        // $48.88 × 0.92 = €44.9696 → €44.97 → ending .99 → €44.99.
        let de = b
            .shown(&eu, "DE", TaxClass::Standard, usd(4888), None)
            .unwrap();
        assert_eq!(de.unit, Money::new(4499, Currency::Eur));
        assert_eq!(de.tax, Money::new(718, Currency::Eur));
        assert_eq!(de.net, Money::new(3781, Currency::Eur));
        let fr = b
            .shown(&eu, "FR", TaxClass::Standard, usd(4888), None)
            .unwrap();
        assert_eq!(fr.unit, de.unit);
        assert_eq!(fr.tax, Money::new(750, Currency::Eur));
        assert_eq!(fr.rate.to_string(), "20");
        assert!(fr.inclusive);
    }

    #[test]
    fn follow_rate_keeps_the_net_and_adds_the_local_vat() {
        let mut eu = market("EU", Currency::Eur, "0.92", "ending:99", true);
        eu.gross_policy = GrossPolicy::FollowRate;
        let b = book();
        let de = b
            .shown(&eu, "DE", TaxClass::Standard, usd(4888), None)
            .unwrap();
        assert_eq!(de.unit.minor, 4499);
        // Net 37.81 + 20 % = 45.37 → ending .99 → 45.99 in France.
        let fr = b
            .shown(&eu, "FR", TaxClass::Standard, usd(4888), None)
            .unwrap();
        assert_eq!(fr.unit.minor, 4599);
        assert_eq!(fr.tax.minor, 767);
    }

    #[test]
    fn cards_show_what_the_product_page_shows_in_every_country() {
        let mut eu = market("EU", Currency::Eur, "0.92", "ending:99", true);
        let b = book();
        let page = |eu: &Market, country, base, class| {
            b.shown(eu, country, class, usd(base), None).unwrap().unit
        };
        for policy in [GrossPolicy::SameEverywhere, GrossPolicy::FollowRate] {
            eu.gross_policy = policy;
            for class in [TaxClass::Standard, TaxClass::Reduced, TaxClass::Zero] {
                // A card keeps the home country's price; shown elsewhere it must match the
                // page, for goods of every tax class.
                let card = PriceView {
                    amount: page(&eu, "DE", 4888, class),
                    compare_at: Some(page(&eu, "DE", 5888, class)),
                    from: false,
                };
                for country in ["DE", "FR", "ES"] {
                    let shown = b.card_for_country(&eu, country, class, &card).unwrap();
                    let what = format!("{policy:?} {class:?} {country}");
                    assert_eq!(shown.amount, page(&eu, country, 4888, class), "{what}");
                    assert_eq!(
                        shown.compare_at,
                        Some(page(&eu, country, 5888, class)),
                        "{what}"
                    );
                }
            }
        }
    }

    #[test]
    fn us_prices_exclude_tax_and_lines_are_taxed_once() {
        let us = market("US", Currency::Usd, "1", "none", false);
        let mut b = book();
        b.taxes
            .insert("US", TaxClass::Standard, "7.25".parse().unwrap());
        let q = b
            .quote(PriceRequest {
                market: &us,
                country: "US",
                base: usd(333),
                fixed: None,
                quantity: 3,
                tax_class: TaxClass::Standard,
            })
            .unwrap();
        assert_eq!(q.unit, usd(333));
        assert_eq!(q.net, usd(999));
        // 7.25 % of 9.99 = 0.724 → 0.72 on the line (per unit it would be 3 × 0.24 = 0.72).
        assert_eq!(q.tax, usd(72));
        assert_eq!(q.gross, usd(1071));
        assert!(!q.inclusive);
    }

    #[test]
    fn yen_and_dong_have_no_decimals_and_fixed_prices_win() {
        let mut jp = market("JP", Currency::Jpy, "150", "step:10", true);
        jp.countries = vec!["JP".into()];
        jp.home_country = "JP".into();
        let b = book();
        let q = b
            .shown(&jp, "JP", TaxClass::Standard, usd(2499), None)
            .unwrap();
        assert_eq!(q.unit, Money::new(3750, Currency::Jpy));
        assert_eq!(q.tax, Money::new(341, Currency::Jpy));
        let fixed = b
            .shown(&jp, "JP", TaxClass::Standard, usd(2499), Some(2980))
            .unwrap();
        assert_eq!(fixed.unit, Money::new(2980, Currency::Jpy));
        assert_eq!(fixed.source, PriceSource::Fixed);
        let mut vn = market("VN", Currency::Vnd, "25400", "step:1000", true);
        vn.home_country = "VN".into();
        let q = b
            .shown(&vn, "VN", TaxClass::Standard, usd(2499), None)
            .unwrap();
        assert_eq!(q.unit, Money::new(635_000, Currency::Vnd));
        assert_eq!(q.tax, Money::new(57_727, Currency::Vnd));
    }

    #[test]
    fn reduced_and_zero_classes_and_unknown_countries() {
        let b = book();
        assert_eq!(b.taxes.rate("DE", TaxClass::Reduced).to_string(), "7");
        assert_eq!(b.taxes.rate("FR", TaxClass::Reduced).to_string(), "20");
        assert_eq!(b.taxes.rate("DE", TaxClass::Zero), TaxRate::ZERO);
        assert_eq!(b.taxes.rate("ZZ", TaxClass::Standard), TaxRate::ZERO);
    }

    #[test]
    fn default_country_follows_the_locale_inside_the_market() {
        let eu = market("EU", Currency::Eur, "0.92", "none", true);
        assert_eq!(eu.default_country(Locale::Fr), "FR");
        assert_eq!(eu.default_country(Locale::Es), "ES");
        assert_eq!(eu.default_country(Locale::Ja), "DE");
        assert!(eu.ships_to("FR") && !eu.ships_to("US"));
    }
}

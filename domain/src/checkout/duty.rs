//! Landed cost: what crossing the border adds. Each market may set a de minimis (EU: goods
//! worth up to 150 € pay no duty, and their import VAT is collected at checkout under the
//! shop's IOSS number) and, above it, duties by HS code and origin, collected at checkout
//! (DDP) or left to the courier to collect on delivery (DAP, which the shopper is told).
//!
//! The value compared and dutied is the goods' own, before tax and shipping, in the market's
//! currency (the EU's "intrinsic value"); customs add the transport to it for some goods,
//! which the merchant's duty rates can allow for.

use super::cart::Priced;
use super::view::Landed;
use crate::entity::{duty_rate, import_rule, market};
use crate::error::{DomainError, Result};
use crate::money::{Currency, Money, MoneyError};
use crate::tax::TaxRate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

/// `6911.10.00` as `69111000`.
fn digits(hs: &str) -> String {
    hs.chars().filter(char::is_ascii_digit).collect()
}

/// The rate for goods with `hs` code from `origin`: the longest matching prefix, a rate for
/// that origin before one for any origin; none when no row matches. A row without a prefix
/// takes every good (a flat rate, as simplified courier regimes charge).
pub fn rate_for(rates: &[duty_rate::Model], hs: &str, origin: &str) -> TaxRate {
    let hs = digits(hs);
    rates
        .iter()
        .filter(|r| hs.starts_with(&digits(&r.hs_prefix)))
        .filter(|r| r.origin.is_empty() || r.origin == origin)
        .max_by_key(|r| (digits(&r.hs_prefix).len(), !r.origin.is_empty()))
        .and_then(|r| TaxRate::from_ppm(r.rate_ppm).ok())
        .unwrap_or(TaxRate::ZERO)
}

/// What crossing the border adds to these lines under a market's `rule`, if it has one.
pub(crate) async fn landed(
    db: &impl ConnectionTrait,
    rule: Option<&import_rule::Model>,
    lines: &[Priced],
) -> Result<Option<Landed>> {
    let Some(rule) = rule else {
        return Ok(None);
    };
    let market_id = rule.market_id;
    let Some(first) = lines.first() else {
        return Ok(None);
    };
    let currency = first.quote.net.currency;
    let rates = duty_rate::Entity::find()
        .filter(duty_rate::Column::MarketId.eq(market_id))
        .all(db)
        .await?;
    let compute = || -> std::result::Result<Landed, MoneyError> {
        let value = lines
            .iter()
            .try_fold(Money::zero(currency), |sum, p| sum.checked_add(p.quote.net))?;
        let above = rule.de_minimis_minor.is_some_and(|t| value.minor > t);
        let mut duty = Money::zero(currency);
        if above {
            for p in lines {
                let origin = p.variant.country_of_origin.clone().unwrap_or_default();
                let hs = p.variant.hs_code.clone().unwrap_or_default();
                duty = duty.checked_add(rate_for(&rates, &hs, &origin).on(p.quote.net)?)?;
            }
        }
        Ok(Landed {
            value,
            above_de_minimis: above,
            collected: rule.duty_mode != "dap",
            duty,
            ioss: (!above && !rule.ioss_number.is_empty()).then(|| rule.ioss_number.clone()),
        })
    };
    compute()
        .map(Some)
        .map_err(|e| DomainError::Corrupt(format!("duties: {e}")))
}

/// How goods enter one market, for the operator: its rule (none: no duties) and its rates.
#[derive(Clone, Debug)]
pub struct ImportRules {
    pub market: String,
    pub rule: Option<import_rule::Model>,
    pub currency: Option<Currency>,
    pub rates: Vec<duty_rate::Model>,
}

/// Every market's import rule and duty rates, in the markets' order.
pub async fn import_rules(db: &impl ConnectionTrait) -> Result<Vec<ImportRules>> {
    let markets = market::Entity::find()
        .order_by_asc(market::Column::Position)
        .all(db)
        .await?;
    let mut rules = import_rule::Entity::find().all(db).await?;
    let mut rates = duty_rate::Entity::find()
        .order_by_asc(duty_rate::Column::HsPrefix)
        .order_by_asc(duty_rate::Column::Origin)
        .all(db)
        .await?;
    Ok(markets
        .into_iter()
        .map(|m| ImportRules {
            rule: rules
                .iter()
                .position(|r| r.market_id == m.id)
                .map(|i| rules.swap_remove(i)),
            rates: rates.extract_if(.., |r| r.market_id == m.id).collect(),
            currency: Currency::from_code(&m.currency),
            market: m.code,
        })
        .collect())
}

async fn market_by_code(db: &impl ConnectionTrait, code: &str) -> Result<market::Model> {
    market::Entity::find()
        .filter(market::Column::Code.eq(code.trim().to_ascii_uppercase()))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::Invalid(format!("`{code}` is not a market of this store")))
}

/// `6911.10` as `6911`-style digits; `*` (every good) as no prefix.
fn hs_prefix(given: &str) -> Result<String> {
    let given = given.trim();
    if given == "*" {
        return Ok(String::new());
    }
    let prefix = digits(given);
    let allowed = |c: char| c.is_ascii_digit() || c == '.' || c == ' ';
    if prefix.len() < 2 || prefix.len() > 10 || !given.chars().all(allowed) {
        return Err(DomainError::Invalid(format!(
            "`{given}` is not an HS code or prefix such as 6911 or 6911.10 (`*` for every good)"
        )));
    }
    Ok(prefix)
}

/// An origin given as `CN`, or none (`*` or empty) for any.
fn origin(given: Option<&str>) -> Result<String> {
    match given.map(str::trim) {
        None | Some("" | "*") => Ok(String::new()),
        Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Ok(c.to_ascii_uppercase())
        }
        Some(c) => Err(DomainError::Invalid(format!(
            "`{c}` is not an ISO 3166 country code such as CN"
        ))),
    }
}

/// Sets the duty on goods of HS `prefix` from `origin` (any when `None`) entering `market`,
/// a percentage as the tariff writes it. Replaces the rate for the same prefix and origin.
pub async fn set_duty_rate(
    db: &(impl ConnectionTrait + TransactionTrait),
    market: &str,
    prefix: &str,
    from: Option<&str>,
    percent: &str,
) -> Result<duty_rate::Model> {
    let m = market_by_code(db, market).await?;
    let (prefix, from) = (hs_prefix(prefix)?, origin(from)?);
    let rate: TaxRate = percent
        .parse()
        .map_err(|e: crate::tax::TaxError| DomainError::Invalid(e.to_string()))?;
    let txn = crate::txn::begin_write(db).await?;
    remove_rows(&txn, m.id, &prefix, &from).await?;
    let row = duty_rate::Entity::insert(duty_rate::ActiveModel {
        market_id: Set(m.id),
        hs_prefix: Set(prefix),
        origin: Set(from),
        rate_ppm: Set(i64::from(rate.ppm)),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Removes the duty on HS `prefix` from `origin` entering `market`; false when there was none.
pub async fn remove_duty_rate(
    db: &impl ConnectionTrait,
    market: &str,
    prefix: &str,
    from: Option<&str>,
) -> Result<bool> {
    let m = market_by_code(db, market).await?;
    remove_rows(db, m.id, &hs_prefix(prefix)?, &origin(from)?).await
}

async fn remove_rows(
    db: &impl ConnectionTrait,
    market_id: i32,
    prefix: &str,
    from: &str,
) -> Result<bool> {
    let gone = duty_rate::Entity::delete_many()
        .filter(duty_rate::Column::MarketId.eq(market_id))
        .filter(duty_rate::Column::HsPrefix.eq(prefix))
        .filter(duty_rate::Column::Origin.eq(from))
        .exec(db)
        .await?;
    Ok(gone.rows_affected > 0)
}

/// A change to a market's import rule; `None` keeps what is there.
#[derive(Clone, Debug, Default)]
pub struct RuleChange {
    /// The de minimis in the market's currency (`135`, `10000`); `none` for duties on
    /// every parcel; `off` for no duties at all.
    pub de_minimis: Option<String>,
    /// `ddp` or `dap`.
    pub duty_mode: Option<String>,
    /// The number import VAT is collected under at checkout (IOSS, a UK VAT number); empty
    /// for none.
    pub vat_number: Option<String>,
    /// `line` or `total`.
    pub tax_rounding: Option<String>,
}

/// Changes `market`'s import rule (creating it: no duties, DDP, rounding per line).
pub async fn set_import_rule(
    db: &impl ConnectionTrait,
    market: &str,
    change: RuleChange,
) -> Result<import_rule::Model> {
    let m = market_by_code(db, market).await?;
    let currency = Currency::from_code(&m.currency)
        .ok_or_else(|| DomainError::Corrupt(format!("market {} currency", m.code)))?;
    let old = import_rule::Entity::find_by_id(m.id).one(db).await?;
    let mut rule = old.clone().unwrap_or(import_rule::Model {
        market_id: m.id,
        de_minimis_minor: None,
        duty_mode: "ddp".into(),
        ioss_number: String::new(),
        tax_rounding: "line".into(),
    });
    if let Some(given) = change.de_minimis {
        rule.de_minimis_minor = match given.trim() {
            "off" => None,
            "none" => Some(0),
            amount => Some(
                Money::parse_decimal(amount, currency)
                    .ok_or_else(|| {
                        DomainError::Invalid(format!(
                            "`{amount}` is not an amount in {currency} such as {} (or none, off)",
                            Money::new(currency.minor_per_major() * 150, currency).decimal()
                        ))
                    })?
                    .minor,
            ),
        };
    }
    if let Some(mode) = change.duty_mode {
        rule.duty_mode = match mode.trim().to_ascii_lowercase().as_str() {
            m @ ("ddp" | "dap") => m.to_owned(),
            _ => {
                return Err(DomainError::Invalid(format!(
                    "`{mode}` is not ddp (duties collected at checkout) or dap (on delivery)"
                )));
            }
        };
    }
    if let Some(number) = change.vat_number {
        let number = number.trim().to_ascii_uppercase();
        if number.len() > 20 || !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(DomainError::Invalid(format!(
                "`{number}` is not a VAT or IOSS number such as IM2760000001"
            )));
        }
        rule.ioss_number = number;
    }
    if let Some(rounding) = change.tax_rounding {
        rule.tax_rounding = match rounding.trim() {
            r @ ("line" | "total") => r.to_owned(),
            _ => {
                return Err(DomainError::Invalid(format!(
                    "`{rounding}` is not line (each line's tax rounded) or total (once per rate)"
                )));
            }
        };
    }
    let row = import_rule::ActiveModel {
        market_id: Set(rule.market_id),
        de_minimis_minor: Set(rule.de_minimis_minor),
        duty_mode: Set(rule.duty_mode.clone()),
        ioss_number: Set(rule.ioss_number.clone()),
        tax_rounding: Set(rule.tax_rounding.clone()),
    };
    if old.is_some() {
        import_rule::Entity::update(row).exec(db).await?;
    } else {
        import_rule::Entity::insert(row).exec(db).await?;
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(prefix: &str, origin: &str, percent: &str) -> duty_rate::Model {
        duty_rate::Model {
            id: 0,
            market_id: 1,
            hs_prefix: prefix.into(),
            origin: origin.into(),
            rate_ppm: i64::from(percent.parse::<TaxRate>().unwrap_or_default().ppm),
        }
    }

    #[test]
    fn the_longest_prefix_and_the_named_origin_win() {
        let rates = [
            row("69", "", "6"),
            row("6911", "", "12"),
            row("6911", "CN", "13.5"),
            row("4202", "", "3.7"),
        ];
        let pct = |p: &str| p.parse::<TaxRate>().unwrap_or_default();
        assert_eq!(rate_for(&rates, "6911.10.00", "CN"), pct("13.5"));
        assert_eq!(rate_for(&rates, "6911.10", "VN"), pct("12"));
        assert_eq!(rate_for(&rates, "6913.90", "CN"), pct("6"));
        assert_eq!(rate_for(&rates, "4202.22", "CN"), pct("3.7"));
        assert_eq!(rate_for(&rates, "3406.00", "CN"), TaxRate::ZERO);
        assert_eq!(rate_for(&rates, "", "CN"), TaxRate::ZERO);
        // A flat rate takes whatever no longer prefix does, HS code or not.
        let flat = [row("", "", "60"), row("4820", "", "0")];
        assert_eq!(rate_for(&flat, "6911.10", "CN"), pct("60"));
        assert_eq!(rate_for(&flat, "", "CN"), pct("60"));
        assert_eq!(rate_for(&flat, "4820.10", "CN"), TaxRate::ZERO);
    }

    #[test]
    fn hs_prefixes_and_origins_are_checked() {
        assert_eq!(hs_prefix("6911.10").ok(), Some("691110".into()));
        assert_eq!(hs_prefix("*").ok(), Some(String::new()));
        for bad in ["", "6", "69x1", "12345678901"] {
            assert!(hs_prefix(bad).is_err(), "{bad}");
        }
        assert_eq!(origin(Some("cn")).ok(), Some("CN".into()));
        assert_eq!(origin(None).ok(), Some(String::new()));
        assert!(origin(Some("CHN")).is_err());
    }
}

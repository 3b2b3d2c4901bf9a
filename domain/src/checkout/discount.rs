//! Discounts: codes a shopper types and automatic ones, as a percentage, a fixed amount per
//! currency, or free shipping; with a start and an end, a minimum subtotal, the markets they
//! apply in, and usage limits in total and per email. At most one code applies, with every
//! automatic discount the order qualifies for.
//!
//! A discount comes off the goods before tax: it is shared over the lines by their amounts,
//! and each line's tax is taken from (or added to) what is left of it.

use crate::entity::{discount, discount_use};
use crate::error::Result;
use crate::market::Market;
use crate::money::{Money, MoneyError};
use crate::price_book::Quote;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a discount takes off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Basis points of the goods: 1000 is 10 %.
    Percent(i64),
    /// An amount in the market's currency (set per currency).
    Fixed,
    FreeShipping,
}

/// A discount as it applies to one checkout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub id: i32,
    /// The code typed, or empty for an automatic discount.
    pub code: String,
    /// Off the goods (zero for free shipping).
    pub amount: Money,
    pub free_shipping: bool,
}

fn kind(d: &discount::Model) -> Option<Kind> {
    match d.kind.as_str() {
        "percent" => Some(Kind::Percent(i64::from(d.percent_bp))),
        "fixed" => Some(Kind::Fixed),
        "free_shipping" => Some(Kind::FreeShipping),
        _ => None,
    }
}

/// Amounts per currency code, e.g. `{"EUR": 500, "USD": 500}`.
fn per_currency(json: &str) -> BTreeMap<String, i64> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Why a code does not apply (`checkout-error-code-<reason>`).
pub fn refusal(
    d: &discount::Model,
    market: &str,
    goods: Money,
    now: DateTime<Utc>,
    used_by_email: u64,
) -> Option<&'static str> {
    let currency = goods.currency.code();
    let markets: Vec<&str> = d
        .markets
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    if kind(d).is_none() {
        return Some("unknown");
    }
    if d.starts_at.is_some_and(|t| now < t) {
        return Some("not-yet");
    }
    if d.ends_at.is_some_and(|t| now >= t) {
        return Some("expired");
    }
    if !markets.is_empty() && !markets.contains(&market) {
        return Some("market");
    }
    if kind(d) == Some(Kind::Fixed) && !per_currency(&d.amounts).contains_key(currency) {
        return Some("market");
    }
    if d.usage_limit.is_some_and(|limit| d.used >= limit) {
        return Some("used-up");
    }
    if d.per_email_limit
        .is_some_and(|limit| used_by_email >= u64::try_from(limit).unwrap_or(0))
    {
        return Some("used");
    }
    if per_currency(&d.minimum)
        .get(currency)
        .is_some_and(|min| goods.minor < *min)
    {
        return Some("minimum");
    }
    None
}

/// What `d` takes off `goods` (rounded half up, never more than the goods).
pub fn amount_off(d: &discount::Model, goods: Money) -> Money {
    let off = match kind(d) {
        Some(Kind::Percent(bp)) => {
            let exact = i128::from(goods.minor) * i128::from(bp.clamp(0, 10_000));
            i64::try_from((exact + 5_000) / 10_000).unwrap_or(goods.minor)
        }
        Some(Kind::Fixed) => per_currency(&d.amounts)
            .get(goods.currency.code())
            .copied()
            .unwrap_or(0),
        _ => 0,
    };
    Money::new(off.clamp(0, goods.minor.max(0)), goods.currency)
}

/// The discounts that apply: every automatic one the order qualifies for, and the code if it
/// is valid (else why not). `goods` is the subtotal as shown.
pub async fn applicable(
    db: &impl ConnectionTrait,
    code: &str,
    email: &str,
    market: &Market,
    goods: Money,
) -> Result<(Vec<Applied>, Option<&'static str>)> {
    let now = Utc::now();
    let mut applied = Vec::new();
    // Each discount takes its share of what the ones before it left, so together they never
    // exceed the goods.
    let mut left = goods;
    for d in discount::Entity::find()
        .filter(discount::Column::Code.is_null())
        .all(db)
        .await?
    {
        let used = uses_by(db, &d, email).await?;
        if refusal(&d, &market.code, goods, now, used).is_none() {
            let a = apply(&d, left);
            left = Money::new(left.minor - a.amount.minor, left.currency);
            applied.push(a);
        }
    }
    let code = code.trim();
    let mut refused = None;
    if !code.is_empty() {
        let found = discount::Entity::find()
            .filter(discount::Column::Code.eq(code.to_uppercase()))
            .one(db)
            .await?;
        match found {
            None => refused = Some("unknown"),
            Some(d) => {
                let used = uses_by(db, &d, email).await?;
                match refusal(&d, &market.code, goods, now, used) {
                    None => applied.push(apply(&d, left)),
                    Some(why) => refused = Some(why),
                }
            }
        }
    }
    Ok((applied, refused))
}

/// How often `email` has used `d`, where that is limited.
async fn uses_by(db: &impl ConnectionTrait, d: &discount::Model, email: &str) -> Result<u64> {
    if d.per_email_limit.is_none() || email.is_empty() {
        return Ok(0);
    }
    Ok(discount_use::Entity::find()
        .filter(discount_use::Column::DiscountId.eq(d.id))
        .filter(discount_use::Column::Email.eq(email.to_lowercase()))
        .count(db)
        .await?)
}

fn apply(d: &discount::Model, goods: Money) -> Applied {
    Applied {
        id: d.id,
        code: d.code.clone().unwrap_or_default(),
        amount: amount_off(d, goods),
        free_shipping: kind(d) == Some(Kind::FreeShipping),
    }
}

/// Takes `off` from the lines, shared by their amounts, and recomputes each line's tax on
/// what is left. The total taken never exceeds the goods.
pub fn take_off(lines: &[Quote], off: Money) -> std::result::Result<Vec<Quote>, MoneyError> {
    let shown = |q: &Quote| if q.inclusive { q.gross } else { q.net };
    let goods = lines.iter().try_fold(Money::zero(off.currency), |sum, q| {
        sum.checked_add(shown(q))
    })?;
    let off = Money::new(off.minor.clamp(0, goods.minor.max(0)), off.currency);
    if off.minor == 0 || lines.is_empty() {
        return Ok(lines.to_vec());
    }
    let weights: Vec<i64> = lines.iter().map(|q| shown(q).minor).collect();
    let shares = off.allocate(&weights)?;
    lines
        .iter()
        .zip(shares)
        .map(|(q, share)| {
            if q.inclusive {
                let gross = q.gross.checked_sub(share)?;
                let tax = q.rate.included_in(gross)?;
                Ok(Quote {
                    gross,
                    tax,
                    net: gross.checked_sub(tax)?,
                    ..*q
                })
            } else {
                let net = q.net.checked_sub(share)?;
                let tax = q.rate.on(net)?;
                Ok(Quote {
                    net,
                    tax,
                    gross: net.checked_add(tax)?,
                    ..*q
                })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::price_book::PriceSource;
    use crate::tax::TaxRate;

    fn model(kind: &str) -> discount::Model {
        discount::Model {
            id: 1,
            code: Some("WELCOME10".into()),
            kind: kind.into(),
            percent_bp: 1000,
            amounts: r#"{"EUR": 500, "JPY": 700}"#.into(),
            minimum: r#"{"EUR": 3000}"#.into(),
            markets: String::new(),
            starts_at: None,
            ends_at: None,
            usage_limit: None,
            per_email_limit: None,
            used: 0,
        }
    }

    fn eu() -> &'static str {
        "EU"
    }

    fn line(gross: i64, percent: &str) -> Quote {
        let rate: TaxRate = percent.parse().unwrap_or_default();
        let gross = Money::new(gross, Currency::Eur);
        let tax = rate.included_in(gross).unwrap_or(gross);
        Quote {
            unit: gross,
            net: gross.checked_sub(tax).unwrap_or(gross),
            tax,
            gross,
            rate,
            inclusive: true,
            source: PriceSource::Fixed,
        }
    }

    #[test]
    fn each_rule_refuses_with_its_reason() {
        let now = Utc::now();
        let goods = Money::new(5000, Currency::Eur);
        let d = model("percent");
        assert_eq!(refusal(&d, eu(), goods, now, 0), None);
        assert_eq!(
            refusal(&d, eu(), Money::new(2999, Currency::Eur), now, 0),
            Some("minimum")
        );
        let later = discount::Model {
            starts_at: Some(now + chrono::Duration::days(1)),
            ..model("percent")
        };
        assert_eq!(refusal(&later, eu(), goods, now, 0), Some("not-yet"));
        let over = discount::Model {
            ends_at: Some(now - chrono::Duration::days(1)),
            ..model("percent")
        };
        assert_eq!(refusal(&over, eu(), goods, now, 0), Some("expired"));
        let elsewhere = discount::Model {
            markets: "US,UK".into(),
            ..model("percent")
        };
        assert_eq!(refusal(&elsewhere, eu(), goods, now, 0), Some("market"));
        let used_up = discount::Model {
            usage_limit: Some(100),
            used: 100,
            ..model("percent")
        };
        assert_eq!(refusal(&used_up, eu(), goods, now, 0), Some("used-up"));
        let once = discount::Model {
            per_email_limit: Some(1),
            ..model("percent")
        };
        assert_eq!(refusal(&once, eu(), goods, now, 1), Some("used"));
        assert_eq!(refusal(&once, eu(), goods, now, 0), None);
        // A fixed amount needs one in the market's currency.
        let usd = Money::new(5000, Currency::Usd);
        assert_eq!(refusal(&model("fixed"), eu(), usd, now, 0), Some("market"));
    }

    #[test]
    fn amounts_off() {
        let d = model("percent");
        assert_eq!(amount_off(&d, Money::new(4499, Currency::Eur)).minor, 450);
        assert_eq!(
            amount_off(&model("fixed"), Money::new(4499, Currency::Eur)).minor,
            500
        );
        assert_eq!(
            amount_off(&model("fixed"), Money::new(300, Currency::Eur)).minor,
            300
        );
        assert_eq!(
            amount_off(&model("fixed"), Money::new(2980, Currency::Jpy)).minor,
            700
        );
        assert_eq!(
            amount_off(&model("free_shipping"), Money::new(4499, Currency::Eur)).minor,
            0
        );
    }

    #[test]
    fn vat_is_taken_out_of_the_discounted_price() {
        // €89.98 at 19 % and €12.90 at 7 %, €10 off: shared 8.75 / 1.25 by amount.
        let lines = [line(8998, "19"), line(1290, "7")];
        let after = take_off(&lines, Money::new(1000, Currency::Eur)).unwrap_or_default();
        let gross: i64 = after.iter().map(|q| q.gross.minor).sum();
        assert_eq!(gross, 8998 + 1290 - 1000);
        assert_eq!(after[0].gross.minor, 8998 - 875);
        // 81.23 × 19/119 = 12.97; 11.65 × 7/107 = 0.76.
        assert_eq!(after[0].tax.minor, 1297);
        assert_eq!(after[1].tax.minor, 76);
        // Never more than the goods.
        let all = take_off(&lines, Money::new(99_999, Currency::Eur)).unwrap_or_default();
        assert!(all.iter().all(|q| q.gross.minor == 0 && q.tax.minor == 0));
    }
}

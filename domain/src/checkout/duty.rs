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
use crate::entity::{duty_rate, import_rule};
use crate::error::Result;
use crate::money::{Money, MoneyError};
use crate::tax::TaxRate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// `6911.10.00` as `69111000`.
fn digits(hs: &str) -> String {
    hs.chars().filter(char::is_ascii_digit).collect()
}

/// The rate for goods with `hs` code from `origin`: the longest matching prefix, a rate for
/// that origin before one for any origin; none when no row matches.
pub fn rate_for(rates: &[duty_rate::Model], hs: &str, origin: &str) -> TaxRate {
    let hs = digits(hs);
    rates
        .iter()
        .filter(|r| !r.hs_prefix.is_empty() && hs.starts_with(&digits(&r.hs_prefix)))
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
        .map_err(|e| crate::error::DomainError::Corrupt(format!("duties: {e}")))
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
    }
}

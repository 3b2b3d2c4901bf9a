//! Turning a variant's base price into the price a market shows: fixed override, or
//! exchange-rate conversion followed by the market's rounding rule, applied once.

use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An exchange rate from the store's base currency, as an exact decimal scaled by 10^9
/// (1 USD = 0.92 EUR is `920_000_000`). Nine places cover every published FX rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeRate {
    pub scaled: i64,
}

impl ExchangeRate {
    pub const SCALE: i64 = 1_000_000_000;
    pub const IDENTITY: ExchangeRate = ExchangeRate {
        scaled: Self::SCALE,
    };

    /// Parses a plain decimal such as `"0.92"` or `"25400"` without going through floats.
    pub fn parse(s: &str) -> Result<Self, PricingError> {
        let bad = || PricingError::BadRate(s.to_owned());
        let s = s.trim();
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() && frac.is_empty()
            || !int.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
            || frac.len() > 9
        {
            return Err(bad());
        }
        let int: i64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad())?
        };
        let frac_scaled: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse::<i64>().map_err(|_| bad())? * 10_i64.pow(9 - frac.len() as u32)
        };
        let scaled = int
            .checked_mul(Self::SCALE)
            .and_then(|v| v.checked_add(frac_scaled))
            .ok_or_else(bad)?;
        if scaled <= 0 {
            return Err(bad());
        }
        Ok(Self { scaled })
    }
}

impl fmt::Display for ExchangeRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let int = self.scaled / Self::SCALE;
        let frac = self.scaled % Self::SCALE;
        if frac == 0 {
            return write!(f, "{int}");
        }
        let frac = format!("{frac:09}");
        write!(f, "{int}.{}", frac.trim_end_matches('0'))
    }
}

/// How a converted price is tidied. Converted prices always round *up*, so that
/// conversion never sells below the merchant's price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoundingRule {
    /// Up to the currency's minor unit only.
    None,
    /// Up to the next price whose minor part is this value: `Ending(99)` gives 12.99.
    Ending(i64),
    /// Up to a multiple of this many minor units: `Step(1000)` gives whole thousands of dong.
    Step(i64),
}

impl RoundingRule {
    /// Applies the rule to an amount already in the target currency's minor units.
    pub fn apply(self, minor: i64, currency: Currency) -> i64 {
        match self {
            Self::None => minor,
            Self::Step(step) if step > 1 => ceil_to(minor, step),
            Self::Step(_) => minor,
            Self::Ending(ending) => {
                let unit = currency.minor_per_major();
                if unit == 1 || !(0..unit).contains(&ending) {
                    return minor;
                }
                // The smallest `k * unit + ending` that is >= minor.
                let base = minor.div_euclid(unit) * unit + ending;
                if base >= minor { base } else { base + unit }
            }
        }
    }
}

fn ceil_to(value: i64, step: i64) -> i64 {
    let rem = value.rem_euclid(step);
    if rem == 0 { value } else { value - rem + step }
}

impl fmt::Display for RoundingRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Ending(e) => write!(f, "ending:{e}"),
            Self::Step(s) => write!(f, "step:{s}"),
        }
    }
}

impl FromStr for RoundingRule {
    type Err = PricingError;

    /// The stored text form: `none`, `ending:99`, `step:1000`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || PricingError::BadRounding(s.to_owned());
        match s.split_once(':') {
            None if s == "none" => Ok(Self::None),
            Some(("ending", n)) => n
                .parse()
                .ok()
                .filter(|n| *n >= 0)
                .map(Self::Ending)
                .ok_or_else(bad),
            Some(("step", n)) => n
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .map(Self::Step)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PricingError {
    BadRate(String),
    BadRounding(String),
    Overflow,
}

impl fmt::Display for PricingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadRate(s) => write!(f, "`{s}` is not a positive decimal exchange rate"),
            Self::BadRounding(s) => {
                write!(
                    f,
                    "`{s}` is not a rounding rule (use none, ending:N or step:N)"
                )
            }
            Self::Overflow => f.write_str("the converted price is too large"),
        }
    }
}

impl std::error::Error for PricingError {}

/// What a market needs to price a variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRule {
    pub currency: Currency,
    pub rate: ExchangeRate,
    pub rounding: RoundingRule,
}

impl PriceRule {
    /// The market price for a base price. A fixed override in the market's currency wins;
    /// otherwise convert exactly (i128, half-up to the minor unit) and round once.
    pub fn price(&self, base: Money, fixed: Option<i64>) -> Result<Money, PricingError> {
        if let Some(minor) = fixed {
            return Ok(Money::new(minor, self.currency));
        }
        if base.currency == self.currency && self.rate == ExchangeRate::IDENTITY {
            return Ok(Money::new(
                self.rounding.apply(base.minor, self.currency),
                self.currency,
            ));
        }
        let num = i128::from(base.minor)
            * i128::from(self.rate.scaled)
            * i128::from(self.currency.minor_per_major());
        let den = i128::from(ExchangeRate::SCALE) * i128::from(base.currency.minor_per_major());
        let converted = (num + den / 2).div_euclid(den);
        let converted = i64::try_from(converted).map_err(|_| PricingError::Overflow)?;
        Ok(Money::new(
            self.rounding.apply(converted, self.currency),
            self.currency,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(currency: Currency, rate: &str, rounding: &str) -> PriceRule {
        PriceRule {
            currency,
            rate: ExchangeRate::parse(rate).unwrap(),
            rounding: rounding.parse().unwrap(),
        }
    }

    #[test]
    fn parses_rates_without_floats() {
        assert_eq!(ExchangeRate::parse("0.92").unwrap().scaled, 920_000_000);
        assert_eq!(
            ExchangeRate::parse("25400").unwrap().scaled,
            25_400_000_000_000
        );
        assert_eq!(ExchangeRate::parse("3.6725").unwrap().to_string(), "3.6725");
        assert_eq!(ExchangeRate::parse(".5").unwrap().to_string(), "0.5");
        for bad in [
            "",
            ".",
            "-1",
            "0",
            "1e3",
            "1.0000000001",
            "abc",
            "99999999999999",
        ] {
            assert!(ExchangeRate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rounding_rules_parse_and_print() {
        for s in ["none", "ending:99", "step:1000"] {
            assert_eq!(s.parse::<RoundingRule>().unwrap().to_string(), s);
        }
        for bad in ["", "ending", "ending:-1", "step:0", "up:5"] {
            assert!(bad.parse::<RoundingRule>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ending_rounds_up_to_the_next_ending() {
        let r = RoundingRule::Ending(99);
        assert_eq!(r.apply(1234, Currency::Eur), 1299);
        assert_eq!(r.apply(1299, Currency::Eur), 1299);
        assert_eq!(r.apply(1300, Currency::Eur), 1399);
        assert_eq!(r.apply(0, Currency::Eur), 99);
        assert_eq!(RoundingRule::Ending(0).apply(1201, Currency::Eur), 1300);
        assert_eq!(RoundingRule::Ending(0).apply(1200, Currency::Eur), 1200);
        // Currencies without minor units have nothing to end in.
        assert_eq!(r.apply(3751, Currency::Jpy), 3751);
    }

    #[test]
    fn step_rounds_up_to_a_multiple() {
        let r = RoundingRule::Step(1000);
        assert_eq!(r.apply(634_746, Currency::Vnd), 635_000);
        assert_eq!(r.apply(635_000, Currency::Vnd), 635_000);
        assert_eq!(r.apply(1, Currency::Vnd), 1000);
        assert_eq!(r.apply(0, Currency::Vnd), 0);
    }

    #[test]
    fn converts_between_exponents() {
        let usd = |minor| Money::new(minor, Currency::Usd);
        // 24.99 USD at 150 JPY: 3748.5 -> half-up 3749 -> step 10 -> 3750
        assert_eq!(
            rule(Currency::Jpy, "150", "step:10")
                .price(usd(2499), None)
                .unwrap()
                .minor,
            3750
        );
        // 24.99 USD at 25400 VND = 634,746 -> 635,000
        assert_eq!(
            rule(Currency::Vnd, "25400", "step:1000")
                .price(usd(2499), None)
                .unwrap()
                .minor,
            635_000
        );
        // 24.99 USD at 0.92 EUR = 22.9908 -> 22.99 -> ending 99 keeps 22.99
        assert_eq!(
            rule(Currency::Eur, "0.92", "ending:99")
                .price(usd(2499), None)
                .unwrap()
                .minor,
            2299
        );
        // 0.377 BHD per USD: 10.00 USD = 3.770 BHD, three decimals kept
        assert_eq!(
            rule(Currency::Bhd, "0.377", "none")
                .price(usd(1000), None)
                .unwrap()
                .minor,
            3770
        );
        // Half-up at the minor unit: 0.01 USD * 0.5 = 0.005 -> 0.01
        assert_eq!(
            rule(Currency::Eur, "0.5", "none")
                .price(usd(1), None)
                .unwrap()
                .minor,
            1
        );
    }

    #[test]
    fn fixed_override_wins_over_conversion() {
        let r = rule(Currency::Jpy, "150", "step:10");
        let p = r
            .price(Money::new(2499, Currency::Usd), Some(2980))
            .unwrap();
        assert_eq!(p, Money::new(2980, Currency::Jpy));
    }

    #[test]
    fn huge_prices_report_overflow_instead_of_wrapping() {
        let r = rule(Currency::Vnd, "25400", "none");
        assert_eq!(
            r.price(Money::new(i64::MAX, Currency::Usd), None),
            Err(PricingError::Overflow)
        );
    }
}

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

    /// A stored rate, which must be positive: a zero rate would give everything away.
    pub fn from_scaled(scaled: i64) -> Result<Self, PricingError> {
        if scaled > 0 {
            Ok(Self { scaled })
        } else {
            Err(PricingError::BadRate(scaled.to_string()))
        }
    }

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

/// How a converted price is tidied. Conversion itself is exact and rounds half-up to the
/// currency's minor unit; the rule then only ever rounds *up* from there, so tidying never
/// sells below the converted price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoundingRule {
    /// Up to the currency's minor unit only.
    None,
    /// Up to the next price that ends in these digits, as the merchant wrote them. In a
    /// currency with decimals they are the decimals, read left to right: `ending:99` is .99
    /// in euros and .990 in dinars, `ending:0` whole units. In a currency without decimals
    /// they are the last digits: `ending:80` gives ¥1,980.
    Ending { value: u32, digits: u8 },
    /// Up to a multiple of this many minor units: `Step(1000)` gives whole thousands of dong.
    Step(i64),
}

impl RoundingRule {
    /// Applies the rule to an amount already in the target currency's minor units.
    pub fn apply(self, minor: i64, currency: Currency) -> Result<i64, PricingError> {
        match self {
            Self::None => Ok(minor),
            Self::Step(step) => ceil_to(minor, step.max(1), 0),
            Self::Ending { value, digits } => {
                let (modulus, target) = self.ending_in(currency)?;
                debug_assert!(u32::from(digits) <= 18 && i64::from(value) < modulus);
                ceil_to(minor, modulus, target)
            }
        }
    }

    /// For `Ending`: the modulus and the remainder it asks for, in minor units.
    fn ending_in(self, currency: Currency) -> Result<(i64, i64), PricingError> {
        let Self::Ending { value, digits } = self else {
            return Ok((1, 0));
        };
        let exp = currency.exponent();
        let digits = u32::from(digits);
        if exp == 0 {
            Ok((10_i64.pow(digits), i64::from(value)))
        } else if digits <= exp {
            Ok((10_i64.pow(exp), i64::from(value) * 10_i64.pow(exp - digits)))
        } else {
            Err(PricingError::RoundingForCurrency(
                self.to_string(),
                currency,
            ))
        }
    }

    /// Whether the rule makes sense in `currency` (`ending:999` has no meaning in euros).
    pub fn check(self, currency: Currency) -> Result<(), PricingError> {
        self.ending_in(currency).map(|_| ())
    }
}

/// The smallest `k * step + target` that is ≥ `value`, without overflow.
fn ceil_to(value: i64, step: i64, target: i64) -> Result<i64, PricingError> {
    let below = value.checked_sub(target).ok_or(PricingError::Overflow)?;
    let rem = below.rem_euclid(step);
    if rem == 0 {
        return Ok(value);
    }
    value.checked_add(step - rem).ok_or(PricingError::Overflow)
}

impl fmt::Display for RoundingRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Ending { value, digits } => {
                write!(f, "ending:{value:0width$}", width = usize::from(*digits))
            }
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
            Some(("ending", n))
                if (1..=6).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Ok(Self::Ending {
                    value: n.parse().map_err(|_| bad())?,
                    digits: n.len() as u8,
                })
            }
            Some(("step", n)) => n
                .parse()
                .ok()
                .filter(|n| (1..=1_000_000_000_000).contains(n))
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
    /// A rounding rule that cannot apply to the market's currency.
    RoundingForCurrency(String, Currency),
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
            Self::RoundingForCurrency(rule, currency) => {
                write!(f, "`{rule}` asks for more decimals than {currency} has")
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
    /// otherwise convert exactly (i128, half-up to the minor unit) and round once, up.
    pub fn price(&self, base: Money, fixed: Option<i64>) -> Result<Money, PricingError> {
        if let Some(minor) = fixed {
            return Ok(Money::new(minor, self.currency));
        }
        if base.currency == self.currency && self.rate == ExchangeRate::IDENTITY {
            return Ok(Money::new(
                self.rounding.apply(base.minor, self.currency)?,
                self.currency,
            ));
        }
        if self.rate.scaled <= 0 {
            return Err(PricingError::BadRate(self.rate.to_string()));
        }
        let num = i128::from(base.minor)
            .checked_mul(i128::from(self.rate.scaled))
            .and_then(|n| n.checked_mul(i128::from(self.currency.minor_per_major())))
            .ok_or(PricingError::Overflow)?;
        let den = i128::from(ExchangeRate::SCALE) * i128::from(base.currency.minor_per_major());
        let converted = (num + den / 2).div_euclid(den);
        let converted = i64::try_from(converted).map_err(|_| PricingError::Overflow)?;
        Ok(Money::new(
            self.rounding.apply(converted, self.currency)?,
            self.currency,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        assert_eq!(
            "ending:09".parse::<RoundingRule>().unwrap().to_string(),
            "ending:09"
        );
        for bad in [
            "",
            "ending",
            "ending:-1",
            "ending:",
            "ending:+9",
            "step:0",
            "up:5",
        ] {
            assert!(bad.parse::<RoundingRule>().is_err(), "{bad}");
        }
    }

    fn ending(s: &str) -> RoundingRule {
        s.parse().unwrap()
    }

    #[test]
    fn ending_rounds_up_to_the_next_ending() {
        let r = ending("ending:99");
        assert_eq!(r.apply(1234, Currency::Eur), Ok(1299));
        assert_eq!(r.apply(1299, Currency::Eur), Ok(1299));
        assert_eq!(r.apply(1300, Currency::Eur), Ok(1399));
        assert_eq!(r.apply(0, Currency::Eur), Ok(99));
        assert_eq!(ending("ending:0").apply(1201, Currency::Eur), Ok(1300));
        assert_eq!(ending("ending:0").apply(1200, Currency::Eur), Ok(1200));
        assert_eq!(ending("ending:9").apply(1201, Currency::Eur), Ok(1290));
    }

    #[test]
    fn endings_read_as_the_merchant_wrote_them_in_every_currency() {
        // Three decimals: .99 means .990, not .099.
        assert_eq!(ending("ending:99").apply(3_771, Currency::Bhd), Ok(3_990));
        assert_eq!(ending("ending:0").apply(3_771, Currency::Kwd), Ok(4_000));
        // No decimals: the last digits of the whole amount (¥1,980 pricing).
        assert_eq!(ending("ending:80").apply(1_934, Currency::Jpy), Ok(1_980));
        assert_eq!(ending("ending:80").apply(1_990, Currency::Jpy), Ok(2_080));
        assert_eq!(ending("ending:99").apply(3_751, Currency::Jpy), Ok(3_799));
        // More decimals than the currency has is refused, not ignored.
        assert!(ending("ending:999").apply(100, Currency::Eur).is_err());
        assert!(ending("ending:999").check(Currency::Eur).is_err());
        assert!(ending("ending:999").check(Currency::Bhd).is_ok());
    }

    #[test]
    fn rounding_reports_overflow_instead_of_wrapping() {
        assert_eq!(
            ending("ending:99").apply(i64::MAX - 5, Currency::Eur),
            Err(PricingError::Overflow)
        );
        assert_eq!(
            RoundingRule::Step(1000).apply(i64::MAX, Currency::Vnd),
            Err(PricingError::Overflow)
        );
        assert_eq!(
            ending("ending:99").apply(i64::MIN, Currency::Eur),
            Err(PricingError::Overflow)
        );
    }

    #[test]
    fn step_rounds_up_to_a_multiple() {
        let r = RoundingRule::Step(1000);
        assert_eq!(r.apply(634_746, Currency::Vnd), Ok(635_000));
        assert_eq!(r.apply(635_000, Currency::Vnd), Ok(635_000));
        assert_eq!(r.apply(1, Currency::Vnd), Ok(1000));
        assert_eq!(r.apply(0, Currency::Vnd), Ok(0));
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
        let r = rule(Currency::Bhd, "9223372036", "none");
        assert_eq!(
            r.price(Money::new(i64::MAX, Currency::Usd), None),
            Err(PricingError::Overflow)
        );
        let zero = PriceRule {
            rate: ExchangeRate { scaled: 0 },
            ..r
        };
        assert!(zero.price(Money::new(100, Currency::Usd), None).is_err());
        assert!(ExchangeRate::from_scaled(0).is_err());
        assert!(ExchangeRate::from_scaled(-1).is_err());
    }

    proptest! {
        /// Any price, rate and rule: no panic, no wrap, and the rounded price is never below
        /// the exactly converted one (and within one rounding step of it).
        #[test]
        fn conversion_never_panics_and_never_rounds_down(
            base in any::<i64>(),
            scaled in 1_i64..=1_000_000_000_000_000,
            currency in prop::sample::select(Currency::ALL.to_vec()),
            rounding in prop_oneof![
                Just(RoundingRule::None),
                (0_u32..1000, 1_u8..=3).prop_map(|(v, d)| RoundingRule::Ending {
                    value: v % 10_u32.pow(u32::from(d)),
                    digits: d,
                }),
                (1_i64..=100_000).prop_map(RoundingRule::Step),
            ],
        ) {
            let exact = PriceRule { currency, rate: ExchangeRate { scaled }, rounding: RoundingRule::None };
            let tidy = PriceRule { rounding, ..exact };
            let base = Money::new(base, Currency::Usd);
            match (exact.price(base, None), tidy.price(base, None)) {
                (Ok(e), Ok(t)) => {
                    prop_assert!(t.minor >= e.minor);
                    prop_assert!(i128::from(t.minor) - i128::from(e.minor) < 1_000_000);
                }
                (_, Err(PricingError::RoundingForCurrency(..))) => {
                    prop_assert!(rounding.check(currency).is_err());
                }
                (Err(PricingError::Overflow), _) | (_, Err(PricingError::Overflow)) => {}
                (e, t) => prop_assert!(false, "unexpected {e:?} / {t:?}"),
            }
        }
    }
}

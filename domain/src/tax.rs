//! Sales taxes (VAT, GST, consumption tax, sales tax) by destination country and tax class,
//! and how a price splits into net and tax. The rates live in the `tax_rate` table so a
//! merchant can follow a change of law without a new release.

use crate::money::{Money, MoneyError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A tax rate in parts per million of the net price: 19 % is `190_000`, 8.875 % `88_750`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaxRate {
    pub ppm: u32,
}

/// Rates above 100 % are a typing error, not a tax.
const MAX_PPM: u32 = 1_000_000;

impl TaxRate {
    pub const ZERO: TaxRate = TaxRate { ppm: 0 };

    pub fn from_ppm(ppm: i64) -> Result<Self, TaxError> {
        u32::try_from(ppm)
            .ok()
            .filter(|p| *p <= MAX_PPM)
            .map(|ppm| Self { ppm })
            .ok_or(TaxError::BadRate(ppm.to_string()))
    }

    /// The tax contained in a tax-inclusive amount: `gross × r / (1 + r)`, half-up to the
    /// minor unit (away from zero, so a refund mirrors its sale).
    pub fn included_in(self, gross: Money) -> Result<Money, MoneyError> {
        let ppm = i128::from(self.ppm);
        share(gross, ppm, 1_000_000 + ppm)
    }

    /// The tax due on a net amount: `net × r`, half-up to the minor unit.
    pub fn on(self, net: Money) -> Result<Money, MoneyError> {
        share(net, i128::from(self.ppm), 1_000_000)
    }

    /// `net + tax`: what a tax-exclusive price costs with this rate.
    pub fn add_to(self, net: Money) -> Result<Money, MoneyError> {
        net.checked_add(self.on(net)?)
    }
}

/// `amount × num / den` rounded half away from zero, in `amount`'s currency.
fn share(amount: Money, num: i128, den: i128) -> Result<Money, MoneyError> {
    let exact = i128::from(amount.minor) * num;
    let half = den / 2;
    let rounded = if exact >= 0 {
        (exact + half) / den
    } else {
        (exact - half) / den
    };
    i64::try_from(rounded)
        .map(|minor| Money::new(minor, amount.currency))
        .map_err(|_| MoneyError::Overflow)
}

impl fmt::Display for TaxRate {
    /// As a percentage without trailing zeros: `19`, `5.5`, `8.875`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.ppm / 10_000;
        let frac = self.ppm % 10_000;
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let frac = format!("{frac:04}");
            write!(f, "{whole}.{}", frac.trim_end_matches('0'))
        }
    }
}

impl FromStr for TaxRate {
    type Err = TaxError;

    /// A percentage as written in law: `"19"`, `"5.5"`, `"8.875"` (at most four decimals).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || TaxError::BadRate(s.to_owned());
        let s = s.trim();
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty()
            || s.ends_with('.')
            || frac.len() > 4
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let int: i64 = int.parse().map_err(|_| bad())?;
        let frac: i64 = format!("{frac:0<4}").parse().map_err(|_| bad())?;
        let ppm = int
            .checked_mul(10_000)
            .and_then(|p| p.checked_add(frac))
            .ok_or_else(bad)?;
        Self::from_ppm(ppm).map_err(|_| bad())
    }
}

/// What kind of goods a product is, for its rate: books and food are taxed at reduced rates
/// in most countries. Stored as its code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaxClass {
    #[default]
    Standard,
    Reduced,
    /// Exempt or zero-rated everywhere (gift cards, for instance).
    Zero,
}

impl TaxClass {
    pub const ALL: [TaxClass; 3] = [Self::Standard, Self::Reduced, Self::Zero];

    pub fn code(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Reduced => "reduced",
            Self::Zero => "zero",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

crate::serde_as_code!(TaxClass, "a tax class", TaxClass::from_code);

/// In a tax-inclusive market, what happens to the price a shopper pays when the rate of
/// their country differs from the market's home country.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum GrossPolicy {
    /// Everyone pays the price shown; the tax inside it follows the destination (Shopify's
    /// default, and what most EU shops do: €44.99 in Germany and in France).
    #[default]
    SameEverywhere,
    /// The price is the home country's; elsewhere the net stays and the local rate is added
    /// (€44.99 with 19 % in Germany is €45.37 + rounding with 20 % in France).
    FollowRate,
}

impl GrossPolicy {
    pub fn code(self) -> &'static str {
        match self {
            Self::SameEverywhere => "same",
            Self::FollowRate => "follow-rate",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::SameEverywhere, Self::FollowRate]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaxError {
    BadRate(String),
}

impl fmt::Display for TaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadRate(s) => write!(f, "`{s}` is not a tax rate between 0 and 100 %"),
        }
    }
}

impl std::error::Error for TaxError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::Eur)
    }

    #[test]
    fn rates_parse_as_written_in_law() {
        assert_eq!("19".parse::<TaxRate>().unwrap().ppm, 190_000);
        assert_eq!("5.5".parse::<TaxRate>().unwrap().ppm, 55_000);
        assert_eq!("8.875".parse::<TaxRate>().unwrap().ppm, 88_750);
        for s in ["19", "5.5", "8.875", "0", "25.5"] {
            assert_eq!(s.parse::<TaxRate>().unwrap().to_string(), s);
        }
        for bad in ["", "-1", "101", "1e2", "5.12345", "x", "5."] {
            assert!(bad.parse::<TaxRate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn vat_inside_a_german_and_a_french_price() {
        // €44.99 incl. 19 %: 7.18 VAT, 37.81 net.
        let de: TaxRate = "19".parse().unwrap();
        assert_eq!(de.included_in(eur(4499)), Ok(eur(718)));
        // The same €44.99 incl. 20 %: 7.50 VAT.
        let fr: TaxRate = "20".parse().unwrap();
        assert_eq!(fr.included_in(eur(4499)), Ok(eur(750)));
        // 5.5 % reduced rate in France on €10.00: 0.52.
        assert_eq!(
            "5.5".parse::<TaxRate>().unwrap().included_in(eur(1000)),
            Ok(eur(52))
        );
    }

    #[test]
    fn tax_on_a_net_price_and_in_currencies_without_decimals() {
        let ca: TaxRate = "7.25".parse().unwrap();
        assert_eq!(ca.on(Money::new(2499, Currency::Usd)).unwrap().minor, 181);
        let jp: TaxRate = "10".parse().unwrap();
        assert_eq!(
            jp.included_in(Money::new(3750, Currency::Jpy))
                .unwrap()
                .minor,
            341
        );
        let bh: TaxRate = "10".parse().unwrap();
        assert_eq!(bh.on(Money::new(3_775, Currency::Bhd)).unwrap().minor, 378);
        // Refunds mirror sales.
        assert_eq!(
            jp.included_in(Money::new(-3750, Currency::Jpy))
                .unwrap()
                .minor,
            -341
        );
    }

    proptest! {
        /// Tax taken out of a gross amount and added back to the net gives the gross again,
        /// give or take one minor unit of rounding; nothing panics.
        #[test]
        fn inclusive_and_exclusive_agree(gross in 0_i64..1_000_000_000_000, ppm in 0_u32..=300_000) {
            let rate = TaxRate { ppm };
            let gross = eur(gross);
            let tax = rate.included_in(gross).unwrap();
            prop_assert!(tax.minor >= 0 && tax.minor <= gross.minor);
            let net = gross.checked_sub(tax).unwrap();
            let again = rate.add_to(net).unwrap();
            prop_assert!((again.minor - gross.minor).abs() <= 1);
        }
    }
}

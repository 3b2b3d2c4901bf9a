//! Money as integer minor units plus an ISO 4217 currency, and how a shopper reads it.
//!
//! Prices are never floats: a float cannot hold 0.10 exactly, and a store that sums
//! thousands of line items must agree with the payment provider to the last cent.

use crate::locale::Locale;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The currencies the store can sell in. Exponents follow ISO 4217 (JPY, VND and IDR
/// have none in practice, BHD/KWD three).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    Usd,
    Eur,
    Gbp,
    Jpy,
    Cny,
    Vnd,
    Idr,
    Brl,
    Mxn,
    Aed,
    Sar,
    Bhd,
    Kwd,
}

impl Currency {
    pub const ALL: [Currency; 13] = [
        Self::Usd,
        Self::Eur,
        Self::Gbp,
        Self::Jpy,
        Self::Cny,
        Self::Vnd,
        Self::Idr,
        Self::Brl,
        Self::Mxn,
        Self::Aed,
        Self::Sar,
        Self::Bhd,
        Self::Kwd,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Usd => "USD",
            Self::Eur => "EUR",
            Self::Gbp => "GBP",
            Self::Jpy => "JPY",
            Self::Cny => "CNY",
            Self::Vnd => "VND",
            Self::Idr => "IDR",
            Self::Brl => "BRL",
            Self::Mxn => "MXN",
            Self::Aed => "AED",
            Self::Sar => "SAR",
            Self::Bhd => "BHD",
            Self::Kwd => "KWD",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code))
    }

    /// Digits after the decimal point of the currency's minor unit.
    ///
    /// IDR formally has 2 but no coin below 1 rupiah circulates and every shop prices in
    /// whole rupiah, as card networks and Stripe treat it; we do the same.
    pub fn exponent(self) -> u32 {
        match self {
            Self::Jpy | Self::Vnd | Self::Idr => 0,
            Self::Bhd | Self::Kwd => 3,
            _ => 2,
        }
    }

    /// 10^exponent: how many minor units make one major unit.
    pub fn minor_per_major(self) -> i64 {
        10_i64.pow(self.exponent())
    }

    /// The symbol a shopper of `locale` expects. Dollars are ambiguous outside the US, so
    /// they carry a prefix there, as CLDR does.
    fn symbol(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Self::Usd, Locale::En) => "$",
            (Self::Usd, _) => "US$",
            (Self::Eur, _) => "€",
            (Self::Gbp, _) => "£",
            (Self::Jpy, Locale::Ja) => "￥",
            (Self::Jpy, _) => "¥",
            (Self::Cny, Locale::ZhCn) => "¥",
            (Self::Cny, _) => "CN¥",
            (Self::Vnd, _) => "₫",
            (Self::Idr, _) => "Rp",
            (Self::Brl, _) => "R$",
            (Self::Mxn, Locale::Es) => "MX$",
            (Self::Mxn, _) => "MX$",
            (Self::Aed, Locale::Ar) => "د.إ.\u{200f}",
            (Self::Aed, _) => "AED",
            (Self::Sar, Locale::Ar) => "ر.س.\u{200f}",
            (Self::Sar, _) => "SAR",
            (Self::Bhd, Locale::Ar) => "د.ب.\u{200f}",
            (Self::Bhd, _) => "BHD",
            (Self::Kwd, Locale::Ar) => "د.ك.\u{200f}",
            (Self::Kwd, _) => "KWD",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount in a currency's minor unit (cents, yen, fils).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// The amount as a plain decimal string with a dot, e.g. `"12.99"` or `"1500"`:
    /// what schema.org `price` and payment APIs want.
    pub fn decimal(&self) -> String {
        let exp = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exp == 0 {
            return format!("{sign}{abs}");
        }
        let unit = 10_u64.pow(exp);
        format!(
            "{sign}{}.{:0width$}",
            abs / unit,
            abs % unit,
            width = exp as usize
        )
    }

    /// The amount as a shopper of `locale` reads it: symbol, grouping and decimal mark.
    pub fn format(&self, locale: Locale) -> String {
        let style = NumberStyle::of(locale);
        let exp = self.currency.exponent();
        let abs = self.minor.unsigned_abs();
        let unit = 10_u64.pow(exp);
        let mut number = group(abs / unit, style.group);
        if exp > 0 {
            number.push(style.decimal);
            number.push_str(&format!("{:0width$}", abs % unit, width = exp as usize));
        }
        let sign = if self.minor < 0 { "-" } else { "" };
        let symbol = self.currency.symbol(locale);
        if style.symbol_after {
            format!("{sign}{number}\u{a0}{symbol}")
        } else if symbol.chars().all(|c| c.is_ascii_alphabetic())
            || symbol.ends_with('$') && symbol.len() > 1
        {
            // Letter codes and multi-letter dollar prefixes read better with a space.
            format!("{sign}{symbol}\u{a0}{number}")
        } else {
            format!("{sign}{symbol}{number}")
        }
    }
}

/// Separators and symbol position per locale (CLDR's common patterns).
struct NumberStyle {
    decimal: char,
    group: char,
    symbol_after: bool,
}

impl NumberStyle {
    fn of(locale: Locale) -> Self {
        match locale {
            Locale::En | Locale::ZhCn | Locale::Ja => Self {
                decimal: '.',
                group: ',',
                symbol_after: false,
            },
            Locale::PtBr | Locale::Id => Self {
                decimal: ',',
                group: '.',
                symbol_after: false,
            },
            Locale::De | Locale::Es | Locale::Vi => Self {
                decimal: ',',
                group: '.',
                symbol_after: true,
            },
            Locale::Fr => Self {
                decimal: ',',
                group: '\u{202f}',
                symbol_after: true,
            },
            Locale::Ar => Self {
                decimal: '.',
                group: ',',
                symbol_after: true,
            },
        }
    }
}

fn group(mut n: u64, sep: char) -> String {
    let mut parts = Vec::new();
    loop {
        if n < 1000 {
            parts.push(n.to_string());
            break;
        }
        parts.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join(&sep.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(Currency::Jpy.exponent(), 0);
        assert_eq!(Currency::Vnd.exponent(), 0);
        assert_eq!(Currency::Bhd.exponent(), 3);
        assert_eq!(Currency::Usd.exponent(), 2);
    }

    #[test]
    fn decimal_is_dot_separated_and_exact() {
        assert_eq!(Money::new(1299, Currency::Usd).decimal(), "12.99");
        assert_eq!(Money::new(5, Currency::Usd).decimal(), "0.05");
        assert_eq!(Money::new(-5, Currency::Eur).decimal(), "-0.05");
        assert_eq!(Money::new(1500, Currency::Jpy).decimal(), "1500");
        assert_eq!(Money::new(1_234, Currency::Bhd).decimal(), "1.234");
    }

    #[test]
    fn formats_as_shoppers_read_it() {
        assert_eq!(
            Money::new(123_456, Currency::Usd).format(Locale::En),
            "$1,234.56"
        );
        assert_eq!(
            Money::new(2299, Currency::Eur).format(Locale::De),
            "22,99\u{a0}€"
        );
        assert_eq!(
            Money::new(123_456, Currency::Eur).format(Locale::Fr),
            "1\u{202f}234,56\u{a0}€"
        );
        assert_eq!(
            Money::new(3750, Currency::Jpy).format(Locale::Ja),
            "￥3,750"
        );
        assert_eq!(
            Money::new(635_000, Currency::Vnd).format(Locale::Vi),
            "635.000\u{a0}₫"
        );
        assert_eq!(
            Money::new(405_000, Currency::Idr).format(Locale::Id),
            "Rp\u{a0}405.000"
        );
        assert_eq!(
            Money::new(13_990, Currency::Brl).format(Locale::PtBr),
            "R$\u{a0}139,90"
        );
        assert_eq!(
            Money::new(1299, Currency::Usd).format(Locale::Fr),
            "12,99\u{a0}US$"
        );
        assert_eq!(Money::new(0, Currency::Usd).format(Locale::En), "$0.00");
    }
}

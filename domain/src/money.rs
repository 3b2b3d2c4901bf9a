//! Money as integer minor units plus an ISO 4217 currency, and how a shopper reads it.
//!
//! Prices are never floats: a float cannot hold 0.10 exactly, and a store that sums
//! thousands of line items must agree with the payment provider to the last cent.

use crate::locale::Locale;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The currencies the store can sell in. Exponents follow ISO 4217 (JPY, VND and IDR
/// have none in practice, BHD/KWD three). Stored and sent as its ISO code, never as its
/// place in this list, so reordering the list cannot corrupt a search index or a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
}

crate::serde_as_code!(Currency, "an ISO 4217 currency code", Currency::from_code);

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

    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// The amount written `s` as `decimal` writes it (`"135"`, `"12.5"`, `"1500"`): digits,
    /// a dot, no more decimals than the currency has, not negative. `None` otherwise.
    pub fn parse_decimal(s: &str, currency: Currency) -> Option<Money> {
        let s = s.trim();
        let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
        let exp = currency.exponent() as usize;
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        let dotted = whole.len() < s.len();
        if !digits(whole) || (dotted && !digits(fraction)) || fraction.len() > exp {
            return None;
        }
        let padded = format!("{whole}{fraction:0<exp$}");
        padded
            .parse::<i64>()
            .ok()
            .map(|minor| Money::new(minor, currency))
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::new(minor, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::new(minor, self.currency))
    }

    /// The price of `quantity` units.
    pub fn checked_mul(self, quantity: i64) -> Result<Money, MoneyError> {
        let minor = self
            .minor
            .checked_mul(quantity)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::new(minor, self.currency))
    }

    /// Orders two amounts; amounts in different currencies have no order.
    pub fn checked_cmp(self, other: Money) -> Result<std::cmp::Ordering, MoneyError> {
        self.same_currency(other)?;
        Ok(self.minor.cmp(&other.minor))
    }

    /// The sum of `amounts`, all in `currency` (zero when there are none).
    pub fn sum(
        currency: Currency,
        amounts: impl IntoIterator<Item = Money>,
    ) -> Result<Money, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Self::zero(currency), Money::checked_add)
    }

    /// Splits this amount over shares in proportion to `weights` (e.g. a discount over the
    /// lines it applies to, by line total), exact to the minor unit: the parts always add up
    /// to the whole. Each part gets its rounded-down share; the minor units left over go one
    /// each to the parts with the largest remainders (ties: the earlier part).
    pub fn allocate(self, weights: &[i64]) -> Result<Vec<Money>, MoneyError> {
        if weights.iter().any(|w| *w < 0) {
            return Err(MoneyError::NegativeWeight);
        }
        if weights.is_empty() {
            // Money cannot vanish into no parts.
            return Err(MoneyError::NoShares);
        }
        let mut total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        let even = vec![1; weights.len()];
        let weights = if total == 0 {
            // Nothing to weigh by: share evenly.
            total = even.len() as i128;
            &even[..]
        } else {
            weights
        };
        let whole = i128::from(self.minor);
        let mut parts = Vec::with_capacity(weights.len());
        let mut remainders = Vec::with_capacity(weights.len());
        for (i, w) in weights.iter().enumerate() {
            let exact = whole * i128::from(*w);
            parts.push(exact.div_euclid(total));
            remainders.push((exact.rem_euclid(total), i));
        }
        let mut left = whole - parts.iter().sum::<i128>();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders {
            if left == 0 {
                break;
            }
            parts[i] += 1;
            left -= 1;
        }
        parts
            .into_iter()
            .map(|p| {
                i64::try_from(p)
                    .map(|minor| Money::new(minor, self.currency))
                    .map_err(|_| MoneyError::Overflow)
            })
            .collect()
    }

    /// The amount as a shopper reads it in `style` (CLDR's pattern, symbol and separators
    /// for that language in that country).
    pub fn format(&self, style: MoneyStyle) -> String {
        let s = style.shape();
        let exp = self.currency.exponent();
        let abs = self.minor.unsigned_abs();
        let unit = 10_u64.pow(exp);
        let int = abs / unit;
        let mut number = if int < 10_000 && s.min_grouping == 2 {
            int.to_string()
        } else {
            group(int, s.group)
        };
        if exp > 0 {
            number.push(s.decimal);
            number.push_str(&format!("{:0width$}", abs % unit, width = exp as usize));
        }
        if s.arabic_digits {
            number = number
                .chars()
                .map(|c| match c.to_digit(10) {
                    Some(d) => char::from_u32(0x0660 + d).unwrap_or(c),
                    None => c,
                })
                .collect();
        }
        let sign = if self.minor < 0 { "-" } else { "" };
        let symbol = style.symbol(self.currency);
        match s.pattern {
            Pattern::Before => {
                // CLDR's currency spacing: a symbol ending in a letter ("Rp", "USD", "元")
                // is kept apart from the digits; "$" or "R$" touch them.
                let gap = if symbol.chars().last().is_some_and(char::is_alphabetic) {
                    "\u{a0}"
                } else {
                    ""
                };
                format!("{sign}{symbol}{gap}{number}")
            }
            Pattern::BeforeSpaced => format!("{sign}{symbol}\u{a0}{number}"),
            Pattern::After => format!("{sign}{number}\u{a0}{symbol}"),
            Pattern::AfterRtl => {
                // Right-to-left marks keep the amount in place inside Arabic text; a sign
                // needs a left-to-right mark to stay before its digits.
                let sign = if sign.is_empty() { "" } else { "\u{200e}-" };
                let closing = if symbol.chars().any(|c| ('\u{600}'..='\u{6ff}').contains(&c)) {
                    "\u{200f}"
                } else {
                    ""
                };
                format!("\u{200f}{sign}{number}\u{a0}{symbol}{closing}")
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoneyError {
    /// Amounts in two currencies were added or compared.
    CurrencyMismatch(Currency, Currency),
    /// The result does not fit the minor-unit integer.
    Overflow,
    /// An allocation weight was negative.
    NegativeWeight,
    /// An amount was to be allocated over no parts.
    NoShares,
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CurrencyMismatch(a, b) => write!(f, "cannot combine {a} with {b}"),
            Self::Overflow => f.write_str("the amount is too large"),
            Self::NegativeWeight => f.write_str("an allocation weight is negative"),
            Self::NoShares => f.write_str("nothing to allocate to"),
        }
    }
}

impl std::error::Error for MoneyError {}

/// A language as written in one country: CLDR keys number and currency formats by both, so
/// Spanish in Mexico writes `$888.00` where Spanish in Spain writes `888,00 €`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MoneyStyle {
    EnUs,
    EnGb,
    ZhCn,
    EsMx,
    EsEs,
    PtBr,
    DeDe,
    FrFr,
    JaJp,
    ArAe,
    ViVn,
    IdId,
}

enum Pattern {
    /// `¤#,##0.00`: symbol first, spaced only when it ends in a letter.
    Before,
    /// `¤ #,##0.00`
    BeforeSpaced,
    /// `#,##0.00 ¤`
    After,
    /// `‏#,##0.00 ¤` in right-to-left text.
    AfterRtl,
}

struct Shape {
    decimal: char,
    group: char,
    /// CLDR's minimum grouping digits: 2 means 1234 stays ungrouped but 12.345 does not.
    min_grouping: u8,
    arabic_digits: bool,
    pattern: Pattern,
}

impl MoneyStyle {
    pub const ALL: [MoneyStyle; 12] = [
        Self::EnUs,
        Self::EnGb,
        Self::ZhCn,
        Self::EsMx,
        Self::EsEs,
        Self::PtBr,
        Self::DeDe,
        Self::FrFr,
        Self::JaJp,
        Self::ArAe,
        Self::ViVn,
        Self::IdId,
    ];

    /// The BCP 47 tag CLDR files this style under.
    pub fn tag(self) -> &'static str {
        match self {
            Self::EnUs => "en-US",
            Self::EnGb => "en-GB",
            Self::ZhCn => "zh-CN",
            Self::EsMx => "es-MX",
            Self::EsEs => "es-ES",
            Self::PtBr => "pt-BR",
            Self::DeDe => "de-DE",
            Self::FrFr => "fr-FR",
            Self::JaJp => "ja-JP",
            Self::ArAe => "ar-AE",
            Self::ViVn => "vi-VN",
            Self::IdId => "id-ID",
        }
    }

    /// How a shopper reading `locale` and shipping to `country` (ISO 3166 alpha-2) expects
    /// amounts written: the language as written in that country when the store knows it
    /// (Spanish in Spain, English in the UK), else as written in the language's home market
    /// (Spanish: Mexico, Arabic: the Emirates).
    pub fn of(locale: Locale, country: &str) -> Self {
        match (locale, country) {
            (Locale::En, "GB") => Self::EnGb,
            (Locale::Es, "ES") => Self::EsEs,
            (Locale::En, _) => Self::EnUs,
            (Locale::ZhCn, _) => Self::ZhCn,
            (Locale::Es, _) => Self::EsMx,
            (Locale::PtBr, _) => Self::PtBr,
            (Locale::De, _) => Self::DeDe,
            (Locale::Fr, _) => Self::FrFr,
            (Locale::Ja, _) => Self::JaJp,
            (Locale::Ar, _) => Self::ArAe,
            (Locale::Vi, _) => Self::ViVn,
            (Locale::Id, _) => Self::IdId,
        }
    }

    /// The decimal mark of this style, for numbers other than amounts (tax rates).
    pub fn decimal_mark(self) -> &'static str {
        if self.shape().decimal == ',' {
            ","
        } else {
            "."
        }
    }

    fn shape(self) -> Shape {
        let (decimal, group, pattern) = match self {
            Self::EnUs | Self::EnGb | Self::ZhCn | Self::EsMx | Self::JaJp => {
                ('.', ',', Pattern::Before)
            }
            Self::IdId => (',', '.', Pattern::Before),
            Self::PtBr => (',', '.', Pattern::BeforeSpaced),
            Self::EsEs | Self::DeDe | Self::ViVn => (',', '.', Pattern::After),
            Self::FrFr => (',', '\u{202f}', Pattern::After),
            Self::ArAe => ('.', ',', Pattern::AfterRtl),
        };
        Shape {
            decimal,
            group,
            min_grouping: if self == Self::EsEs { 2 } else { 1 },
            arabic_digits: false,
            pattern,
        }
    }

    /// The currency's symbol in this style (CLDR): local currencies get their short
    /// symbol, foreign dollars and yen a prefix that tells them apart, the rest often the
    /// ISO code.
    fn symbol(self, currency: Currency) -> &'static str {
        use Currency::*;
        use MoneyStyle::*;
        match (self, currency) {
            (EsMx, Mxn) => "$",
            (EsMx, c) => c.code(),
            (EnUs | JaJp | DeDe, Usd) => "$",
            (FrFr, Usd) => "$US",
            (_, Usd) => "US$",
            (_, Eur) => "€",
            (FrFr, Gbp) => "£GB",
            (ArAe, Gbp) => "UK£",
            (EsEs, Gbp) => "GBP",
            (_, Gbp) => "£",
            (JaJp, Jpy) => "￥",
            (EnUs | DeDe | ViVn, Jpy) => "¥",
            (FrFr | EsEs, Jpy) => "JPY",
            (_, Jpy) => "JP¥",
            (ZhCn, Cny) => "¥",
            (JaJp, Cny) => "元",
            (FrFr | EsEs, Cny) => "CNY",
            (_, Cny) => "CN¥",
            (_, Vnd) => "₫",
            (IdId, Idr) => "Rp",
            (_, Idr) => "IDR",
            (EsEs, Brl) => "BRL",
            (_, Brl) => "R$",
            (FrFr, Mxn) => "$MX",
            (EsEs, Mxn) => "MXN",
            (_, Mxn) => "MX$",
            (ArAe, Aed) => "د.إ.",
            (ArAe, Sar) => "ر.س.",
            (ArAe, Bhd) => "د.ب.",
            (ArAe, Kwd) => "د.ك.",
            (_, c) => c.code(),
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
    fn decimals_parse_to_minor_units() {
        let parse = |s: &str, c| Money::parse_decimal(s, c).map(|m| m.minor);
        assert_eq!(parse("135", Currency::Gbp), Some(13_500));
        assert_eq!(parse(" 12.5 ", Currency::Eur), Some(1250));
        assert_eq!(parse("0.125", Currency::Bhd), Some(125));
        assert_eq!(parse("10000", Currency::Jpy), Some(10_000));
        for bad in [
            "",
            "-5",
            "1.234",
            "1,5",
            "1.",
            ".5",
            "1e3",
            "99999999999999999999",
        ] {
            assert_eq!(parse(bad, Currency::Eur), None, "{bad}");
        }
        assert_eq!(parse("100.5", Currency::Jpy), None);
    }

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

    /// Every style × currency × amount against what CLDR itself writes (the file is made by
    /// `scripts/cldr-money.mjs` from Node's ICU).
    #[test]
    fn formats_as_cldr_does_for_every_style_and_currency() {
        let mut checked = 0;
        for line in include_str!("../tests/data/cldr_money.tsv").lines() {
            if line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let [tag, code, minor, expected] = cols[..] else {
                panic!("bad line {line:?}");
            };
            let style = MoneyStyle::ALL
                .into_iter()
                .find(|s| s.tag() == tag)
                .unwrap();
            let money = Money::new(minor.parse().unwrap(), Currency::from_code(code).unwrap());
            assert_eq!(money.format(style), expected, "{tag} {code} {minor}");
            checked += 1;
        }
        assert_eq!(checked, MoneyStyle::ALL.len() * Currency::ALL.len() * 7);
    }

    #[test]
    fn spanish_follows_the_country() {
        let mxn = Money::new(88_800, Currency::Mxn);
        assert_eq!(mxn.format(MoneyStyle::of(Locale::Es, "MX")), "$888.00");
        let eur = Money::new(88_800, Currency::Eur);
        assert_eq!(
            eur.format(MoneyStyle::of(Locale::Es, "ES")),
            "888,00\u{a0}€"
        );
        assert_eq!(MoneyStyle::of(Locale::Es, "US"), MoneyStyle::EsMx);
        assert_eq!(MoneyStyle::of(Locale::En, "GB"), MoneyStyle::EnGb);
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies_and_overflow() {
        let eur = Money::new(100, Currency::Eur);
        let usd = Money::new(100, Currency::Usd);
        assert_eq!(
            eur.checked_add(usd),
            Err(MoneyError::CurrencyMismatch(Currency::Eur, Currency::Usd))
        );
        assert!(eur.checked_cmp(usd).is_err());
        assert_eq!(
            Money::new(i64::MAX, Currency::Eur).checked_add(eur),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::new(i64::MAX, Currency::Eur).checked_mul(2),
            Err(MoneyError::Overflow)
        );
        assert_eq!(eur.checked_mul(3).unwrap().minor, 300);
        assert_eq!(
            Money::sum(Currency::Eur, [eur, eur]).unwrap(),
            Money::new(200, Currency::Eur)
        );
    }

    #[test]
    fn allocation_is_exact_to_the_minor_unit() {
        let ten = Money::new(1000, Currency::Eur);
        let parts: Vec<i64> = ten
            .allocate(&[1, 1, 1])
            .unwrap()
            .iter()
            .map(|m| m.minor)
            .collect();
        assert_eq!(parts, [334, 333, 333]);
        let parts: Vec<i64> = Money::new(-1000, Currency::Eur)
            .allocate(&[1, 1, 1])
            .unwrap()
            .iter()
            .map(|m| m.minor)
            .collect();
        assert_eq!(parts.iter().sum::<i64>(), -1000);
        let parts: Vec<i64> = Money::new(7, Currency::Jpy)
            .allocate(&[0, 0])
            .unwrap()
            .iter()
            .map(|m| m.minor)
            .collect();
        assert_eq!(parts, [4, 3]);
        assert_eq!(ten.allocate(&[]), Err(MoneyError::NoShares));
        assert!(ten.allocate(&[-1, 2]).is_err());
    }

    proptest::proptest! {
        /// Any amount over any weights: the parts add up to the whole, exactly, and each
        /// part is within one minor unit of its exact share.
        #[test]
        fn allocation_always_adds_up(
            minor in -1_000_000_000_000_i64..1_000_000_000_000,
            weights in proptest::collection::vec(0_i64..1_000_000_000, 1..20),
        ) {
            let parts = Money::new(minor, Currency::Eur).allocate(&weights).unwrap();
            proptest::prop_assert_eq!(parts.len(), weights.len());
            proptest::prop_assert_eq!(parts.iter().map(|p| i128::from(p.minor)).sum::<i128>(), i128::from(minor));
            let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            if total > 0 {
                for (p, w) in parts.iter().zip(&weights) {
                    let exact = i128::from(minor) * i128::from(*w);
                    let got = i128::from(p.minor) * total;
                    proptest::prop_assert!((got - exact).abs() < total);
                }
            }
        }
    }
}

//! Contact and delivery address: what each country requires and how its postcodes and
//! phone numbers are written. Pure rules, no database; the checkout form keeps whatever
//! the shopper typed and shows these errors beside it.

use serde::{Deserialize, Serialize};

/// The checkout form as the shopper last submitted it: kept as typed (any script), so a
/// refused form comes back with everything still in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub email: String,
    /// Marketing email: unticked unless the shopper ticks it.
    pub consent: bool,
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    /// State, province, prefecture or emirate.
    pub region: String,
    pub postcode: String,
    pub country: String,
    pub phone: String,
    /// The chosen shipping rate's code.
    pub shipping: String,
    /// The chosen payment method.
    pub payment: String,
    /// A discount code, as typed.
    pub code: String,
    /// Whether the form was submitted at least once (errors show only after that).
    pub submitted: bool,
}

/// A field the shopper must correct, and why (`checkout-error-<code>` in the locale files).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
}

impl FieldError {
    fn new(field: &str, code: &str) -> Self {
        Self {
            field: field.to_owned(),
            code: code.to_owned(),
        }
    }
}

/// Every reason a field can be refused for (`checkout-error-<code>`), the shipping and
/// payment choices' included.
pub const ERROR_CODES: [&str; 17] = [
    "required",
    "email",
    "too-long",
    "country",
    "region",
    "postcode",
    "phone",
    "shipping",
    "no-shipping",
    "payment",
    "code-unknown",
    "code-not-yet",
    "code-expired",
    "code-market",
    "code-used-up",
    "code-used",
    "code-minimum",
];

/// The longest text a field takes (the email's limit is RFC 5321's).
const MAX_FIELD: usize = 200;
const MAX_EMAIL: usize = 254;

/// Checks the contact and address fields for delivery to the draft's country, returning the
/// normalized draft (postcode and phone in their standard form) or every error at once.
/// `ships_to` says whether the shopper's market delivers there.
pub fn validate(draft: &Draft, ships_to: impl Fn(&str) -> bool) -> (Draft, Vec<FieldError>) {
    let mut d = draft.clone();
    for s in [
        &mut d.email,
        &mut d.name,
        &mut d.line1,
        &mut d.line2,
        &mut d.city,
        &mut d.region,
        &mut d.postcode,
        &mut d.phone,
    ] {
        *s = s.trim().to_owned();
    }
    d.country = d.country.trim().to_ascii_uppercase();
    let mut errors = Vec::new();
    if !is_email(&d.email) {
        errors.push(FieldError::new("email", "email"));
    }
    for (field, value, required) in [
        ("name", &d.name, true),
        ("line1", &d.line1, true),
        ("line2", &d.line2, false),
        ("city", &d.city, true),
    ] {
        if required && value.is_empty() {
            errors.push(FieldError::new(field, "required"));
        } else if value.chars().count() > MAX_FIELD {
            errors.push(FieldError::new(field, "too-long"));
        }
    }
    if !ships_to(&d.country) {
        errors.push(FieldError::new("country", "country"));
        return (d, errors);
    }
    let rules = rules(&d.country);
    match region(&d.country, &d.region, rules.region) {
        Ok(r) => d.region = r,
        Err(code) => errors.push(FieldError::new("region", code)),
    }
    match postcode(&d.country, &d.postcode) {
        Ok(p) => d.postcode = p,
        Err(code) => errors.push(FieldError::new("postcode", code)),
    }
    match phone(&d.phone, rules.calling_code) {
        Ok(p) => d.phone = p,
        Err(code) => errors.push(FieldError::new("phone", code)),
    }
    (d, errors)
}

/// A plausible address: one `@`, something before it, a dotted domain after, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    s.len() <= MAX_EMAIL
        && !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// What a country asks of an address besides the basics.
#[derive(Clone, Copy, Debug)]
struct Rules {
    /// The international calling code, without `+`.
    calling_code: &'static str,
    region: RegionRule,
}

#[derive(Clone, Copy, Debug)]
enum RegionRule {
    None,
    /// Required, any text (a Japanese prefecture, a Mexican state).
    Required,
    /// Required, one of these codes (US states, Brazilian states, emirates).
    OneOf(&'static [&'static str]),
}

const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP",
];
const BR_STATES: &[&str] = &[
    "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB", "PR",
    "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
];
/// ISO 3166-2:AE subdivision codes.
const EMIRATES: &[&str] = &["AZ", "AJ", "FU", "SH", "DU", "RK", "UQ"];

/// The regions a country's form offers as a list (code, ISO 3166-2), if it has one.
pub fn region_codes(country: &str) -> Option<&'static [&'static str]> {
    match rules(country).region {
        RegionRule::OneOf(codes) => Some(codes),
        _ => None,
    }
}

fn rules(country: &str) -> Rules {
    let (calling_code, region) = match country {
        "US" => ("1", RegionRule::OneOf(US_STATES)),
        "BR" => ("55", RegionRule::OneOf(BR_STATES)),
        "AE" => ("971", RegionRule::OneOf(EMIRATES)),
        "MX" => ("52", RegionRule::Required),
        "JP" => ("81", RegionRule::Required),
        _ => (calling_code(country), RegionRule::None),
    };
    Rules {
        calling_code,
        region,
    }
}

fn calling_code(country: &str) -> &'static str {
    match country {
        "GB" => "44",
        "CN" => "86",
        "VN" => "84",
        "ID" => "62",
        "AT" => "43",
        "BE" => "32",
        "BG" => "359",
        "CY" => "357",
        "CZ" => "420",
        "DE" => "49",
        "DK" => "45",
        "EE" => "372",
        "ES" => "34",
        "FI" => "358",
        "FR" => "33",
        "GR" => "30",
        "HR" => "385",
        "HU" => "36",
        "IE" => "353",
        "IT" => "39",
        "LT" => "370",
        "LU" => "352",
        "LV" => "371",
        "MT" => "356",
        "NL" => "31",
        "PL" => "48",
        "PT" => "351",
        "RO" => "40",
        "SE" => "46",
        "SI" => "386",
        "SK" => "421",
        _ => "",
    }
}

fn region(country: &str, value: &str, rule: RegionRule) -> Result<String, &'static str> {
    match rule {
        RegionRule::None => Ok(value.to_owned()),
        RegionRule::Required if value.is_empty() => Err("required"),
        RegionRule::Required if value.chars().count() > MAX_FIELD => Err("too-long"),
        RegionRule::Required => Ok(value.to_owned()),
        RegionRule::OneOf(_) if value.is_empty() => Err("required"),
        RegionRule::OneOf(codes) => {
            // `US-CA` and `ca` are both California.
            let code = value.to_ascii_uppercase();
            let code = code
                .strip_prefix(&format!("{country}-"))
                .unwrap_or(&code)
                .to_owned();
            if codes.contains(&code.as_str()) {
                Ok(code)
            } else {
                Err("region")
            }
        }
    }
}

/// Full-width digits and letters (typed with a Japanese or Chinese input method) as ASCII.
fn narrow(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            'ー' | '－' | '‐' | '−' => '-',
            '　' => ' ',
            c => c,
        })
        .collect()
}

/// Whether `s` has the shape of `pattern`: `9` a digit, `A` a letter, anything else itself.
fn shaped(s: &str, pattern: &str) -> bool {
    s.len() == pattern.len()
        && s.bytes().zip(pattern.bytes()).all(|(c, p)| match p {
            b'9' => c.is_ascii_digit(),
            b'A' => c.is_ascii_uppercase(),
            p => c == p,
        })
}

/// The postcode in its standard form, or why it is refused (`required`, `postcode`).
/// Countries without postcodes (the Emirates) take none.
pub fn postcode(country: &str, raw: &str) -> Result<String, &'static str> {
    let s = narrow(raw)
        .trim()
        .trim_start_matches('〒')
        .trim()
        .to_ascii_uppercase();
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let all_digits = |n: usize| digits.len() == n && digits.bytes().all(|b| b.is_ascii_digit());
    if country == "AE" {
        return Ok(String::new());
    }
    if s.is_empty() {
        return Err("required");
    }
    let ok = match country {
        "US" => {
            let five = shaped(&s, "99999") || shaped(&s, "99999-9999");
            return if five { Ok(s) } else { Err("postcode") };
        }
        // 〒123-4567
        "JP" if all_digits(7) => return Ok(format!("{}-{}", &digits[..3], &digits[3..])),
        // CEP 12345-678
        "BR" if all_digits(8) => return Ok(format!("{}-{}", &digits[..5], &digits[5..])),
        // 1234 AB
        "NL" if digits.len() == 6 && shaped(&digits, "9999AA") => {
            return Ok(format!("{} {}", &digits[..4], &digits[4..]));
        }
        "JP" | "BR" | "NL" => false,
        "GB" => {
            let compact: String = s.chars().filter(|c| *c != ' ').collect();
            let ok = ["A99AA", "A999AA", "AA99AA", "AA999AA", "A9A9AA", "AA9A9AA"]
                .iter()
                .any(|p| shaped(&compact, p));
            return if ok {
                let (outward, inward) = compact.split_at(compact.len() - 3);
                Ok(format!("{outward} {inward}"))
            } else {
                Err("postcode")
            };
        }
        "DE" | "FR" | "ES" | "IT" | "FI" | "HR" | "EE" | "LT" | "MX" | "ID" => all_digits(5),
        "VN" => all_digits(5) || all_digits(6),
        "CN" | "RO" => all_digits(6),
        "AT" | "BE" | "BG" | "CY" | "DK" | "HU" | "LU" | "SI" => all_digits(4),
        "CZ" | "SK" | "GR" | "SE" => {
            return if all_digits(5) {
                Ok(format!("{} {}", &digits[..3], &digits[3..]))
            } else {
                Err("postcode")
            };
        }
        "PL" => {
            return if all_digits(5) {
                Ok(format!("{}-{}", &digits[..2], &digits[2..]))
            } else {
                Err("postcode")
            };
        }
        "PT" => {
            return if all_digits(7) {
                Ok(format!("{}-{}", &digits[..4], &digits[4..]))
            } else {
                Err("postcode")
            };
        }
        // Ireland's Eircode, Latvia's LV-1234, Malta's ABC 1234 and anything else: letters,
        // digits, spaces and dashes, 3 to 10 of them.
        _ => {
            (3..=10).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
        }
    };
    if ok { Ok(s) } else { Err("postcode") }
}

/// The phone number in international form (`+81 90…` without spaces): a number written
/// nationally gets the country's calling code, its trunk 0 dropped. 7 to 15 digits (E.164).
pub fn phone(raw: &str, calling_code: &str) -> Result<String, &'static str> {
    let s = narrow(raw);
    if s.trim().is_empty() {
        return Err("required");
    }
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.' | '+');
    if !s.trim().chars().all(allowed) || s.trim().rfind('+').is_some_and(|i| i > 0) {
        return Err("phone");
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let international = if s.trim().starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else if calling_code.is_empty() {
        return Err("phone");
    } else {
        format!("{calling_code}{}", digits.trim_start_matches('0'))
    };
    if (7..=15).contains(&international.len()) {
        Ok(format!("+{international}"))
    } else {
        Err("phone")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(country: &str, region: &str, postcode: &str, phone: &str) -> Draft {
        Draft {
            email: "mai@example.jp".into(),
            name: "山田 舞".into(),
            line1: "千代田区丸の内1-1".into(),
            city: "東京".into(),
            region: region.into(),
            postcode: postcode.into(),
            country: country.into(),
            phone: phone.into(),
            ..Default::default()
        }
    }

    fn codes(d: &Draft) -> Vec<(String, String)> {
        validate(d, |_| true)
            .1
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn postcodes_take_each_countrys_form() {
        assert_eq!(postcode("US", "94103"), Ok("94103".into()));
        assert_eq!(postcode("US", "94103-1234"), Ok("94103-1234".into()));
        assert_eq!(postcode("US", "9410"), Err("postcode"));
        assert_eq!(postcode("JP", "〒100-0005"), Ok("100-0005".into()));
        assert_eq!(postcode("JP", "１０００００５"), Ok("100-0005".into()));
        assert_eq!(postcode("JP", "100-005"), Err("postcode"));
        assert_eq!(postcode("BR", "01310100"), Ok("01310-100".into()));
        assert_eq!(postcode("BR", "01310-100"), Ok("01310-100".into()));
        assert_eq!(postcode("DE", "10115"), Ok("10115".into()));
        assert_eq!(postcode("DE", "1011"), Err("postcode"));
        assert_eq!(postcode("FR", "75001"), Ok("75001".into()));
        assert_eq!(postcode("NL", "1012ab"), Ok("1012 AB".into()));
        assert_eq!(postcode("NL", "1012"), Err("postcode"));
        assert_eq!(postcode("VN", "100000"), Ok("100000".into()));
        assert_eq!(postcode("ID", "10110"), Ok("10110".into()));
        assert_eq!(postcode("GB", "sw1a1aa"), Ok("SW1A 1AA".into()));
        assert_eq!(postcode("GB", "12345"), Err("postcode"));
        assert_eq!(postcode("AE", ""), Ok(String::new()));
        assert_eq!(postcode("DE", " "), Err("required"));
    }

    #[test]
    fn phones_get_their_country_code() {
        assert_eq!(phone("090-1234-5678", "81"), Ok("+819012345678".into()));
        assert_eq!(phone("+49 30 1234567", "49"), Ok("+49301234567".into()));
        assert_eq!(phone("0049 30 1234567", "49"), Ok("+49301234567".into()));
        assert_eq!(phone("(415) 555-0100", "1"), Ok("+14155550100".into()));
        assert_eq!(phone("12", "1"), Err("phone"));
        assert_eq!(phone("call me", "1"), Err("phone"));
        assert_eq!(phone("1+2", "1"), Err("phone"));
        assert_eq!(phone("", "1"), Err("required"));
    }

    #[test]
    fn regions_are_required_where_addresses_need_them() {
        let us = draft("US", "", "94103", "4155550100");
        assert_eq!(codes(&us), vec![("region".into(), "required".into())]);
        let (clean, errors) = validate(&draft("US", "us-ca", "94103", "4155550100"), |_| true);
        assert!(errors.is_empty());
        assert_eq!(clean.region, "CA");
        assert_eq!(
            codes(&draft("US", "ZZ", "94103", "4155550100")),
            vec![("region".into(), "region".into())]
        );
        assert_eq!(
            codes(&draft("JP", "", "100-0005", "0312345678")),
            vec![("region".into(), "required".into())]
        );
        assert!(codes(&draft("JP", "東京都", "100-0005", "0312345678")).is_empty());
        assert!(codes(&draft("AE", "DU", "", "0501234567")).is_empty());
        assert!(codes(&draft("DE", "", "10115", "030 1234567")).is_empty());
    }

    #[test]
    fn address_lines_keep_any_script() {
        let ar = Draft {
            name: "فاطمة الزهراء".into(),
            line1: "شارع الشيخ زايد ١".into(),
            city: "دبي".into(),
            ..draft("AE", "DU", "", "+971 50 123 4567")
        };
        let (clean, errors) = validate(&ar, |_| true);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(clean.line1, "شارع الشيخ زايد ١");
        assert_eq!(clean.phone, "+971501234567");
    }

    #[test]
    fn every_error_is_reported_at_once_and_the_input_kept() {
        let bad = Draft {
            email: "not an email".into(),
            country: "de".into(),
            postcode: "abc".into(),
            ..Default::default()
        };
        let (kept, errors) = validate(&bad, |_| true);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["email", "name", "line1", "city", "postcode", "phone"]
        );
        assert_eq!(kept.postcode, "abc");
        assert_eq!(kept.country, "DE");
        let elsewhere = validate(&draft("XX", "", "1", "1"), |c| c == "JP").1;
        assert_eq!(elsewhere, vec![FieldError::new("country", "country")]);
    }

    #[test]
    fn emails() {
        assert!(is_email("a@b.co"));
        assert!(is_email("名前@例え.jp"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@c.de"));
        assert!(!is_email("@c.de"));
        assert!(!is_email("a@.de"));
    }
}

//! Every message the code uses exists in all ten locales, and no locale keeps messages
//! nothing uses.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tradewind_domain::Locale;
use tradewind_domain::i18n::{Arg, t_args};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Messages looked up by a code rather than by a literal id.
fn ids_by_code() -> BTreeSet<String> {
    use tradewind_domain::checkout::address::{ERROR_CODES, region_codes};
    use tradewind_domain::checkout::{
        CARD_ERRORS, MANUAL_METHODS, OrderStatus, PAYPAL_ERRORS, REFUSALS, SHIPPING_SERVICES,
        VOUCHER_ERRORS, VOUCHERS,
    };
    let mut ids = BTreeSet::new();
    ids.extend(REFUSALS.iter().map(|c| format!("cart-error-{c}")));
    ids.extend(ERROR_CODES.iter().map(|c| format!("checkout-error-{c}")));
    ids.extend(SHIPPING_SERVICES.iter().map(|c| format!("shipping-{c}")));
    ids.extend(
        OrderStatus::ALL
            .iter()
            .map(|s| format!("order-status-{}", s.code())),
    );
    for m in MANUAL_METHODS {
        ids.insert(format!("payment-{m}"));
        ids.insert(format!("payment-{m}-instructions"));
    }
    ids.extend(CARD_ERRORS.iter().map(|c| format!("card-error-{c}")));
    ids.insert("card-error-declined".into());
    ids.extend(PAYPAL_ERRORS.iter().map(|c| format!("paypal-error-{c}")));
    ids.extend(VOUCHER_ERRORS.iter().map(|c| format!("voucher-error-{c}")));
    for m in VOUCHERS.map(|v| v.method) {
        ids.insert(format!("payment-{m}"));
        ids.insert(format!("voucher-{m}-instructions"));
        ids.insert(format!("voucher-{m}-reference"));
    }
    for code in region_codes("AE").unwrap_or_default() {
        ids.insert(format!("region-AE-{code}"));
    }
    ids.extend(
        [
            "email-order-subject",
            "email-order-intro",
            "email-payment-subject",
            "email-payment-intro",
            "email-shipped-subject",
            "email-shipped-intro",
            "email-refund-subject",
            "email-refund-intro",
            "email-voucher-subject",
            "email-voucher-intro",
        ]
        .map(String::from),
    );
    ids
}

fn used_ids() -> BTreeSet<String> {
    let call = regex::Regex::new(r#"\bt(?:_args)?\(\s*[a-z_.]+,\s*"([a-z0-9-]+)""#).unwrap();
    let mut files = Vec::new();
    for dir in ["app/src", "domain/src", "server/src"] {
        rust_files(&root().join(dir), &mut files);
    }
    let mut ids: BTreeSet<String> = files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).expect("read source");
            call.captures_iter(&text)
                .map(|c| c[1].to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    ids.extend(ids_by_code());
    ids
}

fn defined_ids(locale: Locale) -> BTreeSet<String> {
    let id = regex::Regex::new(r"(?m)^([a-zA-Z][a-zA-Z0-9_-]*)\s*=").unwrap();
    let dir = root().join("locales").join(locale.code());
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(&dir)
        .unwrap_or_else(|_| panic!("{} missing", dir.display()))
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).expect("read ftl");
        ids.extend(id.captures_iter(&text).map(|c| c[1].to_owned()));
    }
    ids
}

#[test]
fn every_used_message_exists_in_every_locale_and_none_is_stale() {
    let mut used = used_ids();
    assert!(used.len() > 30, "the scan found the calls: {used:?}");
    // Country names are looked up by code (`country-{code}`), for every country a market
    // sells to: the English file lists them, and every locale must have the same.
    let country = regex::Regex::new(r"^country-[A-Z]{2}$").unwrap();
    used.extend(
        defined_ids(Locale::En)
            .into_iter()
            .filter(|id| country.is_match(id)),
    );
    for locale in Locale::ALL {
        let defined = defined_ids(locale);
        let missing: Vec<_> = used.difference(&defined).collect();
        let stale: Vec<_> = defined.difference(&used).collect();
        assert!(missing.is_empty(), "{locale} lacks {missing:?}");
        assert!(stale.is_empty(), "{locale} has unused messages {stale:?}");
    }
}

#[test]
fn every_message_renders_in_every_locale() {
    let args: Vec<(&'static str, Arg<'static>)> = vec![
        ("count", 3.into()),
        ("page", 1.into()),
        ("pages", 2.into()),
        ("price", "$1.00".into()),
        ("language", "English".into()),
        ("currency", "USD".into()),
        ("query", "mug".into()),
        ("max", 200.into()),
        ("rate", "19".into()),
        ("amount", "€7.18".into()),
        ("country", "Germany".into()),
        ("number", "TW-10001".into()),
        ("store", "Tradewind".into()),
        ("total", "€62.88".into()),
        ("email", "max@example.de".into()),
        ("title", "Lantern candle".into()),
        ("min", 3.into()),
        ("grams", 75.into()),
        ("was", "€27.99".into()),
        ("material", "glass".into()),
        ("recyclable", "yes".into()),
        ("market", "European Union".into()),
        ("code", "WELCOME10".into()),
        ("date", "2026-12-05".into()),
    ];
    for id in used_ids() {
        for locale in Locale::ALL {
            let text = t_args(locale, &id, &args);
            assert_ne!(text, id, "{id} does not render in {locale}");
            assert!(!text.trim().is_empty(), "{id} is empty in {locale}");
        }
    }
}

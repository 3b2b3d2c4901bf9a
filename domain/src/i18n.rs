//! Every string a person reads, looked up in `locales/<lang>/*.ftl`.
//!
//! The files are compiled into the binary, so a release carries its translations and a
//! missing file cannot break a running store. A missing message falls back through the
//! locale chain to English; `tests/` checks that no message is missing in any locale.

use crate::locale::Locale;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "../locales",
        fallback_language: "en",
        // Bidi isolation marks would end up inside HTML attributes and URLs.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

fn language_id(locale: Locale) -> &'static LanguageIdentifier {
    static IDS: OnceLock<Vec<LanguageIdentifier>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        Locale::ALL
            .iter()
            .map(|l| l.code().parse().unwrap_or_default())
            .collect()
    });
    &ids[locale.index()]
}

/// The message `id` in `locale`.
pub fn t(locale: Locale, id: &str) -> String {
    LOCALES
        .try_lookup(language_id(locale), id)
        .unwrap_or_else(|| id.to_owned())
}

/// The message `id` in `locale` with arguments, e.g. `[("count", 3.into())]`.
pub fn t_args(locale: Locale, id: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
        .collect();
    LOCALES
        .try_lookup_with_args(language_id(locale), id, &args)
        .unwrap_or_else(|| id.to_owned())
}

pub use fluent_templates::fluent_bundle::FluentValue as Arg;

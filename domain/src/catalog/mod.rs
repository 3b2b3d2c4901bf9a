//! The catalog as shoppers see it: read models (`view`) and the queries that fill them.

pub mod view;

use crate::locale::Locale;

pub fn product_path(locale: Locale, slug: &str) -> String {
    format!("/{}/products/{slug}", locale.code())
}

pub fn collection_path(locale: Locale, slug: &str) -> String {
    format!("/{}/collections/{slug}", locale.code())
}

#[cfg(feature = "server")]
mod query;
#[cfg(feature = "server")]
pub use query::*;

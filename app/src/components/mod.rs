//! Pieces shared by pages.

pub mod layout;
pub mod product_card;
pub mod search_box;
pub mod variant_picker;

use tradewind_domain::Locale;
use tradewind_domain::catalog::view::PriceView;
use tradewind_domain::i18n::{t, t_args};

/// A price as text: "From $12.99" when variants differ.
pub fn price_text(price: &PriceView, locale: Locale) -> String {
    let amount = price.amount.format(locale);
    if price.from {
        t_args(locale, "price-from", &[("price", amount.into())])
    } else {
        amount
    }
}

/// The stock line for a variant with `available` units.
pub fn stock_text(available: i32, locale: Locale) -> String {
    match available {
        n if n <= 0 => t(locale, "stock-sold-out"),
        n if n <= 5 => t_args(locale, "stock-few-left", &[("count", n.into())]),
        _ => t(locale, "stock-in-stock"),
    }
}

/// JSON for a `<script type="application/ld+json">`: `<` escaped so text can never
/// close the script element.
pub fn json_ld(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

//! Pieces shared by pages.

pub mod card_pay;
pub mod layout;
pub mod product_card;
pub mod search_box;
pub mod variant_picker;

use leptos::prelude::*;
use tradewind_domain::catalog::view::{PriceView, StockBadge, TaxView};
use tradewind_domain::html::SafeHtml;
use tradewind_domain::i18n::{t, t_args};
use tradewind_domain::{Locale, MoneyStyle};

/// Sanitized rich text (a description) or search highlights: the one place pages render
/// HTML from data, and it takes nothing but `SafeHtml`.
#[component]
pub fn RichText(html: SafeHtml, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! { <div class=(!class.is_empty()).then_some(class) inner_html=html.into_string()></div> }
}

/// `RichText` inside a line (a link's text, a heading).
#[component]
pub fn RichInline(html: SafeHtml) -> impl IntoView {
    view! { <span inner_html=html.into_string()></span> }
}

/// A price as text: "From $12.99" when variants differ.
pub fn price_text(price: &PriceView, locale: Locale, style: MoneyStyle) -> String {
    let amount = price.amount.format(style);
    if price.from {
        t_args(locale, "price-from", &[("price", amount.into())])
    } else {
        amount
    }
}

/// The tax line under a price: the rate and amount for the shopper's country, or the
/// market's general note where no tax is collected there (yet: US sales tax needs the
/// state from the address).
pub fn tax_text(
    tax: Option<&TaxView>,
    inclusive_market: bool,
    locale: Locale,
    style: MoneyStyle,
) -> String {
    let Some(tax) = tax else {
        return if inclusive_market {
            t(locale, "price-tax-included")
        } else {
            t(locale, "price-tax-excluded")
        };
    };
    let rate = tax.percent.replace('.', style.decimal_mark());
    let args = [
        ("rate", rate.into()),
        ("amount", tax.amount.format(style).into()),
        (
            "country",
            t(locale, &format!("country-{}", tax.country)).into(),
        ),
    ];
    if tax.included {
        t_args(locale, "price-tax-included-rate", &args)
    } else {
        t_args(locale, "price-tax-added-rate", &args)
    }
}

/// The stock line for a variant with `available` units.
pub fn stock_text(available: i32, locale: Locale) -> String {
    match StockBadge::of(available) {
        StockBadge::SoldOut => t(locale, "stock-sold-out"),
        StockBadge::FewLeft(n) => t_args(locale, "stock-few-left", &[("count", n.into())]),
        StockBadge::InStock => t(locale, "stock-in-stock"),
    }
}

/// JSON for a `<script type="application/ld+json">`: `<` escaped so text can never
/// close the script element.
pub fn json_ld(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

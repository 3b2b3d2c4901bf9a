//! A product in a grid: picture, title, price, availability.

use super::price_text;
use leptos::prelude::*;
use tradewind_domain::catalog::product_path;
use tradewind_domain::catalog::view::ProductCard;
use tradewind_domain::i18n::t;
use tradewind_domain::{Locale, MoneyStyle};

#[component]
pub fn ProductGrid(locale: Locale, style: MoneyStyle, products: Vec<ProductCard>) -> impl IntoView {
    let cards = products
        .into_iter()
        .map(|p| view! { <li><Card locale style product=p/></li> })
        .collect_view();
    view! { <ul class="product-grid">{cards}</ul> }
}

#[component]
fn Card(locale: Locale, style: MoneyStyle, product: ProductCard) -> impl IntoView {
    let href = product_path(locale, &product.slug);
    let image = product.image.map(|img| {
        view! {
            <img
                src=img.src
                srcset=img.srcset
                sizes="(min-width: 60rem) 22vw, 45vw"
                width=img.width
                height=img.height
                alt=""
                loading="lazy"
                decoding="async"
            />
        }
    });
    let compare = product
        .price
        .compare_at
        .map(|c| view! { <s class="compare-at">{c.format(style)}</s> });
    view! {
        <a class="card" href=href>
            {image}
            <span class="card-title">{product.title}</span>
            <span class="card-price">{price_text(&product.price, locale, style)} " " {compare}</span>
            {(!product.available).then(|| view! { <span class="badge">{t(locale, "stock-sold-out")}</span> })}
        </a>
    }
}

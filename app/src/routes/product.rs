//! A product: gallery, price and variant picker (an island), details, structured data.

use super::respond;
use crate::components::layout::Layout;
use crate::components::layout::{FallbackNotice, Seo};
use crate::components::variant_picker::{BuyForm, Choice, PickerLabels, VariantPicker};
use crate::components::{RichText, price_text, stock_text, tax_text};
use crate::functions::catalog::{Frame, load_product};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde_json::json;
use tradewind_domain::catalog::product_path;
use tradewind_domain::catalog::view::ProductPage;
use tradewind_domain::i18n::t;

#[component]
pub fn ProductRoute() -> impl IntoView {
    let params = use_params_map().get_untracked();
    let query = use_query_map().get_untracked();
    let locale = params.get("locale").unwrap_or_default();
    let slug = params.get("slug").unwrap_or_default();
    let variant = query.get("variant").and_then(|v| v.parse::<i32>().ok());
    // The no-JS picker submits option value ids as o1, o2, o3.
    let values: Vec<i32> = ["o1", "o2", "o3"]
        .into_iter()
        .map_while(|k| query.get(k).and_then(|v| v.parse().ok()))
        .collect();
    // Started once: Suspense may walk its children more than once.
    let data = OnceResource::new(load_product(locale, slug, variant, values));
    view! {
        <Suspense fallback=|| ()>
            {move || {
                Suspend::new(async move {
                    respond(data.await, product_view)
                })
            }}
        </Suspense>
    }
}

fn structured_data(frame: &Frame, p: &ProductPage, path: &str) -> Vec<serde_json::Value> {
    let locale = frame.locale;
    let origin = &frame.public_url;
    let offers: Vec<_> = p
        .variants
        .iter()
        .map(|v| {
            json!({
                "@type": "Offer",
                "sku": v.sku,
                "gtin13": v.barcode,
                "price": v.price.amount.decimal(),
                "priceCurrency": v.price.amount.currency.code(),
                "availability": if v.available > 0 { "https://schema.org/InStock" } else { "https://schema.org/OutOfStock" },
                "url": format!("{origin}{path}?variant={}", v.id),
            })
        })
        .collect();
    let product = json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": p.title,
        "description": p.seo_description.clone().unwrap_or_default(),
        "image": p.images.iter().map(|i| format!("{origin}{}", i.src)).collect::<Vec<_>>(),
        "sku": p.variants.get(p.selected).map(|v| v.sku.clone()),
        "brand": {"@type": "Brand", "name": p.vendor},
        "offers": offers,
    });
    let mut trail = vec![
        json!({"@type": "ListItem", "position": 1, "name": t(locale, "store-name"), "item": format!("{origin}/{}", locale.code())}),
    ];
    if let Some(c) = &p.collection {
        trail.push(json!({"@type": "ListItem", "position": 2, "name": c.title, "item": format!("{origin}{}", c.path)}));
    }
    trail.push(json!({"@type": "ListItem", "position": trail.len() + 1, "name": p.title, "item": format!("{origin}{path}")}));
    let breadcrumbs = json!({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": trail});
    vec![product, breadcrumbs]
}

fn product_view(frame: Frame, p: ProductPage) -> AnyView {
    let locale = frame.locale;
    let path = product_path(locale, &p.slug);
    let seo = Seo {
        title: p.seo_title.clone().unwrap_or_else(|| p.title.clone()),
        description: p.seo_description.clone().unwrap_or_default(),
        path: path.clone(),
        alternates: p.alternates.clone(),
        image: p.images.first().map(|i| i.src.clone()),
        og_type: "product",
        json_ld: structured_data(&frame, &p, &path),
        noindex: false,
        islands: true,
    };
    let choices = p
        .variants
        .iter()
        .map(|v| Choice {
            id: v.id,
            values: v.values.clone(),
            price: price_text(&v.price, locale, frame.money),
            compare_at: v.price.compare_at.map(|c| c.format(frame.money)),
            tax: tax_text(
                v.tax.as_ref(),
                frame.market.tax_inclusive,
                locale,
                frame.money,
            ),
            stock: stock_text(v.available, locale),
            in_stock: v.available > 0,
            sku: v.sku.clone(),
            image: v.image,
        })
        .collect();
    let labels = PickerLabels {
        show: t(locale, "variant-show"),
        unavailable: t(locale, "variant-unavailable"),
        sku: t(locale, "product-sku"),
    };
    let buy = BuyForm {
        locale: locale.code().to_owned(),
        action: format!("/{}/cart/add", locale.code()),
        csrf: frame.csrf.clone(),
        add: t(locale, "cart-add"),
        quantity: t(locale, "cart-quantity"),
        max: tradewind_domain::checkout::MAX_QUANTITY,
        failed: t(locale, "error-unavailable-body"),
    };
    let selected = p.variants.get(p.selected).cloned();
    let details = selected.map(|v| {
        view! {
            <dl class="specs">
                <dt>{t(locale, "product-vendor")}</dt>
                <dd>{p.vendor.clone()}</dd>
                <dt>{t(locale, "product-weight")}</dt>
                <dd>{format!("{}\u{a0}g", v.weight_grams)}</dd>
            </dl>
        }
    });
    let crumb = p
        .collection
        .clone()
        .map(|c| view! { <li><a href=c.path>{c.title}</a></li> });
    view! {
        <Layout frame=frame.clone() seo>
            <nav class="breadcrumbs" aria-label=t(locale, "nav-breadcrumbs")>
                <ol>
                    <li><a href=format!("/{}", locale.code())>{t(locale, "nav-home")}</a></li>
                    {crumb}
                    <li aria-current="page">{p.title.clone()}</li>
                </ol>
            </nav>
            <FallbackNotice locale fallback=p.fallback.clone()/>
            <article class="product">
                <VariantPicker options=p.options.clone() choices images=p.images.clone() selected=p.selected labels buy>
                    <h1>{p.title.clone()}</h1>
                    <p class="vendor">{p.vendor.clone()}</p>
                </VariantPicker>
                <section class="details">
                    <h2>{t(locale, "product-description")}</h2>
                    <RichText class="description" html=p.description_html.clone()/>
                    {details}
                </section>
            </article>
        </Layout>
    }
    .into_any()
}

//! The cart: each line with its price, quantity and anything that needs attention, as
//! plain forms (POST, then back here with 303) that work without JavaScript.

use super::{respond, simple_seo};
use crate::components::layout::Layout;
use crate::functions::catalog::Frame;
use crate::functions::checkout::{CartPage, load_cart};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use tradewind_domain::checkout::MAX_QUANTITY;
use tradewind_domain::checkout::view::{CartLine, LineFlag};
use tradewind_domain::i18n::{t, t_args};
use tradewind_domain::{Locale, MoneyStyle};

#[component]
pub fn CartRoute() -> impl IntoView {
    let locale = use_params_map()
        .get_untracked()
        .get("locale")
        .unwrap_or_default();
    let query = use_query_map().get_untracked();
    let error = query.get("error");
    let count = query.get("count").and_then(|c| c.parse().ok());
    let data = OnceResource::new(load_cart(locale, error, count));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { respond(data.await, cart_view) })}
        </Suspense>
    }
}

/// The no-index SEO of the pages that belong to one shopper.
pub(crate) fn private_seo(
    locale: Locale,
    title: String,
    path: &str,
) -> crate::components::layout::Seo {
    // Never indexed (noindex), but described all the same, for tools and link previews.
    let description = format!("{title} · {}", t(locale, "home-tagline"));
    let mut seo = simple_seo(
        title,
        description,
        format!("/{}{path}", locale.code()),
        Vec::new(),
    );
    seo.noindex = true;
    seo
}

/// A notice at the top of a page, read out when it appears.
pub(crate) fn notice_view(notice: Option<String>) -> impl IntoView {
    notice.map(|n| view! { <p class="notice" role="alert">{n}</p> })
}

pub(crate) fn flag_text(flag: &LineFlag, locale: Locale, style: MoneyStyle) -> String {
    match flag {
        LineFlag::Unavailable => t(locale, "cart-flag-unavailable"),
        LineFlag::SoldOut => t(locale, "cart-flag-sold-out"),
        LineFlag::Fewer { available } => {
            t_args(locale, "cart-flag-fewer", &[("count", (*available).into())])
        }
        LineFlag::PriceChanged { was } => t_args(
            locale,
            "cart-flag-price",
            &[("was", was.format(style).into())],
        ),
    }
}

fn packaging_text(line: &CartLine, locale: Locale) -> Option<String> {
    line.packaging.as_ref().map(|(material, recyclable)| {
        t_args(
            locale,
            "cart-packaging",
            &[
                ("material", material.clone().into()),
                ("recyclable", if *recyclable { "yes" } else { "no" }.into()),
            ],
        )
    })
}

fn line_row(frame: &Frame, line: CartLine) -> impl IntoView + use<> {
    let locale = frame.locale;
    let style = frame.money;
    let code = locale.code();
    let qty_id = format!("qty-{}", line.variant_id);
    let flags = line
        .flags
        .iter()
        .map(|f| view! { <p class="line-flag">{flag_text(f, locale, style)}</p> })
        .collect_view();
    let details = if line.options.is_empty() {
        line.sku.clone()
    } else {
        format!("{} · {}", line.options, line.sku)
    };
    view! {
        <tr>
            <td>
                <a href=line.path.clone()>{line.title.clone()}</a>
                <br/>
                <small>{details}</small>
                {packaging_text(&line, locale).map(|p| view! { <br/><small>{p}</small> })}
                {flags}
            </td>
            <td class="num">{line.unit.format(style)}</td>
            <td>
                <form class="qty-form" method="post" action=format!("/{code}/cart/update")>
                    <input type="hidden" name="csrf" value=frame.csrf.clone()/>
                    <input type="hidden" name="variant" value=line.variant_id/>
                    <label class="visually-hidden" for=qty_id.clone()>
                        {format!("{}: {}", t(locale, "cart-quantity"), line.title)}
                    </label>
                    <input
                        id=qty_id
                        type="number"
                        name="quantity"
                        min="1"
                        max=MAX_QUANTITY
                        inputmode="numeric"
                        value=line.quantity
                    />
                    <button type="submit">{t(locale, "cart-update")}</button>
                </form>
                <form method="post" action=format!("/{code}/cart/remove")>
                    <input type="hidden" name="csrf" value=frame.csrf.clone()/>
                    <input type="hidden" name="variant" value=line.variant_id/>
                    <button type="submit" class="link-button">
                        {t(locale, "cart-remove")}
                        <span class="visually-hidden">{format!(": {}", line.title)}</span>
                    </button>
                </form>
            </td>
            <td class="num">{line.total.format(style)}</td>
        </tr>
    }
}

fn cart_view(frame: Frame, page: CartPage) -> AnyView {
    let locale = frame.locale;
    let style = frame.money;
    let code = locale.code();
    let seo = private_seo(locale, t(locale, "cart-title"), "/cart");
    let repriced = page.cart.as_ref().filter(|c| c.repriced).map(|_| {
        t_args(
            locale,
            "cart-repriced",
            &[
                ("currency", frame.market.currency.code().into()),
                ("market", frame.market.name.clone().into()),
            ],
        )
    });
    let body = match page.cart.filter(|c| !c.is_empty()) {
        None => view! {
            <p>{t(locale, "cart-empty")}</p>
            <p><a href=format!("/{code}")>{t(locale, "cart-continue")}</a></p>
        }
        .into_any(),
        Some(cart) => {
            let orderable = cart.orderable();
            let tax_note = if cart.tax_inclusive {
                t(locale, "price-tax-included")
            } else {
                t(locale, "price-tax-excluded")
            };
            let rows = cart
                .lines
                .into_iter()
                .map(|l| line_row(&frame, l))
                .collect_view();
            view! {
                <table class="cart-lines">
                    <thead>
                        <tr>
                            <th scope="col">{t(locale, "cart-product")}</th>
                            <th scope="col" class="num">{t(locale, "cart-price")}</th>
                            <th scope="col">{t(locale, "cart-quantity")}</th>
                            <th scope="col" class="num">{t(locale, "cart-line-total")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                <p class="cart-subtotal">
                    <strong>{t(locale, "cart-subtotal")}": "{cart.subtotal.format(style)}</strong>
                    " "
                    <small>{tax_note}</small>
                </p>
                <p class="cart-actions">
                    <a href=format!("/{code}")>{t(locale, "cart-continue")}</a>
                    {orderable.then(|| view! {
                        " "
                        <a class="button" href=format!("/{code}/checkout")>{t(locale, "cart-checkout")}</a>
                    })}
                </p>
            }
            .into_any()
        }
    };
    view! {
        <Layout frame=frame.clone() seo>
            <h1>{t(locale, "cart-title")}</h1>
            {notice_view(page.notice)}
            {notice_view(repriced)}
            {body}
        </Layout>
    }
    .into_any()
}

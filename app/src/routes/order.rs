//! An order's status page, reached by the unguessable link in its confirmation email.

use super::cart::private_seo;
use super::checkout::{address_view, landed_note, lines_table, totals_table};
use super::respond;
use crate::components::layout::Layout;
use crate::functions::catalog::Frame;
use crate::functions::checkout::load_order;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use tradewind_domain::checkout::email::payment_instructions;
use tradewind_domain::checkout::view::OrderView;
use tradewind_domain::i18n::{t, t_args};
use tradewind_domain::{Locale, MoneyStyle};

#[component]
pub fn OrderRoute() -> impl IntoView {
    let params = use_params_map().get_untracked();
    let locale = params.get("locale").unwrap_or_default();
    let token = params.get("token").unwrap_or_default();
    let data = OnceResource::new(load_order(locale, token));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { respond(data.await, order_view) })}
        </Suspense>
    }
}

/// What has been paid back, if anything: a row per refund.
fn refunds_table(order: &OrderView, locale: Locale, style: MoneyStyle) -> Option<AnyView> {
    if order.refunds.is_empty() {
        return None;
    }
    let rows = order
        .refunds
        .iter()
        .map(|r| {
            view! {
                <tr>
                    <th scope="row">{t(locale, "order-refunded")}</th>
                    <td class="num">"\u{2212}"{r.amount.format(style)}</td>
                </tr>
            }
        })
        .collect_view();
    Some(view! { <table class="totals refunds"><tbody>{rows}</tbody></table> }.into_any())
}

fn order_view(frame: Frame, order: OrderView) -> AnyView {
    let locale = frame.locale;
    // Money as the shopper's country writes it, in the order's own currency.
    let style = MoneyStyle::of(locale, &order.address.country);
    let title = t_args(
        locale,
        "order-title",
        &[("number", order.number.clone().into())],
    );
    let seo = private_seo(locale, title.clone(), "/orders");
    let pending = order.status == "pending_payment";
    let instructions = pending.then(|| payment_instructions(&order, locale, style));
    let details = (pending && order.payment_method == "bank_transfer")
        .then(|| view! { <pre class="payment-details">{order.payment_details.clone()}</pre> });
    let lines = order
        .lines
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <td>{l.title.clone()}<br/><small>{l.sku.clone()}</small></td>
                    <td class="num">{l.quantity}" × "{l.unit.format(style)}</td>
                    <td class="num">{l.total.format(style)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Layout frame=frame.clone() seo>
            <h1>{title}</h1>
            {pending.then(|| view! {
                <p class="notice" role="status">
                    {t_args(locale, "order-thanks", &[("email", order.email.clone().into())])}
                </p>
            })}
            <p>
                {t(locale, "order-status")}": "
                <strong>{t(locale, &format!("order-status-{}", order.status))}</strong>
            </p>
            {instructions.map(|i| view! { <p>{i}</p> })}
            {details}
            {lines_table(locale, lines)}
            {totals_table(&order.totals, locale, style)}
            {refunds_table(&order, locale, style)}
            {landed_note(order.landed.as_ref(), locale, style)}
            <section>
                <h2>{t(locale, "checkout-ship-to")}</h2>
                {address_view(&order.address, locale)}
                <p>
                    {t(locale, &format!("shipping-{}", order.shipping))}": "
                    {t_args(locale, "checkout-delivery", &[("min", order.days_min.into()), ("max", order.days_max.into())])}
                </p>
                <p>{t(locale, &format!("payment-{}", order.payment_method))}</p>
            </section>
        </Layout>
    }
    .into_any()
}

//! An order's status page, reached by the unguessable link in its confirmation email.

use super::cart::private_seo;
use super::checkout::{address_view, landed_note, lines_table, totals_table};
use super::respond;
use crate::components::card_pay::CardPay;
use crate::components::layout::Layout;
use crate::functions::catalog::Frame;
use crate::functions::checkout::load_order;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use tradewind_domain::checkout::email::payment_instructions;
use tradewind_domain::checkout::view::OrderView;
use tradewind_domain::checkout::{CARD, PAYPAL, PAYPAL_ERRORS, VOUCHER_ERRORS, is_voucher};
use tradewind_domain::i18n::{t, t_args};
use tradewind_domain::{Locale, MoneyStyle};

#[component]
pub fn OrderRoute() -> impl IntoView {
    let params = use_params_map().get_untracked();
    let locale = params.get("locale").unwrap_or_default();
    let token = params.get("token").unwrap_or_default();
    let query = leptos_router::hooks::use_query_map().get_untracked();
    // Stripe sends a shopper back from the bank's page with `payment_intent` in the address.
    let returned = query.get("payment_intent").is_some();
    // How the last PayPal step ended (`paypal-error-<code>`), when it did not pay.
    let paypal_note = query
        .get("paypal")
        .filter(|code| PAYPAL_ERRORS.contains(&code.as_str()));
    // Why no voucher slip is shown yet (`voucher-error-<code>`).
    let voucher_note = query
        .get("voucher")
        .filter(|code| VOUCHER_ERRORS.contains(&code.as_str()));
    let data = OnceResource::new(load_order(locale, token.clone(), returned));
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let token = token.clone();
                let notes = Notes {
                    paypal: paypal_note.clone(),
                    voucher: voucher_note.clone(),
                };
                Suspend::new(async move {
                    respond(data.await, |f, o| order_view(f, o, &token, &notes))
                })
            }}
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

/// The card form of an order waiting for its card payment, with Stripe.js, when Stripe is
/// set up.
fn card_form(frame: &Frame, order: &OrderView, token: &str, style: MoneyStyle) -> Option<AnyView> {
    if order.status != "pending_payment" || order.payment_method != CARD {
        return None;
    }
    // Stripe.js's address and the publishable key; this page's CSP allows Stripe.js.
    #[cfg(feature = "ssr")]
    let stripe = use_context::<crate::state::AppContext>()
        .and_then(|c| c.stripe_js)
        .map(|s| {
            crate::state::set_page_csp(Some(&s));
            (s.url, s.publishable_key)
        });
    #[cfg(not(feature = "ssr"))]
    let stripe: Option<(String, String)> = None;
    let locale = frame.locale;
    let total = [("total", order.totals.total.format(style).into())];
    let Some((url, key)) = stripe else {
        // Stripe was switched off after the order was placed: the merchant is the way on.
        return Some(view! { <p class="notice">{t(locale, "card-waiting")}</p> }.into_any());
    };
    Some(
        view! {
            <section class="card-payment">
                <h2>{t(locale, "payment-card")}</h2>
                <p>{t_args(locale, "payment-card-instructions", &total)}</p>
                <script src=url></script>
                <noscript><p class="notice">{t(locale, "card-needs-js")}</p></noscript>
                <CardPay form=vec![
                    locale.code().to_owned(),
                    frame.csrf.clone(),
                    token.to_owned(),
                    key,
                    t_args(locale, "card-pay", &total),
                    t(locale, "card-working"),
                    t(locale, "card-failed"),
                ]>
                    <div class="field">
                        <span id="card-label">{t(locale, "card-label")}</span>
                        <div id="card-element" class="card-element" role="group" aria-labelledby="card-label"></div>
                    </div>
                </CardPay>
            </section>
        }
        .into_any(),
    )
}

/// The way to PayPal of an order waiting for its PayPal payment: a plain form (no
/// JavaScript), and what the last try came to.
fn paypal_form(
    frame: &Frame,
    order: &OrderView,
    token: &str,
    note: Option<&str>,
    style: MoneyStyle,
) -> Option<AnyView> {
    if order.status != "pending_payment" || order.payment_method != PAYPAL {
        return None;
    }
    let locale = frame.locale;
    let total = [("total", order.totals.total.format(style).into())];
    let note = note.map(|code| alert(t(locale, &format!("paypal-error-{code}"))));
    Some(
        view! {
            <section class="paypal-payment">
                <h2>{t(locale, "payment-paypal")}</h2>
                {note}
                <p>{t_args(locale, "payment-paypal-instructions", &total)}</p>
                {order_button(frame, token, "paypal", t(locale, "paypal-pay"))}
            </section>
        }
        .into_any(),
    )
}

/// What the last step came to, said at once to screen readers.
fn alert(text: String) -> AnyView {
    view! { <p class="notice" role="alert">{text}</p> }.into_any()
}

/// A button on the order's page: a form posting its CSRF token to
/// `/{locale}/orders/{token}/{action}`, which needs no JavaScript.
fn order_button(frame: &Frame, token: &str, action: &str, label: String) -> AnyView {
    view! {
        <form method="post" action=format!("/{}/orders/{token}/{action}", frame.locale.code())>
            <input type="hidden" name="csrf" value=frame.csrf.clone()/>
            <button type="submit" class="button">{label}</button>
        </form>
    }
    .into_any()
}

/// What the last payment step had to say, from the page's address.
struct Notes {
    paypal: Option<String>,
    voucher: Option<String>,
}

/// The slip of an order paid by voucher: what to pay where and by when, its number or code,
/// and Stripe's page of it; before Stripe made one, a button to ask for it.
fn voucher_slip(
    frame: &Frame,
    order: &OrderView,
    token: &str,
    note: Option<&str>,
    style: MoneyStyle,
) -> Option<AnyView> {
    if !is_voucher(&order.payment_method) {
        return None;
    }
    let locale = frame.locale;
    let note = note.map(|code| alert(t(locale, &format!("voucher-error-{code}"))));
    // Refused by Stripe, the order is cancelled: the note says why.
    if order.status != "pending_payment" {
        return note;
    }
    let method = &order.payment_method;
    let heading = view! { <h2>{t(locale, &format!("payment-{method}"))}</h2> };
    let Some(slip) = &order.voucher else {
        return Some(
            view! {
                <section class="voucher">
                    {heading}
                    {note}
                    {order_button(frame, token, "voucher", t(locale, "voucher-get"))}
                </section>
            }
            .into_any(),
        );
    };
    let reference = (!slip.reference.is_empty()).then(|| {
        view! {
            <p>
                {t(locale, &format!("voucher-{method}-reference"))}": "
                <code class="voucher-reference">{slip.reference.clone()}</code>
            </p>
        }
    });
    Some(
        view! {
            <section class="voucher">
                {heading}
                <p>{payment_instructions(order, locale, style)}</p>
                {reference}
                <p><a class="button" href=slip.url.clone() rel="noopener">{t(locale, "voucher-open")}</a></p>
            </section>
        }
        .into_any(),
    )
}

fn order_view(frame: Frame, order: OrderView, token: &str, notes: &Notes) -> AnyView {
    let locale = frame.locale;
    // Money as the shopper's country writes it, in the order's own currency.
    let style = MoneyStyle::of(locale, &order.address.country);
    let title = t_args(
        locale,
        "order-title",
        &[("number", order.number.clone().into())],
    );
    let mut seo = private_seo(locale, title.clone(), "/orders");
    let card = card_form(&frame, &order, token, style);
    let paypal = paypal_form(&frame, &order, token, notes.paypal.as_deref(), style);
    let voucher = voucher_slip(&frame, &order, token, notes.voucher.as_deref(), style);
    seo.islands = card.is_some();
    let pending = order.status == "pending_payment";
    // A voucher's own section says how to pay it.
    let instructions = (pending && !is_voucher(&order.payment_method))
        .then(|| payment_instructions(&order, locale, style));
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
            {card}
            {paypal}
            {voucher}
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

//! Checkout in two steps that work without JavaScript: the form (contact, address,
//! shipping, payment), which comes back with its errors and everything typed; then the
//! review with every line of the money, and "Place order".

use super::cart::{flag_text, notice_view, private_seo};
use super::respond;
use crate::components::layout::Layout;
use crate::functions::catalog::Frame;
use crate::functions::checkout::{CheckoutData, load_checkout};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use tradewind_domain::checkout::CARD;
use tradewind_domain::checkout::address::{Draft, FieldError};
use tradewind_domain::checkout::email::{discount_row, tax_label};
use tradewind_domain::checkout::view::{CheckoutPage, Landed, Totals};
use tradewind_domain::i18n::{t, t_args};
use tradewind_domain::tax::TaxRate;
use tradewind_domain::{Locale, MoneyStyle};

fn load() -> OnceResource<Result<crate::functions::catalog::Loaded<CheckoutData>, ServerFnError>> {
    let locale = use_params_map()
        .get_untracked()
        .get("locale")
        .unwrap_or_default();
    let error = use_query_map().get_untracked().get("error");
    OnceResource::new(load_checkout(locale, error))
}

#[component]
pub fn CheckoutRoute() -> impl IntoView {
    let data = load();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { respond(data.await, form_view) })}
        </Suspense>
    }
}

#[component]
pub fn ReviewRoute() -> impl IntoView {
    let data = load();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { respond(data.await, review_view) })}
        </Suspense>
    }
}

/// The message for a field's error, if it has one.
fn error_for(errors: &[FieldError], field: &str, locale: Locale) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| t(locale, &format!("checkout-error-{}", e.code)))
}

/// A labelled text input that shows its error beside it and keeps what was typed.
#[allow(clippy::too_many_arguments)]
fn field(
    locale: Locale,
    errors: &[FieldError],
    name: &'static str,
    label: &str,
    value: &str,
    kind: &'static str,
    autocomplete: &'static str,
    required: bool,
    list: Option<&'static str>,
) -> impl IntoView + use<> {
    let id = format!("field-{name}");
    let error = error_for(errors, name, locale);
    let error_id = format!("error-{name}");
    let invalid = error.is_some().then_some("true");
    let described = error.is_some().then(|| error_id.clone());
    let has_error = error.is_some();
    view! {
        <div class="field" class:has-error=has_error>
            <label for=id.clone()>{label.to_owned()}</label>
            <input
                id=id
                name=name
                type=kind
                value=value.to_owned()
                autocomplete=autocomplete
                required=required
                list=list
                aria-invalid=invalid
                aria-describedby=described
            />
            {error.map(|e| view! { <p class="field-error" id=error_id>{e}</p> })}
        </div>
    }
}

fn form_view(frame: Frame, data: CheckoutData) -> AnyView {
    let locale = frame.locale;
    let code = locale.code();
    let seo = private_seo(locale, t(locale, "checkout-title"), "/checkout");
    let Some(page) = data.page else {
        return empty_cart(frame, seo);
    };
    let style = frame.money;
    let d = page.draft.clone();
    let errors = page.errors.clone();
    let summary = (!errors.is_empty()).then(|| {
        let items = errors
            .iter()
            .map(|e| {
                let label = field_label(locale, &e.field);
                let message = t(locale, &format!("checkout-error-{}", e.code));
                view! { <li><a href=format!("#field-{}", e.field)>{format!("{label}: {message}")}</a></li> }
            })
            .collect_view();
        view! {
            <div class="error-summary" role="alert">
                <h2>{t(locale, "checkout-errors")}</h2>
                <ul>{items}</ul>
            </div>
        }
    });
    let countries = data
        .countries
        .iter()
        .map(|(c, name)| {
            view! { <option value=c.clone() selected=*c == d.country>{name.clone()}</option> }
        })
        .collect_view();
    let regions = (!data.regions.is_empty()).then(|| {
        let options = data
            .regions
            .iter()
            .map(|(c, name)| view! { <option value=c.clone()>{name.clone()}</option> })
            .collect_view();
        view! { <datalist id="region-list">{options}</datalist> }
    });
    let has_regions = !data.regions.is_empty();
    let shipping = page
        .shipping
        .iter()
        .map(|s| {
            let price = if s.free {
                t(locale, "checkout-free")
            } else {
                s.price.format(style)
            };
            let days = t_args(
                locale,
                "checkout-days",
                &[("min", s.days_min.into()), ("max", s.days_max.into())],
            );
            let co2 = t_args(locale, "checkout-co2e", &[("grams", s.co2e_grams.into())]);
            let id = format!("ship-{}", s.code);
            view! {
                <div class="choice">
                    <input type="radio" id=id.clone() name="shipping" value=s.code.clone() checked=s.code == d.shipping/>
                    <label for=id>
                        <strong>{t(locale, &format!("shipping-{}", s.code))}</strong>
                        {format!(" — {price} · {days} · {co2}")}
                    </label>
                </div>
            }
        })
        .collect_view();
    let payment = page
        .payment
        .iter()
        .map(|p| {
            if p.method == CARD {
                // Offered once the page's JavaScript runs (the theme hides it before), with the
                // reason for browsers without it.
                return view! {
                    <div class="choice needs-js">
                        <input type="radio" id="pay-card" name="payment" value=CARD checked=p.method == d.payment/>
                        <label for="pay-card">{t(locale, "payment-card")}</label>
                    </div>
                    <noscript><p class="field-hint">{t(locale, "card-needs-js")}</p></noscript>
                }
                .into_any();
            }
            let id = format!("pay-{}", p.method);
            let fee = (p.fee.minor != 0)
                .then(|| format!(" (+{} {})", p.fee.format(style), t(locale, "checkout-fee")));
            view! {
                <div class="choice">
                    <input type="radio" id=id.clone() name="payment" value=p.method.clone() checked=p.method == d.payment/>
                    <label for=id>{t(locale, &format!("payment-{}", p.method))}{fee}</label>
                </div>
            }
            .into_any()
        })
        .collect_view();
    let group_error = |name: &str| {
        error_for(&errors, name, locale)
            .map(|e| view! { <p class="field-error" id=format!("field-{name}")>{e}</p> })
    };
    let ship_error = group_error("shipping");
    let pay_error = group_error("payment");
    let f = |name: &'static str, value: &str, kind, auto, required| {
        field(
            locale,
            &errors,
            name,
            &field_label(locale, name),
            value,
            kind,
            auto,
            required,
            None,
        )
    };
    let email = f("email", &d.email, "email", "email", true);
    let name = f("name", &d.name, "text", "name", true);
    let line1 = f("line1", &d.line1, "text", "address-line1", true);
    let line2 = f("line2", &d.line2, "text", "address-line2", false);
    let city = f("city", &d.city, "text", "address-level2", true);
    let region = field(
        locale,
        &errors,
        "region",
        &field_label(locale, "region"),
        &d.region,
        "text",
        "address-level1",
        false,
        has_regions.then_some("region-list"),
    );
    let postcode = f("postcode", &d.postcode, "text", "postal-code", false);
    let phone = f("phone", &d.phone, "tel", "tel", true);
    let discount_code = f("code", &d.code, "text", "off", false);
    let country_error = error_for(&errors, "country", locale);
    let country_invalid = country_error.is_some();
    view! {
        <Layout frame=frame.clone() seo>
            <h1>{t(locale, "checkout-title")}</h1>
            {notice_view(data.notice)}
            {summary}
            <form class="checkout-form" method="post" action=format!("/{code}/checkout") novalidate>
                <input type="hidden" name="csrf" value=frame.csrf.clone()/>
                <fieldset>
                    <legend>{t(locale, "checkout-contact")}</legend>
                    {email}
                    <div class="field checkbox">
                        <input type="checkbox" id="field-consent" name="consent" value="yes" checked=d.consent/>
                        <label for="field-consent">{t(locale, "checkout-consent")}</label>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{t(locale, "checkout-address")}</legend>
                    {name}
                    {line1}
                    {line2}
                    {city}
                    {region}
                    {regions}
                    {postcode}
                    <div class="field" class:has-error=country_invalid>
                        <label for="field-country">{t(locale, "checkout-country")}</label>
                        <select id="field-country" name="country" autocomplete="country">{countries}</select>
                        {country_error.map(|e| view! { <p class="field-error">{e}</p> })}
                    </div>
                    {phone}
                </fieldset>
                <fieldset>
                    <legend>{t(locale, "checkout-shipping")}</legend>
                    {ship_error}
                    {shipping}
                </fieldset>
                <fieldset>
                    <legend>{t(locale, "checkout-payment")}</legend>
                    {pay_error}
                    {payment}
                </fieldset>
                {discount_code}
                <button type="submit" class="button">{t(locale, "checkout-continue")}</button>
            </form>
        </Layout>
    }
    .into_any()
}

fn field_label(locale: Locale, field: &str) -> String {
    match field {
        "email" => t(locale, "checkout-email"),
        "name" => t(locale, "checkout-name"),
        "line1" => t(locale, "checkout-line1"),
        "line2" => t(locale, "checkout-line2"),
        "city" => t(locale, "checkout-city"),
        "region" => t(locale, "checkout-region"),
        "postcode" => t(locale, "checkout-postcode"),
        "country" => t(locale, "checkout-country"),
        "phone" => t(locale, "checkout-phone"),
        "shipping" => t(locale, "checkout-shipping"),
        "code" => t(locale, "checkout-code"),
        _ => t(locale, "checkout-payment"),
    }
}

fn empty_cart(frame: Frame, seo: crate::components::layout::Seo) -> AnyView {
    let locale = frame.locale;
    view! {
        <Layout frame=frame.clone() seo>
            <h1>{t(locale, "checkout-title")}</h1>
            <p>{t(locale, "cart-error-empty")}</p>
            <p><a href=format!("/{}", locale.code())>{t(locale, "cart-continue")}</a></p>
        </Layout>
    }
    .into_any()
}

/// The money rows of an order or a review: subtotal, shipping, fee, each tax rate, total.
pub(crate) fn totals_table(
    totals: &Totals,
    locale: Locale,
    style: MoneyStyle,
) -> impl IntoView + use<> {
    let mut rows = vec![(
        t(locale, "checkout-subtotal"),
        totals.subtotal.format(style),
    )];
    for d in &totals.discounts {
        rows.push(discount_row(d, locale, style));
    }
    rows.push((
        t(locale, "checkout-shipping"),
        totals.shipping.format(style),
    ));
    if totals.fee.minor != 0 {
        rows.push((t(locale, "checkout-fee"), totals.fee.format(style)));
    }
    if totals.duty.minor != 0 {
        rows.push((t(locale, "checkout-duty"), totals.duty.format(style)));
    }
    for tax in &totals.taxes {
        let rate = TaxRate { ppm: tax.rate_ppm }
            .to_string()
            .replace('.', style.decimal_mark());
        rows.push((
            tax_label(locale, totals.inclusive, rate),
            tax.amount.format(style),
        ));
    }
    let body = rows
        .into_iter()
        .map(|(label, amount)| view! { <tr><th scope="row">{label}</th><td class="num">{amount}</td></tr> })
        .collect_view();
    view! {
        <table class="totals">
            <tbody>{body}</tbody>
            <tfoot>
                <tr>
                    <th scope="row">{t(locale, "checkout-total")}</th>
                    <td class="num"><strong>{totals.total.format(style)}</strong></td>
                </tr>
            </tfoot>
        </table>
    }
}

/// The lines of a review or an order: product, quantity × unit price, line total.
pub(crate) fn lines_table(locale: Locale, lines: impl IntoView + 'static) -> impl IntoView {
    view! {
        <table class="cart-lines">
            <thead>
                <tr>
                    <th scope="col">{t(locale, "cart-product")}</th>
                    <th scope="col" class="num">{t(locale, "cart-quantity")}</th>
                    <th scope="col" class="num">{t(locale, "cart-line-total")}</th>
                </tr>
            </thead>
            <tbody>{lines}</tbody>
        </table>
    }
}

/// What the border adds, said plainly: import VAT already paid (IOSS), or duties the courier
/// will collect (DAP). Duties collected at checkout are a row of the totals instead.
pub(crate) fn landed_note(
    landed: Option<&Landed>,
    locale: Locale,
    style: MoneyStyle,
) -> Option<impl IntoView + use<>> {
    let l = landed?;
    let text = if l.above_de_minimis && !l.collected && l.duty.minor != 0 {
        t_args(
            locale,
            "checkout-duty-on-delivery",
            &[("amount", l.duty.format(style).into())],
        )
    } else if l.above_de_minimis && !l.collected {
        // Duties are due but the store has no rate for these goods.
        t(locale, "checkout-duty-on-delivery-unknown")
    } else if l.ioss.is_some() {
        t(locale, "checkout-ioss")
    } else {
        return None;
    };
    Some(view! { <p class="notice landed">{text}</p> })
}

/// An address block, in the order the shopper typed it.
pub(crate) fn address_view(d: &Draft, locale: Locale) -> impl IntoView + use<> {
    let lines: Vec<String> = [
        d.name.clone(),
        d.line1.clone(),
        d.line2.clone(),
        format!("{} {} {}", d.postcode, d.city, d.region)
            .trim()
            .to_owned(),
        t(locale, &format!("country-{}", d.country)),
        d.phone.clone(),
    ]
    .into_iter()
    .filter(|l| !l.is_empty())
    .collect();
    let lines = lines.into_iter().map(|l| view! { {l}<br/> }).collect_view();
    view! { <address>{lines}</address> }
}

fn review_view(frame: Frame, data: CheckoutData) -> AnyView {
    let locale = frame.locale;
    let code = locale.code();
    let style = frame.money;
    let seo = private_seo(
        locale,
        t(locale, "checkout-review-title"),
        "/checkout/review",
    );
    let Some(page) = data.page else {
        return empty_cart(frame, seo);
    };
    let ready = page.ready();
    let CheckoutPage {
        cart,
        draft,
        totals,
        shipping,
        landed,
        ..
    } = page;
    let landed = landed_note(landed.as_ref(), locale, style);
    let chosen = shipping.iter().find(|s| s.code == draft.shipping).cloned();
    let lines = cart
        .lines
        .iter()
        .map(|l| {
            let flags = l
                .flags
                .iter()
                .map(|f| view! { <p class="line-flag">{flag_text(f, locale, style)}</p> })
                .collect_view();
            view! {
                <tr>
                    <td>{l.title.clone()}<br/><small>{l.options.clone()}</small>{flags}</td>
                    <td class="num">{l.quantity}" × "{l.unit.format(style)}</td>
                    <td class="num">{l.total.format(style)}</td>
                </tr>
            }
        })
        .collect_view();
    let delivery = chosen.map(|s| {
        let co2 = t_args(locale, "checkout-co2e", &[("grams", s.co2e_grams.into())]);
        view! {
            <p>
                {t(locale, &format!("shipping-{}", s.code))}": "
                {t_args(locale, "checkout-delivery", &[("min", s.days_min.into()), ("max", s.days_max.into())])}
                " · "{co2}
            </p>
        }
    });
    let place = match (ready, totals) {
        (true, Some(totals)) => view! {
            {totals_table(&totals, locale, style)}
            <p>{t(locale, &format!("payment-{}", draft.payment))}</p>
            <form method="post" action=format!("/{code}/checkout/place")>
                <input type="hidden" name="csrf" value=frame.csrf.clone()/>
                <input type="hidden" name="total" value=totals.total.minor/>
                <input type="hidden" name="currency" value=totals.total.currency.code()/>
                <button type="submit" class="button">{t(locale, "checkout-place")}</button>
            </form>
        }
        .into_any(),
        _ => view! {
            <p class="notice" role="alert">{t(locale, "checkout-missing")}</p>
        }
        .into_any(),
    };
    view! {
        <Layout frame=frame.clone() seo>
            <h1>{t(locale, "checkout-review-title")}</h1>
            {notice_view(data.notice)}
            <section class="review-address">
                <h2>{t(locale, "checkout-ship-to")}</h2>
                <p>{draft.email.clone()}</p>
                {address_view(&draft, locale)}
                <p><a href=format!("/{code}/checkout")>{t(locale, "checkout-change")}</a></p>
            </section>
            {lines_table(locale, lines)}
            {delivery}
            {landed}
            {place}
        </Layout>
    }
    .into_any()
}

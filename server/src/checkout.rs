//! The cart and checkout forms: plain POSTs (CSRF token checked) that call the domain and
//! answer 303 with the page to show next, so everything works without JavaScript. A refusal
//! goes back to the page with its reason (`?error=…`), and whatever the shopper typed in the
//! checkout form is kept with the cart.

use crate::shopper::{form_locale, is_local_path, outage, remember};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;
use tradewind_app::functions::catalog::{CART_KEY, COUNTRY_KEY, resolve_shopper, session_cart};
use tradewind_domain::Locale;
use tradewind_domain::checkout::CheckoutError;
use tradewind_domain::checkout::address::Draft;
use tradewind_domain::market::Market;

/// Who is asking, from the path, the session and the cookies.
struct Shopper {
    locale: Locale,
    market: Market,
    country: String,
    session: Session,
}

impl Shopper {
    fn page(&self, path: &str) -> String {
        format!("/{}{path}", self.locale.code())
    }

    fn to(&self, path: &str) -> Response {
        Redirect::to(&self.page(path)).into_response()
    }
}

/// The checks every form here starts with: a known locale, a valid CSRF token, a market.
async fn shopper(
    state: &AppState,
    locale: &str,
    headers: &HeaderMap,
    session: Session,
    csrf: &str,
) -> Result<Shopper, Response> {
    let locale = form_locale(state, locale, headers, csrf, |l| format!("/{}", l.code()))?;
    let chosen = match session.get::<String>(COUNTRY_KEY).await {
        Ok(c) => c,
        Err(e) => return Err(unavailable(state, locale, &e.to_string())),
    };
    let Some((market, country)) =
        resolve_shopper(&state.app, chosen, Some(headers.clone()), locale)
    else {
        return Err(unavailable(state, locale, "no market is configured"));
    };
    Ok(Shopper {
        locale,
        market,
        country,
        session,
    })
}

fn unavailable(state: &AppState, locale: Locale, detail: &str) -> Response {
    outage(state, locale, &format!("/{}", locale.code()), detail)
}

/// Back to `path` with the reason a form was refused, or the outage page.
fn refused(state: &AppState, s: &Shopper, path: &str, e: &CheckoutError) -> Response {
    match e {
        CheckoutError::Domain(d) => unavailable(state, s.locale, &d.to_string()),
        CheckoutError::NotEnough { available } => {
            s.to(&format!("{path}?error={}&count={available}", e.code()))
        }
        e => s.to(&format!("{path}?error={}", e.code())),
    }
}

/// The shopper's open cart: the one in their session, or a new one when `create`.
async fn cart_id(state: &AppState, s: &Shopper, create: bool) -> Result<Option<String>, Response> {
    session_cart(&state.app.checkout, &s.session, &s.market, create)
        .await
        .map_err(|e| unavailable(state, s.locale, &e))
}

#[derive(Deserialize)]
pub struct LineForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    quantity: String,
    /// Where to go after adding (the product page), if not the cart.
    #[serde(rename = "return")]
    back: Option<String>,
}

impl LineForm {
    fn variant(&self) -> Result<i32, CheckoutError> {
        self.variant
            .trim()
            .parse()
            .map_err(|_| CheckoutError::UnknownVariant)
    }

    /// A quantity as typed: anything but a whole number is refused like 0 or 10^9.
    fn quantity(&self) -> Result<i64, CheckoutError> {
        let q = self.quantity.trim();
        if q.is_empty() {
            return Ok(1);
        }
        q.parse().map_err(|_| CheckoutError::Quantity)
    }
}

/// The shopper and the line a cart form names, or the page that says why not.
async fn line_request(
    state: &AppState,
    locale: &str,
    headers: &HeaderMap,
    session: Session,
    form: &LineForm,
) -> Result<(Shopper, i32, i64), Response> {
    let s = shopper(state, locale, headers, session, &form.csrf).await?;
    match form.variant().and_then(|v| Ok((v, form.quantity()?))) {
        Ok((variant, quantity)) => Ok((s, variant, quantity)),
        Err(e) => Err(refused(state, &s, "/cart", &e)),
    }
}

/// POST /{locale}/cart/add: `variant`, `quantity` (1 if absent).
pub async fn add(
    State(state): State<AppState>,
    Path(locale): Path<String>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<LineForm>,
) -> Response {
    let (s, variant, quantity) = match line_request(&state, &locale, &headers, session, &form).await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    let id = match cart_id(&state, &s, true).await {
        Ok(Some(id)) => id,
        Ok(None) => return unavailable(&state, s.locale, "no cart"),
        Err(r) => return r,
    };
    let added = state
        .app
        .checkout
        .add_line(&id, &s.market, &s.country, variant, quantity)
        .await;
    match added {
        Ok(()) => match form.back.filter(|p| is_local_path(p)) {
            Some(back) => Redirect::to(&back).into_response(),
            None => s.to("/cart?error=added"),
        },
        Err(e) => refused(&state, &s, "/cart", &e),
    }
}

/// POST /{locale}/cart/update: sets `variant`'s line to `quantity`.
pub async fn update(
    State(state): State<AppState>,
    Path(locale): Path<String>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<LineForm>,
) -> Response {
    let (s, variant, quantity) = match line_request(&state, &locale, &headers, session, &form).await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    let id = match cart_id(&state, &s, false).await {
        Ok(Some(id)) => id,
        Ok(None) => return s.to("/cart?error=empty"),
        Err(r) => return r,
    };
    match state
        .app
        .checkout
        .set_quantity(&id, &s.market, &s.country, variant, quantity)
        .await
    {
        Ok(()) => s.to("/cart"),
        Err(e) => refused(&state, &s, "/cart", &e),
    }
}

/// POST /{locale}/cart/remove: drops `variant`'s line.
pub async fn remove(
    State(state): State<AppState>,
    Path(locale): Path<String>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<LineForm>,
) -> Response {
    let s = match shopper(&state, &locale, &headers, session, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(variant) = form.variant() else {
        return s.to("/cart");
    };
    let id = match cart_id(&state, &s, false).await {
        Ok(Some(id)) => id,
        Ok(None) => return s.to("/cart"),
        Err(r) => return r,
    };
    match state.app.checkout.remove_line(&id, variant).await {
        Ok(()) => s.to("/cart"),
        Err(e) => refused(&state, &s, "/cart", &e),
    }
}

#[derive(Deserialize)]
pub struct DetailsForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    draft: Draft,
    /// The consent box: present (any value) when ticked.
    #[serde(default, rename = "consent")]
    consent_box: Option<String>,
}

/// POST /{locale}/checkout: saves the form (kept even with errors), then the review page
/// if everything is there, else the form again with its errors.
pub async fn details(
    State(state): State<AppState>,
    Path(locale): Path<String>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<DetailsForm>,
) -> Response {
    let s = match shopper(&state, &locale, &headers, session, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let id = match cart_id(&state, &s, false).await {
        Ok(Some(id)) => id,
        Ok(None) => return s.to("/cart?error=empty"),
        Err(r) => return r,
    };
    let cart = match state.app.checkout.open_cart(&id).await {
        Ok(Some(c)) => c,
        Ok(None) => return s.to("/cart?error=empty"),
        Err(e) => return refused(&state, &s, "/checkout", &e),
    };
    let draft = Draft {
        consent: form.consent_box.is_some(),
        submitted: true,
        ..form.draft
    };
    let page = match state
        .app
        .checkout
        .save_draft(&cart, draft, s.locale, &s.market, &s.country)
        .await
    {
        Ok(p) => p,
        Err(e) => return refused(&state, &s, "/checkout", &e),
    };
    if page.cart.is_empty() {
        return s.to("/cart?error=empty");
    }
    // A line sold out or fell short since: the cart shows which, and what to do.
    if !page.cart.orderable() {
        return s.to("/cart?error=incomplete");
    }
    if !page.ready() {
        return s.to("/checkout");
    }
    // The address is where the shopper is shopping for: prices and taxes follow it.
    if page.draft.country != s.country
        && let Err(e) = remember(&s.session, COUNTRY_KEY, &page.draft.country).await
    {
        return unavailable(&state, s.locale, &e.to_string());
    }
    s.to("/checkout/review")
}

#[derive(Deserialize)]
pub struct PlaceForm {
    #[serde(default)]
    csrf: String,
    /// The total the review page showed, in minor units, and its currency.
    #[serde(default)]
    total: String,
    #[serde(default)]
    currency: String,
}

/// POST /{locale}/checkout/place: places the order (once, however often it is sent) and
/// shows its status page.
pub async fn place(
    State(state): State<AppState>,
    Path(locale): Path<String>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<PlaceForm>,
) -> Response {
    let s = match shopper(&state, &locale, &headers, session, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let known = match s.session.get::<String>(CART_KEY).await {
        Ok(Some(id)) => id,
        Ok(None) => return s.to("/cart?error=empty"),
        Err(e) => return unavailable(&state, s.locale, &e.to_string()),
    };
    // A form without its currency (an older page) means the market's own.
    let currency = match form.currency.trim() {
        "" => Some(s.market.currency()),
        code => tradewind_domain::Currency::from_code(code),
    };
    let expected = match (form.total.trim().parse::<i64>(), currency) {
        (Ok(minor), Some(currency)) => Some(tradewind_domain::Money::new(minor, currency)),
        _ => None,
    };
    let placed = state
        .app
        .checkout
        .place_order(&known, s.locale, &s.market, &s.country, expected)
        .await;
    match placed {
        Ok(p) => {
            // The next thing added starts a new cart. The old id keeps pointing at its
            // order, so a repeated submission still lands on it.
            if p.new {
                tracing::info!(order = %p.number, "order placed");
            }
            // Paid through PayPal: straight there (or to the order's page, saying why not).
            if p.method == tradewind_domain::checkout::PAYPAL {
                return crate::paypal::approve(&state, s.locale, &p.token).await;
            }
            // Paid by voucher: its slip made, then the order's page shows it.
            if tradewind_domain::checkout::is_voucher(&p.method) {
                return crate::voucher::make(&state, s.locale, &p.token).await;
            }
            s.to(&format!("/orders/{}", p.token))
        }
        Err(e @ CheckoutError::PriceChanged) => refused(&state, &s, "/checkout/review", &e),
        Err(e @ CheckoutError::Incomplete) => refused(&state, &s, "/checkout", &e),
        Err(e) => refused(&state, &s, "/cart", &e),
    }
}

//! Paying an order through PayPal, without JavaScript: placing the order (or the button on
//! its status page, `POST /{locale}/orders/{token}/paypal`) sends the shopper to PayPal;
//! PayPal sends them back to `GET` the same address, and the store captures the payment
//! there. Every step ends on the order's status page, with `?paypal=<code>` when it has
//! something to say (`paypal-error-<code>` in the locale files).

use crate::shopper::{CsrfForm, order_button_locale, order_page, outage};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tradewind_domain::Locale;
use tradewind_domain::checkout::CheckoutError;
use tradewind_domain::error::DomainError;
use tradewind_domain::payments::paypal::flow::PaypalStep;

/// The status page, saying how the PayPal step ended.
fn back(locale: Locale, token: &str, step: &PaypalStep) -> Response {
    let note = match step {
        PaypalStep::NotPaid(code) => format!("?paypal={code}"),
        PaypalStep::Waiting => "?paypal=waiting".to_owned(),
        PaypalStep::Approve(_) | PaypalStep::Paid | PaypalStep::Closed => String::new(),
    };
    Redirect::to(&format!("{}{note}", order_page(locale, token))).into_response()
}

/// Off to PayPal to approve the payment of order `token`, or back to its page saying why not.
pub async fn approve(state: &AppState, locale: Locale, token: &str) -> Response {
    match state.app.checkout.paypal_approval(token, locale).await {
        Ok(PaypalStep::Approve(url)) => Redirect::to(&url).into_response(),
        Ok(step) => back(locale, token, &step),
        Err(CheckoutError::Domain(DomainError::NotFound)) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => outage(state, locale, &order_page(locale, token), &e.to_string()),
    }
}

/// POST /{locale}/orders/{token}/paypal: the status page's "Pay with PayPal".
pub async fn start(
    State(state): State<AppState>,
    Path((locale, token)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    match order_button_locale(&state, &locale, &headers, &form, &token) {
        Ok(locale) => approve(&state, locale, &token).await,
        Err(r) => r,
    }
}

/// GET /{locale}/orders/{token}/paypal: back from PayPal having approved; the payment is
/// captured (once, however often the shopper reloads).
pub async fn returned(
    State(state): State<AppState>,
    Path((locale, token)): Path<(String, String)>,
) -> Response {
    let Ok(locale) = locale.parse::<Locale>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match state.app.checkout.paypal_returned(&token).await {
        Ok(step) => back(locale, &token, &step),
        Err(CheckoutError::Domain(DomainError::NotFound)) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => outage(&state, locale, &order_page(locale, &token), &e.to_string()),
    }
}

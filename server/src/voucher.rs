//! Paying by one of Stripe's vouchers (OXXO, konbini, Pix), without JavaScript: placing the
//! order asks Stripe for the slip, and the order's page shows it. When Stripe could not be
//! reached, that page says so (`?voucher=waiting`) and has a button to ask again
//! (`POST /{locale}/orders/{token}/voucher`); when Stripe refused the voucher, the order is
//! cancelled and the page says so (`?voucher=refused`).

use crate::shopper::{CsrfForm, order_button_locale, order_page, outage};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tradewind_domain::Locale;
use tradewind_domain::checkout::CheckoutError;
use tradewind_domain::error::DomainError;
use tradewind_domain::payments::voucher::VoucherStep;

/// The slip of order `token` made (or found), then its page.
pub async fn make(state: &AppState, locale: Locale, token: &str) -> Response {
    let page = order_page(locale, token);
    match state.app.checkout.voucher(token).await {
        Ok(VoucherStep::Waiting) => {
            Redirect::to(&format!("{page}?voucher=waiting")).into_response()
        }
        Ok(VoucherStep::Refused) => {
            Redirect::to(&format!("{page}?voucher=refused")).into_response()
        }
        Ok(VoucherStep::Slip(_) | VoucherStep::Closed) => Redirect::to(&page).into_response(),
        Err(CheckoutError::Domain(DomainError::NotFound)) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => outage(state, locale, &page, &e.to_string()),
    }
}

/// POST /{locale}/orders/{token}/voucher: the order page's "Get your payment slip".
pub async fn start(
    State(state): State<AppState>,
    Path((locale, token)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    match order_button_locale(&state, &locale, &headers, &form, &token) {
        Ok(locale) => make(&state, locale, &token).await,
        Err(r) => r,
    }
}

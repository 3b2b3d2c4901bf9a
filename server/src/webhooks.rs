//! Payment providers' webhooks: `POST /webhooks/stripe`. A request is verified over its raw
//! body before anything in it is read, and an event has its effect once however often it
//! comes (`tradewind_domain::payments`). These routes sit outside the storefront's session,
//! CSRF and same-origin layers: the provider is not a browser, its signature is the check.

use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tradewind_domain::payments::stripe::{self, signature};

/// Stripe's deliveries: 400 for anything not signed with the store's secret within the
/// tolerance, or not an event (nothing changes); 200 for every genuine event, acted on or
/// not; 503 only when the store cannot record it, so that Stripe delivers it again.
pub async fn stripe(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if state.stripe_webhook_secrets.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = signature::verify(header, &body, &state.stripe_webhook_secrets, now) {
        tracing::info!(error = %e, "stripe webhook refused");
        return (StatusCode::BAD_REQUEST, e.to_string()).into_response();
    }
    let event = match stripe::read_event(&body) {
        Ok(event) => event,
        Err(e) => {
            tracing::warn!(error = %e, "stripe webhook signed but not an event");
            return (StatusCode::BAD_REQUEST, "not a Stripe event").into_response();
        }
    };
    match state.app.checkout.apply_payment_event(&event).await {
        Ok(outcome) => {
            tracing::info!(
                event = %event.id,
                kind = %event.kind,
                outcome = outcome.code(),
                "stripe event"
            );
            (StatusCode::OK, outcome.code()).into_response()
        }
        Err(e) => {
            tracing::error!(event = %event.id, error = %e, "stripe event not recorded");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

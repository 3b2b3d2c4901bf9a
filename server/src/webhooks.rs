//! Payment providers' webhooks: `POST /webhooks/stripe` and `POST /webhooks/paypal`. A
//! request is verified before anything in it is acted on (Stripe's signature over the raw
//! body; PayPal asked whether it sent it), and an event has its effect once however often it
//! comes (`tradewind_domain::payments`). These routes sit outside the storefront's session,
//! CSRF and same-origin layers: the provider is not a browser, its signature is the check.

use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tradewind_domain::payments::paypal::{self, api::Transmission, flow::PaypalStep};
use tradewind_domain::payments::stripe::{self, signature};
use tradewind_domain::payments::{ApiError, ProviderEvent};

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
    applied(&state, &event).await
}

/// The event's effect, once: 200 with the outcome, or 503 when it cannot be recorded (the
/// provider delivers it again).
async fn applied(state: &AppState, event: &ProviderEvent) -> Response {
    match state.app.checkout.apply_payment_event(event).await {
        Ok(outcome) => {
            tracing::info!(
                provider = event.provider,
                event = %event.id,
                kind = %event.kind,
                outcome = outcome.code(),
                "payment event"
            );
            (StatusCode::OK, outcome.code()).into_response()
        }
        Err(e) => {
            tracing::error!(event = %event.id, error = %e, "payment event not recorded");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// PayPal's deliveries: PayPal is asked (verify-webhook-signature, with the store's webhook
/// id) whether it sent this one before anything in it is acted on; 400 when it did not, or
/// for what is not an event; 200 for every genuine event, acted on or not; 503 when PayPal
/// or the store cannot be reached, so that PayPal delivers it again.
pub async fn paypal(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (Some(api), Some(webhook_id)) = (
        state.app.checkout.paypal(),
        state.paypal_webhook_id.as_deref(),
    ) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let sent = Transmission {
        id: header("paypal-transmission-id"),
        time: header("paypal-transmission-time"),
        sig: header("paypal-transmission-sig"),
        cert_url: header("paypal-cert-url"),
        auth_algo: header("paypal-auth-algo"),
    };
    if sent.id.is_empty() || sent.sig.is_empty() || !api.could_be_paypals(&sent.cert_url) {
        return (StatusCode::BAD_REQUEST, "not signed by PayPal").into_response();
    }
    match api.verify_webhook(webhook_id, &sent, &body).await {
        Ok(true) => {}
        Ok(false) | Err(ApiError::Refused { .. } | ApiError::Amount(_)) => {
            tracing::info!(transmission = %sent.id, "paypal webhook refused");
            return (StatusCode::BAD_REQUEST, "not verified by PayPal").into_response();
        }
        Err(e) => {
            tracing::warn!(error = %e, "paypal webhook not verified: PayPal unreachable");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    }
    let read = match paypal::read_event(&body) {
        Ok(read) => read,
        Err(e) => {
            tracing::warn!(error = %e, "paypal webhook verified but not an event");
            return (StatusCode::BAD_REQUEST, "not a PayPal event").into_response();
        }
    };
    // Approved, and the shopper may never come back: captured now (once, whoever asks).
    if let Some(reference) = &read.approved {
        match state.app.checkout.capture_paypal(reference).await {
            Ok(PaypalStep::Waiting) | Err(_) => {
                tracing::warn!(%reference, "approved PayPal order not captured yet; PayPal delivers again");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
            Ok(step) => tracing::info!(%reference, ?step, "approved PayPal order"),
        }
    }
    applied(&state, &read.event).await
}

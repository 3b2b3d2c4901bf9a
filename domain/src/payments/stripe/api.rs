//! Calls to Stripe's API through async-stripe: PaymentIntents created, confirmed, read and
//! cancelled, and refunds, each with an idempotency key so that a retried call never charges
//! or pays back twice.
//!
//! async-stripe builds the requests (its typed parameters) and sends them (its client, with
//! Stripe's version header); the answers are read into the few fields the store uses
//! (`Intent`, `RefundMade`), so that an object with fields a Stripe account adds or lacks
//! still reads.

use super::{from_stripe, to_stripe};
use crate::money::Money;
pub use crate::payments::ApiError;
use miniserde::Deserialize;
use std::collections::HashMap;
use std::time::Duration;
use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_core::payment_intent::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent,
    CreatePaymentIntentPaymentMethodData, CreatePaymentIntentPaymentMethodDataBillingDetails,
    CreatePaymentIntentPaymentMethodDataType, RetrievePaymentIntent,
};
use stripe_core::refund::CreateRefund;

/// Stripe's API address when none is set.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com/";
/// Stripe.js when none is set.
pub const DEFAULT_JS_URL: &str = "https://js.stripe.com/v3/";

/// A PaymentIntent as the store reads it.
#[derive(Clone, Debug, Deserialize)]
pub struct Intent {
    pub id: String,
    pub status: String,
    pub amount: i64,
    pub currency: String,
    /// For Stripe.js to finish an authentication (3-D Secure) in the shopper's browser.
    pub client_secret: Option<String>,
    pub last_payment_error: Option<IntentError>,
    /// What the shopper does next: for a voucher, its slip.
    pub next_action: Option<NextAction>,
}

/// The slip of a voucher, in whichever of Stripe's fields its kind fills.
#[derive(Clone, Debug, Deserialize)]
pub struct NextAction {
    pub oxxo_display_details: Option<OxxoSlip>,
    pub konbini_display_details: Option<KonbiniSlip>,
    pub pix_display_qr_code: Option<PixCode>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct OxxoSlip {
    /// Unix time.
    pub expires_after: Option<i64>,
    pub hosted_voucher_url: Option<String>,
    pub number: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct KonbiniSlip {
    pub expires_at: Option<i64>,
    pub hosted_voucher_url: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PixCode {
    /// The code a banking app takes ("Pix copia e cola").
    pub data: Option<String>,
    pub expires_at: Option<i64>,
    pub hosted_instructions_url: Option<String>,
}

impl Intent {
    /// The voucher's slip: its page, its number or code, and when it expires (unix time).
    pub fn slip(&self) -> Option<(String, String, i64)> {
        let next = self.next_action.as_ref()?;
        if let Some(o) = &next.oxxo_display_details {
            return Some((
                o.hosted_voucher_url.clone()?,
                o.number.clone().unwrap_or_default(),
                o.expires_after?,
            ));
        }
        if let Some(k) = &next.konbini_display_details {
            return Some((k.hosted_voucher_url.clone()?, String::new(), k.expires_at?));
        }
        let p = next.pix_display_qr_code.as_ref()?;
        Some((
            p.hosted_instructions_url.clone()?,
            p.data.clone().unwrap_or_default(),
            p.expires_at?,
        ))
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct IntentError {
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: Option<String>,
}

impl Intent {
    /// What Stripe took, in the store's money (`None` if it cannot be read exactly).
    pub fn money(&self) -> Option<Money> {
        from_stripe(self.amount, &self.currency)
    }

    /// Stripe's code for why the last attempt failed (`card_declined`…).
    pub fn failure_code(&self) -> Option<String> {
        let e = self.last_payment_error.as_ref()?;
        e.decline_code.clone().or_else(|| e.code.clone())
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct RefundMade {
    pub id: String,
    pub status: Option<String>,
}

impl From<stripe::StripeError> for ApiError {
    fn from(e: stripe::StripeError) -> Self {
        match e {
            // A refusal is a 4xx about the request itself. 409 (the same key in flight), 429
            // and 5xx say nothing of whether it took effect: asked again, with the same key.
            stripe::StripeError::Stripe(errors, status)
                if (400..500).contains(&status) && status != 409 && status != 429 =>
            {
                let errors = *errors;
                // A card's own reason (`insufficient_funds`) is its decline code.
                let code = match errors.decline_code {
                    Some(d) => Some(d),
                    None => errors.code.map(|c| c.to_string()),
                };
                Self::Refused {
                    status,
                    code,
                    message: errors
                        .message
                        .unwrap_or_else(|| "the request was refused".into()),
                }
            }
            other => Self::Unavailable(other.to_string()),
        }
    }
}

/// Stripe, as configured: the secret key stays in the client, never logged.
#[derive(Clone)]
pub struct StripeApi {
    client: stripe::Client,
}

impl std::fmt::Debug for StripeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StripeApi")
    }
}

/// `amount` in Stripe's units, refused when Stripe cannot charge it exactly.
fn minor(amount: Money) -> Result<i64, ApiError> {
    to_stripe(amount).ok_or_else(|| ApiError::Amount(format!("{amount:?}")))
}

/// The metadata linking a Stripe object to its order.
fn for_order(order: &str) -> HashMap<String, String> {
    HashMap::from([("order".to_owned(), order.to_owned())])
}

fn key(parts: &[&str]) -> Result<RequestStrategy, ApiError> {
    IdempotencyKey::new(parts.join("-"))
        .map(RequestStrategy::Idempotent)
        .map_err(|e| ApiError::Unavailable(format!("idempotency key: {e}")))
}

impl StripeApi {
    /// A client for `secret_key` at `api_base` (Stripe's own, or a stand-in such as
    /// localstripe in tests).
    pub fn new(secret_key: &str, api_base: &str) -> Result<Self, ApiError> {
        let client = stripe::ClientBuilder::new(secret_key)
            .url(api_base)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ApiError::Unavailable(e.to_string()))?;
        Ok(Self { client })
    }

    /// A PaymentIntent for `amount`, for order `order` (in its metadata), not yet confirmed.
    /// `key` makes a repeat (a double click, a retry after a lost answer) return the same one.
    pub async fn create_intent(
        &self,
        amount: Money,
        order: &str,
        key_part: &str,
    ) -> Result<Intent, ApiError> {
        let currency = amount
            .currency
            .code()
            .to_ascii_lowercase()
            .parse::<stripe_types::Currency>()
            .map_err(|_| ApiError::Amount(amount.currency.code().into()))?;
        let req = CreatePaymentIntent::new(minor(amount)?, currency).metadata(for_order(order));
        Ok(req
            .build()
            .customize::<Intent>()
            .request_strategy(key(&["tw-intent", key_part])?)
            .send(&self.client)
            .await?)
    }

    /// A PaymentIntent for `amount` paid by voucher `kind` (`oxxo`, `konbini`, `pix`),
    /// confirmed at once so that Stripe makes the slip, in the name of the shopper who pays
    /// it. `key_part` makes a repeat return the same one.
    pub async fn create_voucher(
        &self,
        amount: Money,
        order: &str,
        key_part: &str,
        kind: &str,
        (name, email): (&str, &str),
        return_url: &str,
    ) -> Result<Intent, ApiError> {
        let currency = amount
            .currency
            .code()
            .to_ascii_lowercase()
            .parse::<stripe_types::Currency>()
            .map_err(|_| ApiError::Amount(amount.currency.code().into()))?;
        let kind_of = kind
            .parse::<CreatePaymentIntentPaymentMethodDataType>()
            .map_err(|_| ApiError::Unavailable(format!("no voucher {kind}")))?;
        let mut billing = CreatePaymentIntentPaymentMethodDataBillingDetails::new();
        billing.name = Some(name.to_owned());
        billing.email = Some(email.to_owned());
        let mut data = CreatePaymentIntentPaymentMethodData::new(kind_of);
        data.billing_details = Some(billing);
        let req = CreatePaymentIntent::new(minor(amount)?, currency)
            .metadata(for_order(order))
            .payment_method_data(data)
            .confirm(true)
            .return_url(return_url);
        Ok(req
            .build()
            .customize::<Intent>()
            .request_strategy(key(&["tw-voucher", key_part])?)
            .send(&self.client)
            .await?)
    }

    /// Confirms `intent` with the shopper's card (`payment_method`, made by Stripe.js).
    /// `return_url` is where a bank's page sends the shopper back after authenticating.
    pub async fn confirm(
        &self,
        intent: &str,
        payment_method: &str,
        return_url: &str,
    ) -> Result<Intent, ApiError> {
        // `use_stripe_sdk`: a bank's 3-D Secure page opens inside the store's page (Stripe.js
        // `handleNextAction`) instead of sending the shopper away.
        let req = ConfirmPaymentIntent::new(intent)
            .payment_method(payment_method)
            .return_url(return_url)
            .use_stripe_sdk(true);
        Ok(req
            .build()
            .customize::<Intent>()
            .request_strategy(key(&["tw-confirm", intent, payment_method])?)
            .send(&self.client)
            .await?)
    }

    pub async fn retrieve(&self, intent: &str) -> Result<Intent, ApiError> {
        Ok(RetrievePaymentIntent::new(intent)
            .build()
            .customize::<Intent>()
            .send(&self.client)
            .await?)
    }

    pub async fn cancel(&self, intent: &str) -> Result<Intent, ApiError> {
        Ok(CancelPaymentIntent::new(intent)
            .build()
            .customize::<Intent>()
            .request_strategy(key(&["tw-cancel", intent])?)
            .send(&self.client)
            .await?)
    }

    /// Pays back `amount` of `intent`; `key_part` is the store's refund key, so the same
    /// refund asked twice is made once.
    pub async fn refund(
        &self,
        intent: &str,
        amount: Money,
        key_part: &str,
        order: &str,
    ) -> Result<RefundMade, ApiError> {
        Ok(CreateRefund::new()
            .payment_intent(intent)
            .amount(minor(amount)?)
            .metadata(for_order(order))
            .build()
            .customize::<RefundMade>()
            .request_strategy(key(&["tw-refund", key_part])?)
            .send(&self.client)
            .await?)
    }
}

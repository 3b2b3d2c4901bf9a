//! Calls to PayPal's REST API (Orders v2, Payments v2, webhook verification) over the HTTP
//! client already in the tree (hyper with rustls, as async-stripe uses it).
//!
//! - The OAuth token (client credentials) is kept until a minute before it expires, and
//!   asked again once when PayPal says it is no longer valid.
//! - Every create, capture and refund carries a `PayPal-Request-Id`: PayPal answers a repeat
//!   with the first answer, so a retried call never charges or pays back twice.
//! - Answers are read into the few fields the store uses.

use super::{PAYPAL, to_paypal};
use crate::checkout::view::Totals;
use crate::money::Money;
use crate::payments::ApiError;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// PayPal's live API; its sandbox is `https://api-m.sandbox.paypal.com`.
pub const LIVE_API_BASE: &str = "https://api-m.paypal.com";
/// Where PayPal shows its checkout for the API at `api_base`: its own site for its live API
/// and its sandbox, else (a stand-in) the API's origin.
pub fn checkout_origin(api_base: &str) -> String {
    let base = api_base.trim_end_matches('/');
    if base.contains("://api-m.sandbox.paypal.com") || base.contains("://api.sandbox.paypal.com") {
        "https://www.sandbox.paypal.com".into()
    } else if base.contains("://api-m.paypal.com") || base.contains("://api.paypal.com") {
        "https://www.paypal.com".into()
    } else {
        let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
        let host = rest.split('/').next().unwrap_or_default();
        format!("{scheme}://{host}")
    }
}

/// How long one call may take.
const TIMEOUT: Duration = Duration::from_secs(30);

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// PayPal, as configured: the client secret and the token stay here, never logged.
#[derive(Clone)]
pub struct PaypalApi {
    base: String,
    client_id: String,
    client_secret: String,
    http: Client<Https, Full<Bytes>>,
    token: Arc<Mutex<Option<(String, Instant)>>>,
}

impl std::fmt::Debug for PaypalApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaypalApi")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// A PayPal order created: its id and where the shopper approves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    pub id: String,
    pub approve_url: String,
}

/// Where a PayPal order stands, and its capture once there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderState {
    pub id: String,
    /// `PAYER_ACTION_REQUIRED`, `APPROVED`, `COMPLETED`, `VOIDED`…
    pub status: String,
    pub capture: Option<Capture>,
    /// Where the shopper approves it, while that is still to do.
    pub approve_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capture {
    pub id: String,
    /// `COMPLETED`, `PENDING`, `DECLINED`, `FAILED`…
    pub status: String,
    /// What was taken, `None` when it cannot be read exactly.
    pub amount: Option<Money>,
}

/// A refund PayPal answered: `status` as the store's refund rows write it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    pub id: String,
    pub status: &'static str,
}

/// The headers PayPal signs a webhook delivery with, as received.
#[derive(Clone, Debug, Default)]
pub struct Transmission {
    pub id: String,
    pub time: String,
    pub sig: String,
    pub cert_url: String,
    pub auth_algo: String,
}

#[derive(Deserialize)]
struct Token {
    access_token: String,
    #[serde(default)]
    expires_in: u64,
}

#[derive(Deserialize)]
struct Link {
    href: String,
    rel: String,
}

#[derive(Deserialize)]
struct OrderBody {
    id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    links: Vec<Link>,
    #[serde(default)]
    purchase_units: Vec<Unit>,
}

#[derive(Deserialize)]
struct Unit {
    #[serde(default)]
    payments: Option<Payments>,
}

#[derive(Deserialize)]
struct Payments {
    #[serde(default)]
    captures: Vec<CaptureBody>,
}

#[derive(Deserialize)]
struct CaptureBody {
    id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    amount: Option<super::Amount>,
}

#[derive(Deserialize)]
struct RefundBody {
    id: String,
    #[serde(default)]
    status: String,
}

#[derive(Deserialize)]
struct Verification {
    verification_status: String,
}

/// PayPal's error body: a name (`UNPROCESSABLE_ENTITY`) and, in `details`, the issue
/// (`ORDER_NOT_APPROVED`, `INSTRUMENT_DECLINED`…).
#[derive(Deserialize)]
struct Problem {
    #[serde(default)]
    name: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Vec<Detail>,
}

#[derive(Deserialize)]
struct Detail {
    #[serde(default)]
    issue: String,
}

fn read<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::Unavailable(format!("PayPal's answer does not read: {e}")))
}

impl From<OrderBody> for OrderState {
    fn from(o: OrderBody) -> Self {
        let approve_url = o
            .links
            .iter()
            .find(|l| l.rel == "payer-action" || l.rel == "approve")
            .map(|l| l.href.clone());
        let capture = o
            .purchase_units
            .into_iter()
            .filter_map(|u| u.payments)
            .flat_map(|p| p.captures)
            .next()
            .map(|c| Capture {
                id: c.id,
                status: c.status,
                amount: c
                    .amount
                    .and_then(|a| super::from_paypal(&a.value, &a.currency_code)),
            });
        Self {
            id: o.id,
            status: o.status,
            capture,
            approve_url,
        }
    }
}

/// The order's amount with its breakdown, in PayPal's terms. Prices that include tax count
/// it in the goods (no `tax_total`); duty collected at checkout and the payment fee go in
/// `handling`, PayPal having no field for either. When the parts do not add up exactly to
/// the total (they always should), the total goes alone.
pub fn amount_of(totals: &Totals) -> Option<Value> {
    let total = to_paypal(totals.total)?;
    let code = totals.total.currency.code();
    let m = |minor: i64| json!({ "currency_code": code, "value": Money::new(minor, totals.total.currency).decimal() });
    let discount: i64 = totals.discounts.iter().map(|d| d.amount.minor).sum();
    let tax = if totals.inclusive {
        0
    } else {
        totals.tax.minor
    };
    let handling = totals.fee.minor + totals.duty.minor;
    let sum = totals.subtotal.minor + totals.shipping.minor + tax + handling - discount;
    let mut amount = json!({ "currency_code": code, "value": total });
    if sum == totals.total.minor {
        let mut breakdown = json!({
            "item_total": m(totals.subtotal.minor),
            "shipping": m(totals.shipping.minor),
        });
        for (field, minor) in [
            ("tax_total", tax),
            ("handling", handling),
            ("discount", discount),
        ] {
            if minor != 0 {
                breakdown[field] = m(minor);
            }
        }
        amount["breakdown"] = breakdown;
    }
    Some(amount)
}

impl PaypalApi {
    /// A client for the app `client_id`/`client_secret` at `base` (PayPal's live API, its
    /// sandbox, or a stand-in in tests).
    pub fn new(base: &str, client_id: &str, client_secret: &str) -> Self {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        Self {
            base: base.trim_end_matches('/').to_owned(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            http: Client::builder(hyper_util::rt::TokioExecutor::new()).build(https),
            token: Arc::new(Mutex::new(None)),
        }
    }

    /// One request; the status and body of the answer.
    async fn send(
        &self,
        req: http::request::Builder,
        body: Vec<u8>,
    ) -> Result<(u16, Bytes), ApiError> {
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| ApiError::Unavailable(e.to_string()))?;
        let call = async {
            let res = self.http.request(req).await.map_err(|e| e.to_string())?;
            let status = res.status().as_u16();
            let body = res
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok::<_, String>((status, body))
        };
        match tokio::time::timeout(TIMEOUT, call).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => Err(ApiError::Unavailable(format!("PayPal: {e}"))),
            Err(_) => Err(ApiError::Unavailable(
                "PayPal did not answer in time".into(),
            )),
        }
    }

    /// The access token, asked for when there is none or it is about to expire.
    async fn token(&self, renew: bool) -> Result<String, ApiError> {
        use base64::Engine;
        let mut kept = self.token.lock().await;
        if !renew
            && let Some((token, until)) = kept.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.client_id, self.client_secret));
        let req = http::Request::post(format!("{}/v1/oauth2/token", self.base))
            .header(http::header::AUTHORIZATION, format!("Basic {basic}"))
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(http::header::ACCEPT, "application/json");
        let (status, body) = self
            .send(req, b"grant_type=client_credentials".to_vec())
            .await?;
        match status {
            200 => {}
            // The credentials themselves were refused.
            400 | 401 | 403 => {
                return Err(ApiError::Refused {
                    status,
                    code: Some("authentication".into()),
                    message: "PayPal refused the client id and secret".into(),
                });
            }
            // Busy or down: nothing was refused, the call is tried again later.
            _ => {
                return Err(ApiError::Unavailable(format!(
                    "PayPal's token endpoint answered {status}"
                )));
            }
        }
        let t: Token = read(&body)?;
        let lasts = Duration::from_secs(t.expires_in.saturating_sub(60).max(60));
        *kept = Some((t.access_token.clone(), Instant::now() + lasts));
        Ok(t.access_token)
    }

    /// A call to the API with the token (asked again once if PayPal no longer takes it).
    async fn call(
        &self,
        method: http::Method,
        path: &str,
        request_id: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<Bytes, ApiError> {
        let has_body = body.is_some();
        let payload = body.unwrap_or_default();
        let mut renew = false;
        loop {
            let token = self.token(renew).await?;
            let mut req = http::Request::builder()
                .method(method.clone())
                .uri(format!("{}{path}", self.base))
                .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
                .header(http::header::ACCEPT, "application/json");
            if has_body || method == http::Method::POST {
                req = req.header(http::header::CONTENT_TYPE, "application/json");
            }
            if let Some(id) = request_id {
                req = req.header("PayPal-Request-Id", id);
            }
            // The whole order in answers (captures included), not PayPal's minimal default.
            if path.starts_with("/v2/checkout/orders") {
                req = req.header("Prefer", "return=representation");
            }
            let (status, answer) = self.send(req, payload.clone()).await?;
            match status {
                200..=299 => return Ok(answer),
                401 if !renew => renew = true,
                // 409 (the same request id in flight), 429 and 5xx say nothing of whether it
                // took effect: asked again later, with the same request id.
                409 | 429 | 500.. => {
                    return Err(ApiError::Unavailable(format!("PayPal answered {status}")));
                }
                _ => {
                    let p: Problem = serde_json::from_slice(&answer).unwrap_or(Problem {
                        name: String::new(),
                        message: String::from_utf8_lossy(&answer).chars().take(200).collect(),
                        details: Vec::new(),
                    });
                    let issue = p
                        .details
                        .into_iter()
                        .map(|d| d.issue)
                        .find(|i| !i.is_empty());
                    return Err(ApiError::Refused {
                        status,
                        message: format!("{} {}", p.name, issue.clone().unwrap_or(p.message))
                            .trim()
                            .to_owned(),
                        code: issue.or(Some(p.name)),
                    });
                }
            }
        }
    }

    /// A PayPal order for `totals`, for store order `number`, paid as the shopper approves it
    /// at PayPal; PayPal sends them back to `return_url` (approved) or `cancel_url`.
    /// `request_id` makes a repeat return the same order.
    pub async fn create_order(
        &self,
        number: &str,
        totals: &Totals,
        locale: &str,
        return_url: &str,
        cancel_url: &str,
        request_id: &str,
    ) -> Result<Created, ApiError> {
        let amount = amount_of(totals)
            .ok_or_else(|| ApiError::Amount(format!("{:?} through PayPal", totals.total)))?;
        let body = json!({
            "intent": "CAPTURE",
            "purchase_units": [{
                // Not `invoice_id`: PayPal refuses a second payment under one, and two shops
                // (or a store re-seeded for tests) sharing an account repeat order numbers.
                "reference_id": number,
                "custom_id": number,
                "amount": amount,
            }],
            "payment_source": { "paypal": { "experience_context": {
                "return_url": return_url,
                "cancel_url": cancel_url,
                "user_action": "PAY_NOW",
                "shipping_preference": "NO_SHIPPING",
                "locale": locale,
            }}},
        });
        let answer = self
            .call(
                http::Method::POST,
                "/v2/checkout/orders",
                Some(request_id),
                Some(body.to_string().into_bytes()),
            )
            .await?;
        let order: OrderState = read::<OrderBody>(&answer)?.into();
        let approve_url = self.approvable(order.approve_url)?;
        Ok(Created {
            id: order.id,
            approve_url,
        })
    }

    /// The shopper's way to approve an order, only on PayPal's own checkout site (the
    /// address comes from an answer: it is not followed anywhere else).
    pub fn approvable(&self, url: Option<String>) -> Result<String, ApiError> {
        let site = format!("{}/", checkout_origin(&self.base));
        url.filter(|u| u.starts_with(&site)).ok_or_else(|| {
            ApiError::Unavailable("PayPal's order has no link to approve it on its site".into())
        })
    }

    /// Takes the money of approved PayPal order `id`; the same `request_id` captures once.
    pub async fn capture(&self, id: &str, request_id: &str) -> Result<OrderState, ApiError> {
        let answer = self
            .call(
                http::Method::POST,
                &format!("/v2/checkout/orders/{}/capture", path_part(id)?),
                Some(request_id),
                None,
            )
            .await?;
        Ok(read::<OrderBody>(&answer)?.into())
    }

    pub async fn order(&self, id: &str) -> Result<OrderState, ApiError> {
        let answer = self
            .call(
                http::Method::GET,
                &format!("/v2/checkout/orders/{}", path_part(id)?),
                None,
                None,
            )
            .await?;
        Ok(read::<OrderBody>(&answer)?.into())
    }

    /// Pays back `amount` of capture `capture_id`; `request_id` is the store's refund key.
    pub async fn refund(
        &self,
        capture_id: &str,
        amount: Money,
        request_id: &str,
        number: &str,
    ) -> Result<Refund, ApiError> {
        let value = to_paypal(amount).ok_or_else(|| ApiError::Amount(format!("{amount:?}")))?;
        // Not `invoice_id`: PayPal takes each once per capture, and an order is refunded in
        // parts. `note_to_payer` says which order it was.
        let body = json!({
            "amount": { "currency_code": amount.currency.code(), "value": value },
            "note_to_payer": number,
        });
        let answer = self
            .call(
                http::Method::POST,
                &format!("/v2/payments/captures/{}/refund", path_part(capture_id)?),
                Some(request_id),
                Some(body.to_string().into_bytes()),
            )
            .await?;
        let r: RefundBody = read(&answer)?;
        let status = match r.status.as_str() {
            "FAILED" | "CANCELLED" => "failed",
            _ => "succeeded",
        };
        Ok(Refund { id: r.id, status })
    }

    /// Whether a delivery's certificate address could be PayPal's: https on a paypal.com
    /// host for PayPal's own API, or on the stand-in's origin. Anything else is refused
    /// without asking PayPal, so that junk posted to the webhook costs no call.
    pub fn could_be_paypals(&self, cert_url: &str) -> bool {
        let host_of = |url: &str| -> Option<(String, String)> {
            let (scheme, rest) = url.split_once("://")?;
            let host = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
            Some((scheme.to_ascii_lowercase(), host))
        };
        let (Some((scheme, host)), Some((_, api_host))) = (host_of(cert_url), host_of(&self.base))
        else {
            return false;
        };
        let paypal = |h: &str| h == "paypal.com" || h.ends_with(".paypal.com");
        if paypal(api_host.split(':').next().unwrap_or_default()) {
            scheme == "https" && paypal(&host)
        } else {
            host == api_host
        }
    }

    /// Whether PayPal vouches for a webhook delivery: `event` is the body as received,
    /// `webhook_id` the store's webhook at PayPal.
    pub async fn verify_webhook(
        &self,
        webhook_id: &str,
        t: &Transmission,
        event: &[u8],
    ) -> Result<bool, ApiError> {
        // The event goes back exactly as it came (re-encoding it could reorder its fields).
        let event = std::str::from_utf8(event)
            .ok()
            .filter(|e| serde_json::from_str::<serde::de::IgnoredAny>(e).is_ok())
            .ok_or_else(|| ApiError::Refused {
                status: 400,
                code: None,
                message: "the event is not JSON".into(),
            })?;
        let head = json!({
            "auth_algo": t.auth_algo,
            "cert_url": t.cert_url,
            "transmission_id": t.id,
            "transmission_sig": t.sig,
            "transmission_time": t.time,
            "webhook_id": webhook_id,
        })
        .to_string();
        let body = format!(
            "{},\"webhook_event\":{}}}",
            head.trim_end_matches('}'),
            event.trim()
        );
        let answer = self
            .call(
                http::Method::POST,
                "/v1/notifications/verify-webhook-signature",
                None,
                Some(body.into_bytes()),
            )
            .await?;
        Ok(read::<Verification>(&answer)?.verification_status == "SUCCESS")
    }
}

/// An id PayPal gave, checked before it goes into a path: letters and digits only.
fn path_part(id: &str) -> Result<&str, ApiError> {
    if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(ApiError::Refused {
            status: 400,
            code: None,
            message: format!("`{id}` is not a {PAYPAL} id"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_come_from_paypal_or_the_stand_in() {
        let live = PaypalApi::new(LIVE_API_BASE, "id", "secret");
        assert!(live.could_be_paypals("https://api.paypal.com/v1/notifications/certs/CERT-1"));
        assert!(live.could_be_paypals("https://api.sandbox.paypal.com/v1/notifications/certs/C"));
        assert!(!live.could_be_paypals("http://api.paypal.com/v1/notifications/certs/CERT-1"));
        assert!(!live.could_be_paypals("https://paypal.com.evil.example/cert"));
        assert!(!live.could_be_paypals("https://evil.example/api.paypal.com"));
        assert!(!live.could_be_paypals("not a url"));
        let stand_in = PaypalApi::new("http://127.0.0.1:4010", "id", "secret");
        assert!(stand_in.could_be_paypals("http://127.0.0.1:4010/v1/notifications/certs/C"));
        assert!(!stand_in.could_be_paypals("http://127.0.0.1:9999/v1/notifications/certs/C"));
    }
}

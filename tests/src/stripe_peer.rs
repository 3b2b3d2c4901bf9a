//! localstripe (PyPI), the Stripe stand-in the payment tests talk to over real HTTP, started
//! per test by `scripts/stripe-peer.py` (which teaches it the parts of today's API the store
//! uses). The test plays the browser's part with it: Stripe.js's card tokens and 3-D Secure
//! answers are the same HTTP calls localstripe's Stripe.js makes.

use crate::peer::{ScriptPeer, http};
use crate::{Page, STRIPE_WEBHOOK_SECRET, TestStore};
use tradewind_domain::payments::stripe::signature::sign;

/// A delivery to the store's Stripe webhook, signed as `signature` says.
pub async fn deliver(s: &TestStore, signature: &str, body: &str) -> Page {
    s.send(
        "POST",
        "/webhooks/stripe",
        &[
            ("content-type", "application/json"),
            ("stripe-signature", signature),
        ],
        body,
    )
    .await
}

/// A delivery to the store's Stripe webhook, signed with its secret now, as Stripe signs.
pub async fn signed(s: &TestStore, body: &str) -> Page {
    let now = chrono::Utc::now().timestamp();
    deliver(s, &sign(body.as_bytes(), STRIPE_WEBHOOK_SECRET, now), body).await
}

pub const SECRET_KEY: &str = "sk_test_tradewind";
pub const PUBLISHABLE_KEY: &str = "pk_test_tradewind";

/// Cards localstripe knows: paid at once, declined when charged, and one whose bank asks
/// for 3-D Secure.
pub const CARD_OK: &str = "4242424242424242";
pub const CARD_DECLINED: &str = "4000000000000341";
pub const CARD_3DS: &str = "4000002760003184";

pub struct StripePeer {
    peer: ScriptPeer,
}

impl StripePeer {
    pub fn start() -> Self {
        Self {
            peer: ScriptPeer::python("stripe-peer.py", &[], "localstripe"),
        }
    }

    pub fn port(&self) -> u16 {
        self.peer.port
    }

    /// The API base the store is given.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port())
    }

    /// One call; the answer's status and JSON body.
    async fn call(
        &self,
        method: http::Method,
        path: &str,
        content_type: &str,
        body: String,
    ) -> (http::StatusCode, serde_json::Value) {
        let req = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base()))
            .header("authorization", format!("Bearer {SECRET_KEY}"))
            .header("content-type", content_type)
            .body(http_body_util::Full::new(bytes::Bytes::from(body)))
            .expect("a request");
        let res = http().request(req).await.expect("localstripe answers");
        let status = res.status();
        let bytes = http_body_util::BodyExt::collect(res.into_body())
            .await
            .expect("a body")
            .to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    /// What Stripe.js's `createPaymentMethod` gives for `number`: localstripe makes a card
    /// token, whose card the PaymentIntent takes as its payment method.
    pub async fn card(&self, number: &str) -> String {
        let form = format!(
            "key={PUBLISHABLE_KEY}&card[number]={number}&card[exp_month]=12&card[exp_year]=2034&card[cvc]=123"
        );
        let (_, token) = self
            .call(
                http::Method::POST,
                "v1/tokens",
                "application/x-www-form-urlencoded",
                form,
            )
            .await;
        token["card"]["id"].as_str().expect("a card id").to_owned()
    }

    /// The shopper's answer on the bank's 3-D Secure page, as localstripe's Stripe.js sends it.
    pub async fn authenticate(&self, client_secret: &str, success: bool) {
        let intent = client_secret
            .split("_secret_")
            .next()
            .expect("an intent id");
        let body = serde_json::json!({"key": PUBLISHABLE_KEY, "client_secret": client_secret});
        let (status, _) = self
            .call(
                http::Method::POST,
                &format!("v1/payment_intents/{intent}/_authenticate?success={success}"),
                "application/json",
                body.to_string(),
            )
            .await;
        assert!(status.is_success(), "authentication answered {status}");
    }

    /// A PaymentIntent as localstripe has it now.
    pub async fn intent(&self, id: &str) -> serde_json::Value {
        self.get(&format!("v1/payment_intents/{id}")).await
    }

    /// The shopper pays voucher intent `id` at the till (`paid`), or lets its slip expire
    /// (`expired`); the intent as it is then.
    pub async fn voucher(&self, id: &str, outcome: &str) -> serde_json::Value {
        let path = format!("__voucher/{id}/{outcome}");
        let (status, intent) = self
            .call(http::Method::POST, &path, "text/plain", String::new())
            .await;
        assert_eq!(status, http::StatusCode::OK, "{intent}");
        intent
    }

    /// Stripe refuses voucher `kind` from now on (not activated on the account).
    pub async fn refuse_voucher(&self, kind: &str) {
        let path = format!("__vouchers/{kind}/off");
        let (status, _) = self
            .call(http::Method::POST, &path, "text/plain", String::new())
            .await;
        assert_eq!(status, http::StatusCode::OK);
    }

    /// The event Stripe sends about `intent` (as `peer.intent` reads it): `kind`, with id
    /// `id`.
    pub fn event(id: &str, kind: &str, intent: &serde_json::Value) -> String {
        serde_json::json!({
            "id": id,
            "object": "event",
            "type": kind,
            "data": { "object": intent },
        })
        .to_string()
    }

    /// The refunds of intent `id`.
    pub async fn refunds(&self, id: &str) -> Vec<serde_json::Value> {
        let list = self.get(&format!("v1/refunds?payment_intent={id}")).await;
        list["data"].as_array().cloned().unwrap_or_default()
    }

    async fn get(&self, path: &str) -> serde_json::Value {
        self.call(http::Method::GET, path, "text/plain", String::new())
            .await
            .1
    }
}

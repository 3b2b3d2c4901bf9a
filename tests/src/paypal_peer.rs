//! PayPal's REST API as the tests meet it over real HTTP: Prism (npm @stoplight/prism-cli)
//! mocking PayPal's own OpenAPI files and checking every request the store sends, behind
//! `scripts/paypal-peer.mjs`, which adds the token endpoint, state, the page where the
//! shopper approves, and webhook signatures. Prism takes seconds to read the files, so one
//! peer serves every test of a binary; it stops when the binary ends.

use crate::peer::{ScriptPeer, http};
use serde_json::Value;
use std::sync::OnceLock;

pub const CLIENT_ID: &str = "tradewind-test-client";
pub const CLIENT_SECRET: &str = "tradewind-test-secret";
/// PayPal's webhook ids are letters and digits.
pub const WEBHOOK_ID: &str = "WH7TRADEWIND1TEST";

pub struct PaypalPeer {
    peer: ScriptPeer,
}

static PEER: OnceLock<PaypalPeer> = OnceLock::new();

impl PaypalPeer {
    /// The binary's peer, started on first use.
    pub fn shared() -> &'static Self {
        PEER.get_or_init(|| Self {
            peer: ScriptPeer::node(
                "paypal-peer.mjs",
                &[CLIENT_ID, CLIENT_SECRET, WEBHOOK_ID],
                "@stoplight/prism-cli",
            ),
        })
    }

    pub fn port(&self) -> u16 {
        self.peer.port
    }

    /// The API base the store is given (and the origin of the approval page).
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    /// One call to the peer; the answer's status, `Location` and JSON body.
    async fn call(&self, method: http::Method, path: &str, body: &str) -> (u16, String, Value) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base())
        };
        let req = http::Request::builder()
            .method(method)
            .uri(url)
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(bytes::Bytes::from(
                body.to_owned(),
            )))
            .expect("a request");
        let res = http().request(req).await.expect("the PayPal peer answers");
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = http_body_util::BodyExt::collect(res.into_body())
            .await
            .expect("a body")
            .to_bytes();
        (
            status,
            location,
            serde_json::from_slice(&bytes).unwrap_or_default(),
        )
    }

    /// The shopper at PayPal: approves (`true`) or cancels at the page `approve_url`; the
    /// address PayPal sends them back to.
    pub async fn decide(&self, approve_url: &str, approve: bool) -> String {
        let token = approve_url
            .split_once("token=")
            .map(|(_, t)| t)
            .expect("a PayPal order in the address");
        let what = if approve { "approve" } else { "cancel" };
        let (status, location, _) = self
            .call(
                http::Method::POST,
                &format!("/checkoutnow/{what}?token={token}"),
                "",
            )
            .await;
        assert_eq!(status, 303, "PayPal's page answers with the way back");
        location
    }

    /// A PayPal order as the peer holds it: the request the store made (`request`), its
    /// `status`, and what was refunded of it (`refunded`, in minor units).
    pub async fn order(&self, id: &str) -> Value {
        self.call(http::Method::GET, &format!("/__order?id={id}"), "")
            .await
            .2
    }

    /// The headers PayPal would send `event` with; PayPal vouches for them when asked.
    pub async fn sign(&self, event: &Value) -> Vec<(String, String)> {
        let (_, _, headers) = self
            .call(http::Method::POST, "/__sign", &event.to_string())
            .await;
        headers
            .as_object()
            .expect("headers")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect()
    }

    /// Every request Prism found against PayPal's spec, from any test of this binary.
    pub async fn violations(&self) -> Vec<Value> {
        let (_, _, v) = self.call(http::Method::GET, "/__violations", "").await;
        v.as_array().cloned().unwrap_or_default()
    }
}

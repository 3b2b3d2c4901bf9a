//! What the server hands every page render: the catalog and the store's public address.

use crate::functions::catalog::Region;
use std::sync::{Arc, OnceLock};
use tradewind_domain::catalog::Catalog;
use tradewind_domain::checkout::Checkout;
use tradewind_domain::keys::SiteKey;
use tradewind_domain::search::SearchIndex;
use tradewind_domain::search::log::QueryLog;

#[derive(Clone)]
pub struct AppContext {
    pub catalog: Catalog,
    /// Carts, checkout and orders.
    pub checkout: Checkout,
    /// Absolute origin for canonical, hreflang and OpenGraph URLs, without a trailing slash.
    pub public_url: String,
    /// The theme stylesheet, with a content hash so it can be cached for a year.
    pub theme_href: String,
    pub search: Arc<SearchIndex>,
    pub search_log: QueryLog,
    /// Signs CSRF tokens.
    pub site_key: SiteKey,
    /// The country switcher's lists, per locale in `Locale::ALL` order, made on first use.
    pub regions: Arc<OnceLock<Vec<Arc<[Region]>>>>,
    /// Stripe.js for the card form, when Stripe is set up.
    pub stripe_js: Option<StripeJs>,
    /// PayPal's checkout page, where placing an order (and the order page's button) sends
    /// the shopper when PayPal is set up: the one origin `form-action` adds.
    pub paypal_origin: Option<String>,
}

/// What the browser needs to pay by card: Stripe.js's address, the publishable key, and
/// the sources the pages' CSP adds for them.
#[derive(Clone, Debug)]
pub struct StripeJs {
    pub publishable_key: String,
    pub url: String,
    /// Added to `script-src`, `connect-src` and `frame-src`.
    pub script_src: String,
    pub connect_src: String,
    pub frame_src: String,
}

/// `scheme://host[:port]` of an http(s) address.
fn origin(url: &str) -> String {
    let rest = url.split_once("://").map_or("", |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let scheme = url.split_once("://").map_or("https", |(s, _)| s);
    format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    )
}

impl StripeJs {
    /// Stripe's own Stripe.js talks to Stripe's API and shows 3-D Secure in Stripe's frames
    /// (the sources Stripe's CSP guide lists); a stand-in (localstripe in tests) serves its
    /// API and dialog itself, from its own origin.
    pub fn new(publishable_key: &str, url: &str) -> Self {
        let js = origin(url);
        let (script_src, connect_src, frame_src) = if js == "https://js.stripe.com" {
            (
                "https://js.stripe.com https://*.js.stripe.com".to_owned(),
                "https://api.stripe.com".to_owned(),
                "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com".to_owned(),
            )
        } else {
            (js.clone(), js.clone(), js)
        };
        Self {
            publishable_key: publishable_key.to_owned(),
            url: url.to_owned(),
            script_src,
            connect_src,
            frame_src,
        }
    }
}

/// The pages' CSP: scripts only from this origin or with this response's `nonce` (Leptos'
/// hydration script carries it), wasm allowed, nothing inline otherwise; with `stripe`
/// (only the page showing the card form), Stripe.js's script, the API it calls and the
/// frames it draws, nothing more; forms post to this origin, and redirect to `paypal` (its
/// checkout page) when PayPal is set up.
pub fn page_csp(nonce: &str, stripe: Option<&StripeJs>, paypal: Option<&str>) -> String {
    let (script, connect, frame) = match stripe {
        Some(s) => (
            format!(" {}", s.script_src),
            format!(" {}", s.connect_src),
            format!("; frame-src {}", s.frame_src),
        ),
        None => Default::default(),
    };
    let form = paypal.map(|p| format!(" {p}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'{script}; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'{connect}{frame}; \
         object-src 'none'; base-uri 'none'; form-action 'self'{form}; frame-ancestors 'none'"
    )
}

/// Sets the page's CSP on the response being rendered (`page_csp`); a page that shows the
/// card form sets it again with `stripe`.
pub fn set_page_csp(stripe: Option<&StripeJs>) {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let paypal = use_context::<AppContext>().and_then(|c| c.paypal_origin);
    let csp = page_csp(&nonce.to_string(), stripe, paypal.as_deref());
    if let Ok(value) = http::HeaderValue::from_str(&csp) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csp_names_exactly_stripes_origins() {
        let s = StripeJs::new("pk_test_1", "https://js.stripe.com/v3/");
        assert_eq!(
            s.script_src,
            "https://js.stripe.com https://*.js.stripe.com"
        );
        assert_eq!(s.connect_src, "https://api.stripe.com");
        let local = StripeJs::new("pk_test_1", "http://127.0.0.1:8420/js.stripe.com/v3/");
        assert_eq!(local.script_src, "http://127.0.0.1:8420");
        assert_eq!(local.connect_src, "http://127.0.0.1:8420");
        assert_eq!(local.frame_src, "http://127.0.0.1:8420");
    }
}

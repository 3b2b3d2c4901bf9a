//! The state built once in `main` and shared by every request.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::path::PathBuf;
use tradewind_app::state::AppContext;

#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub app: AppContext,
    pub media_dir: PathBuf,
    /// Whether cookies get `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// Whether rate limits trust `X-Forwarded-For` (see `limits::ClientIp`).
    pub trusted_proxy: bool,
    /// How long a request may take before it gets 503 (`router::REQUEST_TIMEOUT`).
    pub request_timeout: std::time::Duration,
    /// Request counts and latencies for the operator (`metrics`).
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// Secrets Stripe signs webhooks with; none: Stripe's webhook is off.
    pub stripe_webhook_secrets: Vec<String>,
    /// The store's webhook at PayPal; none: PayPal's webhook is off.
    pub paypal_webhook_id: Option<String>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// The theme stylesheet, compiled into the binary.
pub const THEME_CSS: &str = include_str!("../../themes/default/theme.css");
pub const FAVICON_SVG: &str = include_str!("../../public/favicon.svg");

/// A short content hash for cache-busting URLs of embedded assets.
pub fn content_hash(bytes: &[u8]) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// Leptos options for the browser bundle: the one in `site_dir/pkg` when there is one, else
/// the one built into the binary. The build script names the bundle by content hash and
/// writes that name to `pkg/current`.
pub fn leptos_options(site_dir: &std::path::Path) -> LeptosOptions {
    let output_name = crate::assets::on_disk(site_dir)
        .or_else(crate::assets::embedded)
        .unwrap_or_else(|| {
            tracing::warn!(
                site_dir = %site_dir.display(),
                "no browser bundle found (run scripts/build-site.sh): pages work, islands stay static"
            );
            "tradewind".to_owned()
        });
    LeptosOptions::builder()
        .output_name(output_name)
        .site_root(site_dir.display().to_string())
        .site_pkg_dir("pkg")
        .build()
}

//! Prometheus metrics for the operator: requests and their latency by kind of page,
//! search work and cache hit rates, sessions. Served on a listen address of its own
//! (`--metrics-listen`, loopback by default), never on the shop's, so shoppers cannot read
//! them.

use crate::state::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;
use tradewind_domain::Locale;
use tradewind_domain::entity::session;

/// What a request was for, by its path: few enough values to keep every series small.
pub fn route_kind(path: &str) -> &'static str {
    if path == "/" {
        return "root";
    }
    for (prefix, kind) in [
        ("/pkg/", "asset"),
        ("/media/", "asset"),
        ("/theme.css", "asset"),
        ("/favicon.svg", "asset"),
        ("/api/", "api"),
        ("/healthz", "health"),
        ("/readyz", "health"),
        ("/sitemap", "seo"),
        ("/robots.txt", "seo"),
    ] {
        if path.starts_with(prefix) {
            return kind;
        }
    }
    if Locale::of_path(path).is_none() {
        return "other";
    }
    let rest = path
        .trim_start_matches('/')
        .split_once('/')
        .map(|(_, r)| r)
        .unwrap_or("");
    match rest.split('/').next().unwrap_or("") {
        "" => "home",
        "products" => "product",
        "collections" => "collection",
        "search" => "search",
        "country" => "form",
        _ => "other",
    }
}

/// The counters the router feeds.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    pub fn new() -> Result<Arc<Self>, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("tradewind_http_requests_total", "Requests answered"),
            &["kind", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "tradewind_http_request_duration_seconds",
                "Time to the response's headers",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["kind"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Arc::new(Self {
            registry,
            requests,
            latency,
        }))
    }

    fn observe(&self, kind: &str, status: StatusCode, seconds: f64) {
        self.requests
            .with_label_values(&[kind, status.as_str()])
            .inc();
        self.latency.with_label_values(&[kind]).observe(seconds);
    }
}

/// Counts every request of the shop's router by kind and status, with its latency.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let kind = route_kind(req.uri().path());
    let started = Instant::now();
    let res = next.run(req).await;
    state
        .metrics
        .observe(kind, res.status(), started.elapsed().as_secs_f64());
    res
}

/// The metrics in Prometheus' text format: the router's counters, then figures read at
/// scrape time (search, sessions).
pub async fn render(state: &AppState) -> String {
    let mut out = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&state.metrics.registry.gather(), &mut out) {
        tracing::warn!(error = %e, "metrics not encoded");
    }
    let mut text = String::from_utf8(out).unwrap_or_default();
    let search = state.app.search.stats();
    let sessions = session::Entity::find()
        .count(state.app.catalog.db())
        .await
        .ok();
    let mut line = |name: &str, kind: &str, help: &str, value: String| {
        let _ = writeln!(
            text,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    };
    line(
        "tradewind_search_queries_total",
        "counter",
        "Results pages computed (not from the cache)",
        search.searches.to_string(),
    );
    line(
        "tradewind_search_seconds_total",
        "counter",
        "Time spent computing results pages",
        format!("{}", search.search_micros as f64 / 1e6),
    );
    line(
        "tradewind_search_cache_hits_total",
        "counter",
        "Results pages served from the results cache",
        search.cache_hits.to_string(),
    );
    line(
        "tradewind_search_cache_misses_total",
        "counter",
        "Results pages not in the results cache",
        search.cache_misses.to_string(),
    );
    line(
        "tradewind_search_documents",
        "gauge",
        "Products in the search index",
        state.app.search.document_count().to_string(),
    );
    if let Some(n) = sessions {
        line(
            "tradewind_sessions",
            "gauge",
            "Shopper sessions stored (expired ones included until the hourly clean-up)",
            n.to_string(),
        );
    }
    text
}

/// The router of the metrics listener: `/metrics` and nothing else.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move {
                (
                    [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                    render(&state).await,
                )
                    .into_response()
            }),
        )
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::route_kind;

    #[test]
    fn paths_fall_into_few_kinds() {
        assert_eq!(route_kind("/"), "root");
        assert_eq!(route_kind("/en"), "home");
        assert_eq!(route_kind("/ja/products/%E8%93%AE"), "product");
        assert_eq!(route_kind("/de/collections/teezeit"), "collection");
        assert_eq!(route_kind("/en/search"), "search");
        assert_eq!(route_kind("/en/country"), "form");
        assert_eq!(route_kind("/pkg/app.wasm"), "asset");
        assert_eq!(route_kind("/api/suggest123"), "api");
        assert_eq!(route_kind("/sitemaps/products-0.xml"), "seo");
        assert_eq!(route_kind("/wp-admin/x"), "other");
        assert_eq!(route_kind("/en/nope"), "other");
    }
}

//! Every URL the store answers, and the headers every response carries.

use crate::assets;
use crate::checkout;
use crate::limits;
use crate::sessions;
use crate::shopper;
use crate::sitemap;
use crate::state::{AppState, FAVICON_SVG, THEME_CSS};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::OnceLock;
use std::time::Duration;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;
use tradewind_app::{App, shell};
use tradewind_domain::locale::negotiate;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Forms and server-function calls are small; anything larger is refused with 413 before
/// it is read. (Image uploads will get their own, larger limit on their own route.)
pub const BODY_LIMIT: usize = 64 * 1024;
/// A provider's event carries whole objects; Stripe's stay well under this.
pub const WEBHOOK_BODY_LIMIT: usize = 1024 * 1024;
/// A request still unanswered after this (waiting for its turn included) gets 503 instead of
/// holding a connection forever.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Requests served at once; more wait their turn instead of exhausting memory or the
/// database pool under a burst.
pub const MAX_IN_FLIGHT: usize = 512;

/// The app's routes, listed once per process. Listing runs the app with leptos's resource
/// loads switched off by a switch the whole process shares: a page rendered on another
/// thread meanwhile waited for ever on its data (seen in the test suite, where every test
/// builds a router, as a rare page answered 503 after the request timeout).
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = routes();
    let app_context = state.app.clone();
    let leptos_options = state.leptos.clone();
    let context = move || {
        provide_context(app_context.clone());
        provide_context(leptos_options.clone());
        page_security_headers();
    };
    let options = state.leptos.clone();
    let app = move || shell(options.clone());
    let not_found = leptos_axum::render_app_async_with_context(context.clone(), app.clone());
    // Server functions called from islands (search suggestions).
    let server_fns = {
        let context = context.clone();
        move |req: Request| leptos_axum::handle_server_fns_with_context(context.clone(), req)
    };
    let site_root = std::path::Path::new(&*state.leptos.site_root);
    let pkg_dir = site_root.join(&*state.leptos.site_pkg_dir);
    // A bundle in the site dir wins (development); else the one built into the binary.
    let embedded = assets::on_disk(site_root).is_none() && assets::embedded().is_some();

    let router = Router::new()
        .route("/", get(choose_locale))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap::index))
        .route("/sitemaps/{file}", get(sitemap::part))
        .route("/theme.css", get(theme))
        .route("/favicon.svg", get(favicon))
        .route("/{locale}/country", post(shopper::switch_country))
        .route("/{locale}/cart/add", post(checkout::add))
        .route("/{locale}/cart/update", post(checkout::update))
        .route("/{locale}/cart/remove", post(checkout::remove))
        .route("/{locale}/checkout", post(checkout::details))
        .route("/{locale}/checkout/place", post(checkout::place))
        .route(
            "/{locale}/orders/{token}/paypal",
            post(crate::paypal::start).get(crate::paypal::returned),
        )
        .route(
            "/{locale}/orders/{token}/voucher",
            post(crate::voucher::start),
        )
        .route("/api/{*fn_name}", get(server_fns.clone()).post(server_fns))
        .leptos_routes_with_context(&state, routes, context, app);
    let router = if embedded {
        router.route("/pkg/{file}", get(assets::serve_embedded))
    } else {
        router.nest_service(
            "/pkg",
            tower::ServiceBuilder::new()
                .layer(middleware::from_fn(immutable_when_found))
                .service(
                    ServeDir::new(pkg_dir)
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
        )
    };
    router
        .nest_service(
            "/media",
            tower::ServiceBuilder::new()
                .layer(middleware::from_fn(immutable_when_found))
                .service(ServeDir::new(&state.media_dir)),
        )
        .fallback(move |req: Request| not_found(req))
        // Server functions have routes of their own (leptos_axum's): the ones a script
        // could hammer are limited here, by path.
        .layer(middleware::from_fn_with_state(
            limits::PathLimit::card_step(state.trusted_proxy),
            limits::path_limit,
        ))
        .layer(middleware::from_fn_with_state(
            limits::PathLimit::suggestions(state.trusted_proxy),
            limits::path_limit,
        ))
        .layer(middleware::from_fn(tidy_html))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            shopper::csrf_cookie,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            shopper::same_origin,
        ))
        .layer(sessions::layer(
            state.app.catalog.db().clone(),
            &state.app.site_key,
            state.secure_cookies,
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // Providers' webhooks: signed requests, not a browser's (no session, CSRF or origin
        // check), with room for an event's whole object.
        .merge(
            Router::new()
                .route("/webhooks/stripe", post(crate::webhooks::stripe))
                .route("/webhooks/paypal", post(crate::webhooks::paypal))
                .layer(RequestBodyLimitLayer::new(WEBHOOK_BODY_LIMIT)),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        // Pages are made per request, and so is most of what is compressed here (the hashed
        // bundles are served precompressed): level 1, gzip and brotli alike, costs a fraction
        // of tower-http's defaults (gzip 6, brotli 4) for about a sixth more bytes (a results
        // page: 4.2 KB instead of 3.6 KB gzipped, well inside the first round trip).
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(1)))
        .layer(GlobalConcurrencyLimitLayer::new(MAX_IN_FLIGHT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::record,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            state.request_timeout,
        ))
        .with_state(state)
}

/// Hashed files never change, so a found one is cached for a year; a 404 is not.
async fn immutable_when_found(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if res.status().is_success() {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    res
}

/// A strict CSP for pages (`tradewind_app::state::page_csp`); the order page with the card
/// form widens it for Stripe.js.
fn page_security_headers() {
    tradewind_app::state::set_page_csp(None);
}

/// Headers for every response; responses that are not pages get a CSP that allows nothing.
/// A store served over https tells browsers to come back only over https (HSTS).
async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if state.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    // Pages depend on the market cookie: shared caches must not hand one shopper's prices
    // to another.
    let is_html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'",
            ),
        );
    }
    res
}

/// Pages leave Leptos with two things the HTML standard rejects: `<!>` hydration markers
/// (a "bogus comment") and resource scripts after `</html>`. `<!---->` parses to the very
/// same empty comment node, so hydration is unaffected; the scripts move inside `<body>`.
async fn tidy_html(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "page body could not be read");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let html = tidy(&String::from_utf8_lossy(&bytes));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(html))
}

fn tidy(html: &str) -> String {
    let html = html.replace("<!>", "<!---->");
    match html.find("</body></html>") {
        Some(end) if end + "</body></html>".len() < html.len() => {
            let tail = &html[end + "</body></html>".len()..];
            format!("{}{tail}</body></html>", &html[..end])
        }
        _ => html,
    }
}

/// The bare domain sends shoppers to their language; crawlers get `x-default` (English).
async fn choose_locale(headers: HeaderMap) -> Response {
    let wanted = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let locale = negotiate(wanted);
    let mut res = Redirect::to(&format!("/{}", locale.code())).into_response();
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    res
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.app.catalog.db().ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

/// Ready to take traffic: the database answers and every migration has run (the search index
/// is open before the store serves at all). For a load balancer or an orchestrator;
/// `/healthz` only says the process is alive.
async fn readyz(State(state): State<AppState>) -> Response {
    let db = state.app.catalog.db();
    let problem = match crate::db::is_current(db).await {
        Ok(true) => None,
        Ok(false) => Some("migrations pending"),
        Err(e) => {
            tracing::error!(error = %e, "readiness: database unreachable");
            Some("database unavailable")
        }
    };
    match problem {
        None => (StatusCode::OK, "ready\n").into_response(),
        Some(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response(),
    }
}

async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /*/country\nDisallow: /pkg/\n\nSitemap: {}/sitemap.xml\n",
        state.app.public_url
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

async fn theme() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, IMMUTABLE),
        ],
        THEME_CSS,
    )
        .into_response()
}

async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON_SVG,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::tidy;

    #[test]
    fn tidy_makes_markers_valid_and_keeps_scripts_in_body() {
        assert_eq!(
            tidy("<body><!><p>x</p></body></html><script>a</script>"),
            "<body><!----><p>x</p><script>a</script></body></html>"
        );
        assert_eq!(tidy("<body></body></html>"), "<body></body></html>");
    }
}

//! The request boundary every shopper crosses: the CSRF cookie every form is signed with,
//! the Origin check on every state-changing request, and the country/region switcher.

use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;
use tradewind_app::functions::catalog::{COUNTRY_KEY, CSRF_COOKIE, cookie_in as cookie};
use tradewind_domain::Locale;
use tradewind_domain::html::escape;
use tradewind_domain::i18n::t;
use tradewind_domain::keys::new_csrf_cookie;

/// Paths that are never pages and never take forms: no cookie is set on them.
const ASSET_PREFIXES: [&str; 6] = [
    "/pkg/",
    "/media/",
    "/theme.css",
    "/favicon.svg",
    "/healthz",
    "/sitemap",
];

/// `name=value` with the attributes every cookie of ours carries.
fn set_cookie(state: &AppState, name: &str, value: &str) -> Option<HeaderValue> {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

/// Gives a browser without one its CSRF cookie, on the very request that renders its first
/// form: the value is added to the request as if the browser had sent it, and set on the
/// response.
pub async fn csrf_cookie(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let wants = matches!(*req.method(), Method::GET | Method::HEAD)
        && !ASSET_PREFIXES.iter().any(|p| path.starts_with(p))
        && cookie(req.headers(), CSRF_COOKIE).is_none();
    if !wants {
        return next.run(req).await;
    }
    let Ok(value) = new_csrf_cookie() else {
        return next.run(req).await;
    };
    if let Ok(header) = HeaderValue::from_str(&format!("{CSRF_COOKIE}={value}")) {
        req.headers_mut().append(header::COOKIE, header);
    }
    let mut res = next.run(req).await;
    if let Some(v) = set_cookie(&state, CSRF_COOKIE, &value) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Refuses any request that changes state (not GET, HEAD or OPTIONS) unless it comes from
/// this store's own pages: its `Origin` (or, failing that, `Referer`) must be the public
/// origin. Browsers send `Origin` with every cross-site POST, so a forged form stops here
/// even before its token is checked.
pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let origin = &state.app.public_url;
    let headers = req.headers();
    let from = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    let ok = from.is_some_and(|f| f == origin || f.starts_with(&format!("{origin}/")));
    if ok {
        return next.run(req).await;
    }
    tracing::info!(origin = ?from, path = %req.uri().path(), "cross-origin request refused");
    let locale = locale_of(req.uri().path());
    problem(
        &state,
        locale,
        StatusCode::FORBIDDEN,
        &t(locale, "form-expired"),
        &format!("/{}", locale.code()),
    )
}

fn locale_of(path: &str) -> Locale {
    Locale::of_path(path).unwrap_or(Locale::DEFAULT)
}

/// A small page saying why a form was refused (`message`, already in the shopper's
/// language), with a way back.
pub fn problem(
    state: &AppState,
    locale: Locale,
    status: StatusCode,
    message: &str,
    back: &str,
) -> Response {
    let title = escape(&t(locale, "form-problem-title"));
    let body = escape(message);
    let back_text = escape(&t(locale, "form-back"));
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"{theme}\"></head><body><main id=\"main\" class=\"error-page\">\
         <h1>{title}</h1><p>{body}</p><p><a href=\"{back}\">{back_text}</a></p></main></body></html>",
        lang = locale.code(),
        dir = locale.dir(),
        theme = escape(&state.app.theme_href),
        back = escape(back),
    );
    (status, Html(html)).into_response()
}

/// The checks every form starts with: the locale named in its path (else 404) and a CSRF
/// token made from this browser's cookie (else a page saying the form expired, with a way
/// back to `back(locale)`).
// The refusal is the response itself, handed straight back to axum: boxing it would only add
// a step on the way out.
#[allow(clippy::result_large_err)]
pub fn form_locale(
    state: &AppState,
    locale: &str,
    headers: &HeaderMap,
    csrf: &str,
    back: impl FnOnce(Locale) -> String,
) -> Result<Locale, Response> {
    let Ok(locale) = locale.parse::<Locale>() else {
        return Err(StatusCode::NOT_FOUND.into_response());
    };
    let browser = cookie(headers, CSRF_COOKIE).unwrap_or_default();
    if !state.app.site_key.csrf_valid(&browser, csrf) {
        return Err(problem(
            state,
            locale,
            StatusCode::FORBIDDEN,
            &t(locale, "form-expired"),
            &back(locale),
        ));
    }
    Ok(locale)
}

/// A form that carries nothing but its CSRF token (a button).
#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// The status page of order `token`.
pub fn order_page(locale: Locale, token: &str) -> String {
    format!("/{}/orders/{token}", locale.code())
}

/// The locale of a button on order `token`'s page (PayPal, a voucher's slip), once its form is
/// checked; else the answer to send (the order page in the form's language, saying why).
#[allow(clippy::result_large_err)] // as `form_locale`
pub fn order_button_locale(
    state: &AppState,
    locale: &str,
    headers: &HeaderMap,
    form: &CsrfForm,
    token: &str,
) -> Result<Locale, Response> {
    form_locale(state, locale, headers, &form.csrf, |l| order_page(l, token))
}

/// The page for a form the store could not carry out (the database is away): 503, the
/// detail in the log only.
pub fn outage(state: &AppState, locale: Locale, back: &str, detail: &str) -> Response {
    tracing::error!(detail, "form not carried out");
    problem(
        state,
        locale,
        StatusCode::SERVICE_UNAVAILABLE,
        &t(locale, "error-unavailable-body"),
        back,
    )
}

/// A path on this site and nothing else: printable ASCII (browsers drop tabs and newlines
/// from `Location`, which would turn `/\t/evil` into `//evil`), one leading slash, no backslash.
pub fn is_local_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && !p.contains('\\')
        && p.bytes().all(|b| b.is_ascii_graphic())
}

/// Puts a value in the shopper's session and saves it now rather than after the handler, so
/// a database that cannot take it gets the shopper a page that says so instead of an empty
/// error.
pub async fn remember(
    session: &Session,
    key: &str,
    value: &str,
) -> Result<(), tower_sessions::session::Error> {
    session.insert(key, value).await?;
    session.save().await
}

#[derive(Deserialize)]
pub struct CountryChoice {
    #[serde(default)]
    country: String,
    #[serde(rename = "return")]
    back: Option<String>,
    #[serde(default)]
    csrf: String,
}

/// The country/region switcher: a POST form (CSRF token checked) that remembers the
/// delivery country in the shopper's session and returns to the page with 303. Only same-site paths are
/// followed back, so the form cannot be used as an open redirect.
pub async fn switch_country(
    State(state): State<AppState>,
    Path(locale): Path<String>,
    headers: HeaderMap,
    session: Session,
    Form(choice): Form<CountryChoice>,
) -> Response {
    let back = |l: Locale| {
        choice
            .back
            .clone()
            .filter(|p| is_local_path(p))
            .unwrap_or_else(|| format!("/{}", l.code()))
    };
    let locale = match form_locale(&state, &locale, &headers, &choice.csrf, back) {
        Ok(l) => l,
        Err(refused) => return refused,
    };
    let back = back(locale);
    let country = choice.country.trim().to_ascii_uppercase();
    if state.app.catalog.markets().by_country(&country).is_none() {
        return problem(
            &state,
            locale,
            StatusCode::UNPROCESSABLE_ENTITY,
            &t(locale, "country-unknown"),
            &back,
        );
    }
    if let Err(e) = remember(&session, COUNTRY_KEY, &country).await {
        return outage(&state, locale, &back, &format!("session not saved: {e}"));
    }
    Redirect::to(&back).into_response()
}

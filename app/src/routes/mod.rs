//! One file per page. Each loads its data through a server function and hands it to
//! `respond`, which also answers redirects and not-found.

pub mod cart;
pub mod checkout;
pub mod collection;
pub mod home;
pub mod not_found;
pub mod order;
pub mod product;
pub mod search;

use crate::components::layout::Seo;
use crate::functions::catalog::{Frame, Loaded, Outcome};
use leptos::prelude::*;
use tradewind_domain::Locale;
use tradewind_domain::i18n::t;

pub(crate) fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(code)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        res.set_status(code);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// A permanent redirect: the URL a shopper used is not the canonical one.
fn moved_permanently(path: &str) {
    set_status(301);
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(path),
    ) {
        res.insert_header(http::header::LOCATION, value);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = path;
}

/// Renders a loaded page, or the redirect, not-found or error page in its place.
pub(crate) fn respond<T>(
    loaded: Result<Loaded<T>, ServerFnError>,
    page: impl FnOnce(Frame, T) -> AnyView,
) -> AnyView {
    match loaded {
        Ok(Loaded {
            frame,
            page: Outcome::Found(data),
        }) => page(frame, data),
        Ok(Loaded {
            page: Outcome::Redirect(path),
            ..
        }) => {
            moved_permanently(&path);
            view! { <p><a href=path>{"…"}</a></p> }.into_any()
        }
        Ok(Loaded {
            frame,
            page: Outcome::NotFound,
        }) => not_found::page(frame),
        Err(e) => error_page(&e),
    }
}

/// What a failed page load says and which status it carries, by the domain error's stable
/// code: bad input 422, not found 404, a conflict 409; only a real outage is 503.
pub fn error_status(code: &str, locale: Locale) -> (u16, String, String) {
    match code {
        "invalid" => (
            422,
            t(locale, "form-problem-title"),
            t(locale, "error-invalid-body"),
        ),
        "not-found" => (
            404,
            t(locale, "not-found-title"),
            t(locale, "not-found-body"),
        ),
        "conflict" => (
            409,
            t(locale, "form-problem-title"),
            t(locale, "error-conflict-body"),
        ),
        _ => (
            503,
            t(locale, "error-unavailable-title"),
            t(locale, "error-unavailable-body"),
        ),
    }
}

fn error_page(e: &ServerFnError) -> AnyView {
    let code = match e {
        ServerFnError::ServerError(code) => code.as_str(),
        _ => "unavailable",
    };
    let (status, title, body) = error_status(code, crate::request_locale());
    set_status(status);
    view! {
        <main id="main" class="error-page">
            <h1>{title}</h1>
            <p>{body}</p>
        </main>
    }
    .into_any()
}

/// The `Seo` for a page that only has a title and description.
pub(crate) fn simple_seo(
    title: String,
    description: String,
    path: String,
    alternates: Vec<tradewind_domain::catalog::view::Alternate>,
) -> Seo {
    Seo {
        title,
        description,
        path,
        alternates,
        og_type: "website",
        ..Default::default()
    }
}

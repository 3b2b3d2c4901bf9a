//! The storefront UI. Pages render on the server; only islands (the variant picker)
//! ship to the browser as wasm.

#![recursion_limit = "256"]

pub mod components;
pub mod functions;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};
use tradewind_domain::Locale;

/// The HTML document around every page.
pub fn shell(_options: LeptosOptions) -> impl IntoView {
    let locale = request_locale();
    #[cfg(feature = "ssr")]
    let theme = use_context::<state::AppContext>()
        .map(|c| c.theme_href.clone())
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let theme = String::new();
    // Islands mode: only islands hydrate, so page data must not be serialized into the page
    // for hydration (it doubled a results page). Leptos' `HydrationScripts` does this; our
    // own island loader (see `IslandScripts`) takes its place.
    #[cfg(feature = "ssr")]
    if let Some(context) = leptos::reactive::owner::Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html lang=locale.code() dir=locale.dir()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="stylesheet" href=theme/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The locale named by the first path segment, else the default: the document's `lang`
/// and `dir` must be right before any page code runs.
fn request_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| Locale::of_path(parts.uri.path()))
            .unwrap_or(Locale::DEFAULT)
    }
    #[cfg(not(feature = "ssr"))]
    {
        Locale::DEFAULT
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=routes::not_found::NotFound>
                <Route path=path!("/:locale") view=routes::home::HomeRoute ssr=SsrMode::Async/>
                <Route
                    path=path!("/:locale/collections/:slug")
                    view=routes::collection::CollectionRoute
                    ssr=SsrMode::Async
                />
                <Route path=path!("/:locale/search") view=routes::search::SearchRoute ssr=SsrMode::Async/>
                <Route path=path!("/:locale/cart") view=routes::cart::CartRoute ssr=SsrMode::Async/>
                <Route path=path!("/:locale/checkout") view=routes::checkout::CheckoutRoute ssr=SsrMode::Async/>
                <Route
                    path=path!("/:locale/checkout/review")
                    view=routes::checkout::ReviewRoute
                    ssr=SsrMode::Async
                />
                <Route path=path!("/:locale/orders/:token") view=routes::order::OrderRoute ssr=SsrMode::Async/>
                <Route
                    path=path!("/:locale/products/:slug")
                    view=routes::product::ProductRoute
                    ssr=SsrMode::Async
                />
            </Routes>
        </Router>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

//! Loading storefront pages. Each returns the page frame (locale, market, navigation)
//! with the page itself, or a redirect to the canonical URL, or not-found.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use tradewind_domain::Locale;
use tradewind_domain::catalog::view::{CollectionPage, HomePage, MarketView, ProductPage};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavLink {
    pub title: String,
    pub path: String,
}

/// Everything the header and the SEO tags need on every page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub locale: Locale,
    pub market: MarketView,
    pub markets: Vec<MarketView>,
    pub collections: Vec<NavLink>,
    pub public_url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome<T> {
    Found(T),
    Redirect(String),
    NotFound,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loaded<T> {
    pub frame: Frame,
    pub page: Outcome<T>,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::*;
    use crate::state::AppContext;
    use tradewind_domain::catalog::{Lookup, market_view};
    use tradewind_domain::error::DomainError;
    use tradewind_domain::market::Market;

    pub const MARKET_COOKIE: &str = "market";

    pub fn context() -> Result<AppContext, ServerFnError> {
        use_context::<AppContext>().ok_or_else(|| ServerFnError::new("store context missing"))
    }

    /// The market chosen with the switcher, from its cookie.
    fn chosen_market() -> Option<String> {
        let parts = use_context::<http::request::Parts>()?;
        parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == MARKET_COOKIE)
            .map(|(_, v)| v.to_owned())
    }

    pub async fn frame(ctx: &AppContext, locale: Locale) -> Result<(Frame, Market), ServerFnError> {
        let market = ctx
            .catalog
            .markets()
            .pick(chosen_market().as_deref(), locale)
            .cloned()
            .ok_or_else(|| unavailable("no market is configured"))?;
        let home = ctx
            .catalog
            .home_collections(locale)
            .await
            .map_err(map_err)?;
        Ok((
            Frame {
                locale,
                market: market_view(&market, locale),
                markets: ctx.catalog.market_views(locale),
                collections: home
                    .iter()
                    .map(|(title, path)| NavLink {
                        title: title.clone(),
                        path: path.clone(),
                    })
                    .collect(),
                public_url: ctx.public_url.clone(),
            },
            market,
        ))
    }

    fn unavailable(detail: &str) -> ServerFnError {
        tracing::error!(detail, "storefront unavailable");
        ServerFnError::new("unavailable")
    }

    pub fn map_err(e: DomainError) -> ServerFnError {
        unavailable(&e.to_string())
    }

    /// Runs a page query for a locale named in the URL; an unknown locale is not found.
    pub async fn load<T>(
        locale: &str,
        query: impl AsyncFnOnce(&AppContext, Locale, &Market) -> Result<Lookup<T>, DomainError>,
    ) -> Result<Loaded<T>, ServerFnError> {
        let ctx = context()?;
        let (locale, known) = match locale.parse::<Locale>() {
            Ok(l) => (l, true),
            Err(_) => (Locale::DEFAULT, false),
        };
        let (frame, market) = frame(&ctx, locale).await?;
        let page = if !known {
            Outcome::NotFound
        } else {
            match query(&ctx, locale, &market).await {
                Ok(Lookup::Found(p)) => Outcome::Found(p),
                Ok(Lookup::Redirect(path)) => Outcome::Redirect(path),
                Err(DomainError::NotFound) => Outcome::NotFound,
                Err(e) => return Err(map_err(e)),
            }
        };
        Ok(Loaded { frame, page })
    }
}

#[cfg(feature = "ssr")]
pub use server::MARKET_COOKIE;

#[server]
pub async fn load_frame(locale: String) -> Result<Frame, ServerFnError> {
    let ctx = server::context()?;
    let locale = locale.parse().unwrap_or(Locale::DEFAULT);
    Ok(server::frame(&ctx, locale).await?.0)
}

#[server]
pub async fn load_home(locale: String) -> Result<Loaded<HomePage>, ServerFnError> {
    server::load(&locale, async |ctx, locale, market| {
        ctx.catalog
            .home(locale, market)
            .await
            .map(tradewind_domain::catalog::Lookup::Found)
    })
    .await
}

#[server]
pub async fn load_collection(
    locale: String,
    slug: String,
    sort: String,
    page: u64,
) -> Result<Loaded<CollectionPage>, ServerFnError> {
    use tradewind_domain::catalog::view::SortOrder;
    server::load(&locale, async |ctx, locale, market| {
        ctx.catalog
            .collection_page(locale, market, &slug, SortOrder::from_key(&sort), page)
            .await
    })
    .await
}

#[server]
pub async fn load_product(
    locale: String,
    slug: String,
    variant: Option<i32>,
    values: Vec<i32>,
) -> Result<Loaded<ProductPage>, ServerFnError> {
    use tradewind_domain::catalog::Selection;
    let chosen = Selection { variant, values };
    server::load(&locale, async |ctx, locale, market| {
        ctx.catalog
            .product_page(locale, market, &slug, &chosen)
            .await
    })
    .await
}

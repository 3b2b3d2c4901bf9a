//! Loading storefront pages. Each returns the page frame (locale, market, navigation)
//! with the page itself, or a redirect to the canonical URL, or not-found.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use tradewind_domain::catalog::view::{CollectionPage, HomePage, MarketView, ProductPage};
use tradewind_domain::{Locale, MoneyStyle};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavLink {
    pub title: String,
    pub path: String,
}

/// The countries of one market, for the country/region switcher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub market: MarketView,
    /// `(ISO code, name in the page's language)`, sorted by name.
    pub countries: Vec<(String, String)>,
}

/// Everything the header and the SEO tags need on every page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub locale: Locale,
    pub market: MarketView,
    /// Where the shopper has their order delivered (ISO 3166 alpha-2): it picks the market,
    /// the tax rate and how amounts are written.
    pub country: String,
    pub money: MoneyStyle,
    /// The same for every page in a locale: made once, shared.
    pub regions: std::sync::Arc<[Region]>,
    pub collections: Vec<NavLink>,
    pub public_url: String,
    /// The CSRF token every form on the page carries.
    pub csrf: String,
    /// Units in the shopper's cart, for the header.
    pub cart_count: i64,
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
    use tradewind_domain::i18n::t;
    use tradewind_domain::market::Market;

    /// The session value holding the delivery country the shopper chose.
    pub const COUNTRY_KEY: &str = "country";
    /// The session value holding the shopper's cart id.
    pub const CART_KEY: &str = "cart";
    /// What the switcher set before it offered countries: a market code.
    const LEGACY_MARKET_COOKIE: &str = "market";
    /// The random value CSRF tokens are made from (see `tradewind_domain::keys`).
    pub const CSRF_COOKIE: &str = "csrf";

    pub fn context() -> Result<AppContext, ServerFnError> {
        use_context::<AppContext>().ok_or_else(|| ServerFnError::new("store context missing"))
    }

    /// A cookie of this request.
    pub fn cookie(name: &str) -> Option<String> {
        cookie_in(&use_context::<http::request::Parts>()?.headers, name)
    }

    /// The value of cookie `name` in `headers`.
    pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
        headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }

    /// The shopper's market and delivery country: the country they chose when a market
    /// sells there, else the market of their language and its country for that language.
    pub async fn shopper(
        ctx: &AppContext,
        locale: Locale,
    ) -> Result<(Market, String), ServerFnError> {
        let chosen = match session() {
            Some(s) => session_value::<String>(&s, COUNTRY_KEY).await,
            None => None,
        };
        resolve_shopper(
            ctx,
            chosen,
            use_context::<http::request::Parts>().map(|p| p.headers),
            locale,
        )
        .ok_or_else(|| unavailable("no market is configured"))
    }

    /// The shopper's market and delivery country from what they chose (`chosen`, from the
    /// session) and the request's cookies.
    pub fn resolve_shopper(
        ctx: &AppContext,
        chosen: Option<String>,
        headers: Option<http::HeaderMap>,
        locale: Locale,
    ) -> Option<(Market, String)> {
        let markets = ctx.catalog.markets();
        let chosen = chosen.and_then(|c| markets.by_country(&c).map(|m| (m.clone(), c)));
        if let Some(found) = chosen {
            return Some(found);
        }
        // Shoppers who chose a market before countries could be chosen keep it.
        let legacy = headers.and_then(|h| cookie_in(&h, LEGACY_MARKET_COOKIE));
        let market = markets.pick(legacy.as_deref(), locale).cloned()?;
        let country = market.default_country(locale).to_owned();
        Some((market, country))
    }

    /// The shopper's session, when the request has passed the session layer.
    pub fn session() -> Option<tower_sessions::Session> {
        use_context::<http::request::Parts>()?
            .extensions
            .get::<tower_sessions::Session>()
            .cloned()
    }

    /// A value in the session. Only a browser that has a session cookie costs a read; a
    /// lost or unreadable session counts as no value.
    pub async fn session_value<T: serde::de::DeserializeOwned>(
        session: &tower_sessions::Session,
        key: &str,
    ) -> Option<T> {
        match session.get::<T>(key).await {
            Ok(value) => value,
            Err(e) => {
                tracing::warn!(error = %e, "session unreadable");
                None
            }
        }
    }

    /// The shopper's open cart, if they have one.
    pub async fn open_cart(
        ctx: &AppContext,
    ) -> Result<Option<tradewind_domain::entity::cart::Model>, ServerFnError> {
        let Some(session) = session() else {
            return Ok(None);
        };
        let Some(id) = session_value::<String>(&session, CART_KEY).await else {
            return Ok(None);
        };
        ctx.checkout
            .open_cart(&id)
            .await
            .map_err(|e| map_checkout_err(&e))
    }

    /// The session's open cart; when it has none and `create`, a new cart for `market`,
    /// remembered in the session. An error is the store's own trouble, said for the log.
    pub async fn session_cart(
        checkout: &tradewind_domain::checkout::Checkout,
        session: &tower_sessions::Session,
        market: &tradewind_domain::market::Market,
        create: bool,
    ) -> Result<Option<String>, String> {
        let known = session
            .get::<String>(CART_KEY)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(id) = known
            && let Some(cart) = checkout.open_cart(&id).await.map_err(|e| e.to_string())?
        {
            return Ok(Some(cart.id));
        }
        if !create {
            return Ok(None);
        }
        let id = checkout
            .create_cart(market)
            .await
            .map_err(|e| e.to_string())?;
        session
            .insert(CART_KEY, &id)
            .await
            .map_err(|e| e.to_string())?;
        session.save().await.map_err(|e| e.to_string())?;
        Ok(Some(id))
    }

    /// A checkout error as a page error: the store's own trouble is an outage, anything
    /// else a refusal.
    pub fn map_checkout_err(e: &tradewind_domain::checkout::CheckoutError) -> ServerFnError {
        use tradewind_domain::checkout::CheckoutError;
        match e {
            CheckoutError::Domain(d) => unavailable(&d.to_string()),
            other => ServerFnError::new(other.code()),
        }
    }

    /// The switcher's countries in `locale`, named and sorted once per locale (markets
    /// change only with a restart).
    fn regions(ctx: &AppContext, locale: Locale) -> std::sync::Arc<[Region]> {
        let all = ctx.regions.get_or_init(|| {
            Locale::ALL
                .into_iter()
                .map(|l| make_regions(ctx, l).into())
                .collect()
        });
        all.get(locale.index())
            .cloned()
            .unwrap_or_else(|| make_regions(ctx, locale).into())
    }

    fn make_regions(ctx: &AppContext, locale: Locale) -> Vec<Region> {
        ctx.catalog
            .markets()
            .all()
            .iter()
            .map(|m| {
                let mut countries: Vec<(String, String)> = m
                    .countries
                    .iter()
                    .map(|c| (c.clone(), t(locale, &format!("country-{c}"))))
                    .collect();
                countries.sort_by(|a, b| a.1.cmp(&b.1));
                Region {
                    market: market_view(m, locale),
                    countries,
                }
            })
            .collect()
    }

    pub async fn frame(
        ctx: &AppContext,
        locale: Locale,
    ) -> Result<(Frame, Market, String), ServerFnError> {
        let (market, country) = shopper(ctx, locale).await?;
        let home = ctx
            .catalog
            .home_collections(locale)
            .await
            .map_err(map_err)?;
        let csrf = cookie(CSRF_COOKIE)
            .map(|c| ctx.site_key.csrf_token(&c))
            .unwrap_or_default();
        let cart_count = match open_cart(ctx).await? {
            Some(cart) => ctx
                .checkout
                .item_count(&cart.id)
                .await
                .map_err(|e| map_checkout_err(&e))?,
            None => 0,
        };
        Ok((
            Frame {
                locale,
                market: market_view(&market, locale),
                money: MoneyStyle::of(locale, &country),
                country: country.clone(),
                regions: regions(ctx, locale),
                collections: home
                    .iter()
                    .map(|(title, path)| NavLink {
                        title: title.clone(),
                        path: path.clone(),
                    })
                    .collect(),
                public_url: ctx.public_url.clone(),
                csrf,
                cart_count,
            },
            market,
            country,
        ))
    }

    pub fn unavailable(detail: &str) -> ServerFnError {
        tracing::error!(detail, "storefront unavailable");
        ServerFnError::new("unavailable")
    }

    /// Keeps the error's stable code (see `routes::error_page`), and its detail only in
    /// the log: a database message never reaches a shopper.
    pub fn map_err(e: DomainError) -> ServerFnError {
        match e.code() {
            "unavailable" => unavailable(&e.to_string()),
            code => {
                tracing::info!(error = %e, "request refused");
                ServerFnError::new(code)
            }
        }
    }

    /// Runs a page query for a locale named in the URL; an unknown locale is not found.
    pub async fn load<T>(
        locale: &str,
        query: impl AsyncFnOnce(&AppContext, Locale, &Market, &str) -> Result<Lookup<T>, DomainError>,
    ) -> Result<Loaded<T>, ServerFnError> {
        let ctx = context()?;
        let (locale, known) = match locale.parse::<Locale>() {
            Ok(l) => (l, true),
            Err(_) => (Locale::DEFAULT, false),
        };
        let (frame, market, country) = frame(&ctx, locale).await?;
        let page = if !known {
            Outcome::NotFound
        } else {
            match query(&ctx, locale, &market, &country).await {
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
pub use server::{CART_KEY, COUNTRY_KEY, CSRF_COOKIE, cookie_in, resolve_shopper, session_cart};

#[server]
pub async fn load_frame(locale: String) -> Result<Frame, ServerFnError> {
    let ctx = server::context()?;
    let locale = locale.parse().unwrap_or(Locale::DEFAULT);
    Ok(server::frame(&ctx, locale).await?.0)
}

#[server]
pub async fn load_home(locale: String) -> Result<Loaded<HomePage>, ServerFnError> {
    server::load(&locale, async |ctx, locale, market, country| {
        ctx.catalog
            .home(locale, market, country)
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
    server::load(&locale, async |ctx, locale, market, country| {
        ctx.catalog
            .collection_page(
                locale,
                market,
                country,
                &slug,
                SortOrder::from_key(&sort),
                page,
            )
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
    server::load(&locale, async |ctx, locale, market, country| {
        ctx.catalog
            .product_page(locale, market, country, &slug, &chosen)
            .await
    })
    .await
}

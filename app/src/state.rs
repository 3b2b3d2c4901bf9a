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
}

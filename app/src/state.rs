//! What the server hands every page render: the catalog and the store's public address.

use tradewind_domain::catalog::Catalog;

#[derive(Clone)]
pub struct AppContext {
    pub catalog: Catalog,
    /// Absolute origin for canonical, hreflang and OpenGraph URLs, without a trailing slash.
    pub public_url: String,
    /// The theme stylesheet, with a content hash so it can be cached for a year.
    pub theme_href: String,
}

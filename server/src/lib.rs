//! The tradewind server: configuration, database, router. `main.rs` is the CLI over it;
//! tests build the same router.

pub mod config;
pub mod db;
pub mod router;
pub mod sitemap;
pub mod state;

use sea_orm::DatabaseConnection;
use std::path::{Path, PathBuf};
use tradewind_app::state::AppContext;
use tradewind_domain::Currency;
use tradewind_domain::catalog::Catalog;
use tradewind_domain::error::DomainError;
use tradewind_domain::market::Markets;

pub use router::router;
pub use state::AppState;

/// Builds the shared state over a migrated database.
pub async fn build_state(
    db: DatabaseConnection,
    public_url: String,
    site_dir: &Path,
    media_dir: PathBuf,
) -> Result<AppState, DomainError> {
    let markets = Markets::load(&db).await?;
    let base_currency = shop_currency(&db).await?;
    let secure_cookies = public_url.starts_with("https://");
    Ok(AppState {
        leptos: state::leptos_options(site_dir),
        app: AppContext {
            catalog: Catalog::new(db, markets, base_currency),
            public_url,
            theme_href: format!(
                "/theme.css?v={}",
                state::content_hash(state::THEME_CSS.as_bytes())
            ),
        },
        media_dir,
        secure_cookies,
    })
}

async fn shop_currency(db: &DatabaseConnection) -> Result<Currency, DomainError> {
    use sea_orm::EntityTrait;
    use tradewind_domain::entity::shop;
    let Some(shop) = shop::Entity::find().one(db).await? else {
        return Ok(Currency::Usd);
    };
    Currency::from_code(&shop.base_currency)
        .ok_or_else(|| DomainError::Corrupt(format!("shop base currency `{}`", shop.base_currency)))
}

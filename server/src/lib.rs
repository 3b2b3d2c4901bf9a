//! The tradewind server: configuration, database, router. `main.rs` is the CLI over it;
//! tests build the same router.

// Leptos' view types nest deeply; release builds lay them out here.
#![recursion_limit = "256"]

pub mod assets;
pub mod backup;
pub mod checkout;
pub mod config;
pub mod db;
pub mod jobs;
pub mod limits;
pub mod metrics;
pub mod paypal;
pub mod router;
pub mod sessions;
pub mod shopper;
pub mod sitemap;
pub mod state;
pub mod voucher;
pub mod webhooks;

use sea_orm::DatabaseConnection;
use std::path::Path;
use std::sync::Arc;
use tradewind_app::state::AppContext;
use tradewind_domain::Currency;
use tradewind_domain::catalog::Catalog;
use tradewind_domain::checkout::{Checkout, Settings};
use tradewind_domain::error::DomainError;
use tradewind_domain::keys::SiteKey;
use tradewind_domain::market::Markets;
use tradewind_domain::price_book::{PriceBook, TaxTable};
use tradewind_domain::search::SearchIndex;
use tradewind_domain::search::log::QueryLog;

pub use router::router;
pub use state::AppState;

/// The catalog over a migrated database, with its markets, base currency and price book.
pub async fn catalog(db: DatabaseConnection) -> Result<Catalog, DomainError> {
    let markets = Markets::load(&db).await?;
    let base_currency = shop_currency(&db).await?;
    let book = PriceBook::new(TaxTable::load(&db).await?);
    Ok(Catalog::new(db, markets, base_currency, book))
}

/// Builds the shared state over a migrated database: the catalog, and the search index
/// under `data_dir/search` (built now if missing or outdated).
pub async fn build_state(
    db: DatabaseConnection,
    public_url: String,
    site_dir: &Path,
    data_dir: &Path,
) -> Result<AppState, DomainError> {
    let catalog = catalog(db.clone()).await?;
    let (search, since) = open_search(&catalog, data_dir).await?;
    let search = Arc::new(search);
    catalog.order_prices_with(search.clone());
    jobs::search_sync::spawn(
        catalog.clone(),
        search.clone(),
        jobs::search_sync::watermark_file(data_dir),
        since,
    );
    let secure_cookies = public_url.starts_with("https://");
    let site_key = SiteKey::load(&db, "csrf").await?;
    Ok(AppState {
        leptos: state::leptos_options(site_dir),
        app: AppContext {
            checkout: Checkout::new(catalog.clone(), Settings::default(), &public_url),
            catalog,
            public_url,
            theme_href: format!(
                "/theme.css?v={}",
                state::content_hash(state::THEME_CSS.as_bytes())
            ),
            search,
            search_log: QueryLog::start(db),
            site_key,
            regions: Default::default(),
            stripe_js: None,
            paypal_origin: None,
        },
        media_dir: data_dir.join("media"),
        secure_cookies,
        trusted_proxy: false,
        request_timeout: router::REQUEST_TIMEOUT,
        metrics: metrics::Metrics::new()
            .map_err(|e| DomainError::Invalid(format!("metrics: {e}")))?,
        stripe_webhook_secrets: Vec::new(),
        paypal_webhook_id: None,
    })
}

/// Opens the search index, rebuilding it when it is new, outdated or out of step with the
/// catalog (a different number of products, e.g. after `tradewind seed`). Also returns the
/// time after which catalog changes are not yet in the index, for the sync job.
pub async fn open_search(
    catalog: &Catalog,
    data_dir: &Path,
) -> Result<(SearchIndex, chrono::DateTime<chrono::Utc>), DomainError> {
    let opened_at = chrono::Utc::now();
    let (index, fresh) = search_index(catalog, data_dir)?;
    let active = catalog.active_product_count().await?;
    if fresh || index.document_count() != active {
        let started = std::time::Instant::now();
        let count = index.rebuild(catalog, false).await?;
        tracing::info!(
            products = count,
            seconds = started.elapsed().as_secs_f64(),
            "search index built"
        );
        // Everything changed before the rebuild began is in it.
        return Ok((index, opened_at));
    }
    // Changes made while the store was stopped are after the saved watermark.
    let since = jobs::search_sync::read_watermark(&jobs::search_sync::watermark_file(data_dir))
        .unwrap_or(opened_at);
    Ok((index, since))
}

/// The search index in `data_dir/search` for the catalog's markets, and whether it is new.
pub fn search_index(
    catalog: &Catalog,
    data_dir: &Path,
) -> Result<(SearchIndex, bool), DomainError> {
    SearchIndex::open(
        &data_dir.join("search"),
        data_dir.join("synonyms"),
        catalog.base_currency(),
        catalog.markets().all(),
    )
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

/// Takes cards through Stripe as `setup` says: the client for the checkout, Stripe.js and
/// the CSP's sources for the pages.
pub fn with_stripe(
    state: &mut AppState,
    setup: &config::StripeSetup,
) -> Result<(), tradewind_domain::payments::stripe::api::ApiError> {
    let api = tradewind_domain::payments::stripe::api::StripeApi::new(
        &setup.secret_key,
        &setup.api_base,
    )?;
    state.app.checkout = state.app.checkout.clone().with_stripe(api);
    state.app.stripe_js = Some(tradewind_app::state::StripeJs::new(
        &setup.publishable_key,
        &setup.js_url,
    ));
    Ok(())
}

/// Takes payments through PayPal as `setup` says: the client for the checkout, the webhook
/// id, and PayPal's checkout page in the pages' CSP (`form-action`: placing an order and the
/// order page's button end there).
pub fn with_paypal(state: &mut AppState, setup: &config::PaypalSetup) {
    use tradewind_domain::payments::paypal::api::{PaypalApi, checkout_origin};
    let api = PaypalApi::new(&setup.api_base, &setup.client_id, &setup.client_secret);
    state.app.checkout = state.app.checkout.clone().with_paypal(api);
    state.app.paypal_origin = Some(checkout_origin(&setup.api_base));
    state.paypal_webhook_id = setup.webhook_id.clone();
}

//! Keeps the search index in step with the catalog: every second, products whose
//! `updated_at` moved (edited, archived, re-activated, by any writer) are indexed again.
//! Code that changes stock without touching the product calls `SearchIndex::reindex` itself.

use std::sync::Arc;
use std::time::Duration;
use tradewind_domain::catalog::Catalog;
use tradewind_domain::search::SearchIndex;

pub const INTERVAL: Duration = Duration::from_secs(1);

/// Runs until the runtime stops. Starts from "now": the index was just built or opened.
pub fn spawn(catalog: Catalog, search: Arc<SearchIndex>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut watermark = chrono::Utc::now();
        let mut tick = tokio::time::interval(INTERVAL);
        loop {
            tick.tick().await;
            let changed = match catalog.changed_since(watermark).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "search sync: cannot read changes");
                    continue;
                }
            };
            let Some(latest) = changed.last().map(|(_, at)| *at) else {
                continue;
            };
            let ids: Vec<i32> = changed.iter().map(|(id, _)| *id).collect();
            match search.reindex(&catalog, &ids).await {
                Ok(()) => {
                    tracing::debug!(products = ids.len(), "search sync: reindexed");
                    watermark = latest;
                }
                Err(e) => tracing::warn!(error = %e, "search sync: reindex failed, will retry"),
            }
        }
    })
}

//! Keeps the search index in step with the catalog: every second, products whose
//! `updated_at` moved (edited, archived, re-activated, by any writer) are indexed again.
//! The point reached is saved beside the index, so edits made while the store was stopped
//! are picked up at the next start. Code that changes stock without touching the product
//! calls `SearchIndex::reindex` itself.

use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tradewind_domain::catalog::Catalog;
use tradewind_domain::search::SearchIndex;

pub const INTERVAL: Duration = Duration::from_secs(1);
/// Ids per reindex call: a bulk edit of the whole catalog is indexed in steps.
const CHUNK: usize = 500;

/// Where the sync job keeps its watermark.
pub fn watermark_file(data_dir: &Path) -> PathBuf {
    data_dir.join("search").join("sync-watermark")
}

pub fn read_watermark(file: &Path) -> Option<DateTime<Utc>> {
    let text = std::fs::read_to_string(file).ok()?;
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn save_watermark(file: &Path, at: DateTime<Utc>) {
    let tmp = file.with_extension("tmp");
    let saved = std::fs::write(&tmp, at.to_rfc3339()).and_then(|()| std::fs::rename(&tmp, file));
    if let Err(e) = saved {
        tracing::warn!(error = %e, "search sync: watermark not saved");
    }
}

/// Runs until the runtime stops, reindexing products changed after `since`.
pub fn spawn(
    catalog: Catalog,
    search: Arc<SearchIndex>,
    file: PathBuf,
    since: DateTime<Utc>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut watermark = since;
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
            let mut failed = false;
            for chunk in ids.chunks(CHUNK) {
                if let Err(e) = search.reindex(&catalog, chunk).await {
                    tracing::warn!(error = %e, "search sync: reindex failed, will retry");
                    failed = true;
                    break;
                }
            }
            if !failed {
                tracing::debug!(products = ids.len(), "search sync: reindexed");
                watermark = latest;
                save_watermark(&file, watermark);
            }
        }
    })
}

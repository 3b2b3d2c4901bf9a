//! What shoppers search for, per market: every query with its result count, written in
//! batches off the request path, for the merchant's "top searches" and "searches with no
//! results" (the analytics pages come later; the queries below serve them).

use crate::entity::search_query;
use crate::error::Result;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tokio::sync::{mpsc, oneshot};

pub struct Logged {
    pub market: String,
    pub locale: String,
    pub query: String,
    pub results: usize,
}

enum Message {
    Query(Logged),
    Flush(oneshot::Sender<()>),
}

/// A handle to the background writer. Cloning is cheap; logging never waits for the database.
#[derive(Clone)]
pub struct QueryLog {
    tx: mpsc::Sender<Message>,
}

/// Queries are normalized so "Mug", " mug " and "MUG" count as one.
pub fn normalize(query: &str) -> String {
    query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl QueryLog {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(db: DatabaseConnection) -> Self {
        let (tx, mut rx) = mpsc::channel::<Message>(10_000);
        tokio::spawn(async move {
            let mut batch: Vec<search_query::ActiveModel> = Vec::new();
            loop {
                // Write when the batch is full, when a second passes without queries, on
                // flush and on shutdown.
                let message =
                    tokio::time::timeout(std::time::Duration::from_secs(1), rx.recv()).await;
                let (write, waiter, done) = match message {
                    Ok(Some(Message::Query(q))) => {
                        batch.push(search_query::ActiveModel {
                            market: Set(q.market),
                            locale: Set(q.locale),
                            query: Set(q.query.chars().take(256).collect()),
                            results: Set(i32::try_from(q.results).unwrap_or(i32::MAX)),
                            created_at: Set(Utc::now()),
                            ..Default::default()
                        });
                        (batch.len() >= 200, None, false)
                    }
                    Ok(Some(Message::Flush(w))) => (true, Some(w), false),
                    Ok(None) => (true, None, true),
                    Err(_) => (true, None, false),
                };
                if write && !batch.is_empty() {
                    let rows = std::mem::take(&mut batch);
                    if let Err(e) = search_query::Entity::insert_many(rows)
                        .exec_without_returning(&db)
                        .await
                    {
                        tracing::warn!(error = %e, "search log: batch not written");
                    }
                }
                if let Some(w) = waiter {
                    let _ = w.send(());
                }
                if done {
                    break;
                }
            }
        });
        Self { tx }
    }

    /// Records a search; drops it (with a warning) if the writer is far behind.
    pub fn record(&self, entry: Logged) {
        if entry.query.is_empty() {
            return;
        }
        if self.tx.try_send(Message::Query(entry)).is_err() {
            tracing::warn!("search log: queue full, entry dropped");
        }
    }

    /// Waits until everything recorded so far is written.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Message::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryCount {
    pub query: String,
    pub searches: i64,
}

async fn top(
    db: &DatabaseConnection,
    market: &str,
    since: DateTime<Utc>,
    zero_only: bool,
    limit: u64,
) -> Result<Vec<QueryCount>> {
    let mut q = search_query::Entity::find()
        .select_only()
        .column(search_query::Column::Query)
        .column_as(Expr::col(search_query::Column::Id).count(), "searches")
        .filter(search_query::Column::Market.eq(market))
        .filter(search_query::Column::CreatedAt.gte(since));
    if zero_only {
        q = q.filter(search_query::Column::Results.eq(0));
    }
    let rows: Vec<(String, i64)> = q
        .group_by(search_query::Column::Query)
        .order_by_desc(Expr::col(search_query::Column::Id).count())
        .order_by_asc(search_query::Column::Query)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(query, searches)| QueryCount { query, searches })
        .collect())
}

/// The most frequent searches in a market since a time.
pub async fn top_queries(
    db: &DatabaseConnection,
    market: &str,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<QueryCount>> {
    top(db, market, since, false, limit).await
}

/// The most frequent searches that found nothing: products to add, synonyms to write.
pub async fn zero_result_queries(
    db: &DatabaseConnection,
    market: &str,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<QueryCount>> {
    top(db, market, since, true, limit).await
}

//! The email outbox: messages are written in the same transaction as what caused them (an
//! order), then sent by a background job. A sender claims a message for a while before it
//! sends it, so two instances never send the same one; a failure is retried with backoff.

use crate::entity::email_outbox;
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// How long a claimed message is left to its sender before another may take it.
const CLAIM: Duration = Duration::minutes(5);

/// Up to `limit` messages due now, each claimed for this sender.
pub async fn claim_due(db: &DatabaseConnection, limit: u64) -> Result<Vec<email_outbox::Model>> {
    let now = Utc::now();
    let candidates = email_outbox::Entity::find()
        .filter(email_outbox::Column::SentAt.is_null())
        .filter(email_outbox::Column::NextAttemptAt.lte(now))
        .filter(free(now))
        .order_by_asc(email_outbox::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for m in candidates {
        let taken = email_outbox::Entity::update_many()
            .col_expr(email_outbox::Column::ClaimedUntil, Expr::value(now + CLAIM))
            .filter(email_outbox::Column::Id.eq(m.id))
            .filter(email_outbox::Column::SentAt.is_null())
            .filter(free(now))
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            claimed.push(m);
        }
    }
    Ok(claimed)
}

fn free(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(email_outbox::Column::ClaimedUntil.is_null())
        .add(email_outbox::Column::ClaimedUntil.lt(now))
}

pub async fn mark_sent(db: &DatabaseConnection, id: i32) -> Result<()> {
    email_outbox::Entity::update_many()
        .col_expr(email_outbox::Column::SentAt, Expr::value(Utc::now()))
        .col_expr(
            email_outbox::Column::ClaimedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(email_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The wait before attempt `attempts + 1`: 30 s, 1 min, 2 min… at most 6 hours.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    let seconds = 30i64.saturating_mul(1i64 << exp.min(16));
    Duration::seconds(seconds.min(6 * 3600))
}

pub async fn mark_failed(
    db: &DatabaseConnection,
    m: &email_outbox::Model,
    error: &str,
) -> Result<()> {
    let attempts = m.attempts.saturating_add(1);
    email_outbox::Entity::update_many()
        .col_expr(email_outbox::Column::Attempts, Expr::value(attempts))
        .col_expr(
            email_outbox::Column::NextAttemptAt,
            Expr::value(Utc::now() + backoff(m.attempts)),
        )
        .col_expr(
            email_outbox::Column::ClaimedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            email_outbox::Column::LastError,
            Expr::value(error.chars().take(500).collect::<String>()),
        )
        .filter(email_outbox::Column::Id.eq(m.id))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(0), Duration::seconds(30));
        assert_eq!(backoff(1), Duration::seconds(60));
        assert_eq!(backoff(4), Duration::seconds(480));
        assert_eq!(backoff(30), Duration::hours(6));
    }
}

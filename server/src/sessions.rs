//! Shopper sessions (tower-sessions) kept in the store's own database, so several
//! instances on one PostgreSQL share them and a restart keeps them. The cookie holds only a
//! random id, signed with a key derived from the site key; a session is written only when
//! something is put in it, so browsing costs no write.

use async_trait::async_trait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::time::Duration;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::cookie::{Key, SameSite};
use tower_sessions::service::SignedCookie;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, ExpiredDeletion, Result, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tradewind_domain::entity::session;
use tradewind_domain::keys::SiteKey;

/// The session cookie's name.
pub const COOKIE: &str = "session";
/// A guest session lasts this long after its last change (the checkout's cart with it).
pub const IDLE_DAYS: i64 = 30;

#[derive(Clone, Debug)]
pub struct DbStore {
    db: DatabaseConnection,
}

impl DbStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    fn row(record: &Record) -> Result<session::ActiveModel> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        Ok(session::ActiveModel {
            id: Set(record.id.to_string()),
            data: Set(data),
            expires_at: Set(to_chrono(record.expiry_date)),
        })
    }

    /// Removes expired sessions every `every`, for as long as the store runs.
    pub fn spawn_cleanup(self, every: Duration) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if let Err(e) = self.delete_expired().await {
                    tracing::warn!(error = %e, "expired sessions not removed");
                }
            }
        });
    }
}

fn backend(e: sea_orm::DbErr) -> Error {
    Error::Backend(e.to_string())
}

fn to_chrono(t: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}

#[async_trait]
impl SessionStore for DbStore {
    /// A new session under a fresh id; on the (astronomically rare) clash of two random
    /// 128-bit ids, another id.
    async fn create(&self, record: &mut Record) -> Result<()> {
        for _ in 0..3 {
            let inserted = session::Entity::insert(Self::row(record)?)
                .exec(&self.db)
                .await;
            match inserted {
                Ok(_) => return Ok(()),
                Err(e)
                    if session::Entity::find_by_id(record.id.to_string())
                        .one(&self.db)
                        .await
                        .map_err(backend)?
                        .is_some() =>
                {
                    tracing::debug!(error = %e, "session id taken; drawing another");
                    record.id = Id::default();
                }
                Err(e) => return Err(backend(e)),
            }
        }
        Err(Error::Backend("no free session id".into()))
    }

    async fn save(&self, record: &Record) -> Result<()> {
        session::Entity::insert(Self::row(record)?)
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(row) = session::Entity::find_by_id(id.to_string())
            .filter(session::Column::ExpiresAt.gt(chrono::Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        session::Entity::delete_by_id(id.to_string())
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbStore {
    async fn delete_expired(&self) -> Result<()> {
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(chrono::Utc::now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// The session layer: `session` cookie, HttpOnly, SameSite=Lax, Secure on https, signed;
/// a session lives `IDLE_DAYS` after its last change.
pub fn layer(
    db: DatabaseConnection,
    key: &SiteKey,
    secure: bool,
) -> SessionManagerLayer<DbStore, SignedCookie> {
    // 64 bytes, the length a signing key takes.
    let key = Key::from(&key.derive("session-cookie"));
    SessionManagerLayer::new(DbStore::new(db))
        .with_name(COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(IDLE_DAYS),
        ))
        .with_signed(key)
}

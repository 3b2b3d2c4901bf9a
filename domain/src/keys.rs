//! The secret the store signs with, and the CSRF tokens made from it.
//!
//! CSRF uses the signed double-submit pattern: each browser gets a random, HttpOnly cookie;
//! every form carries the HMAC of that cookie under the site key. A forged cross-site form
//! can neither read the cookie nor compute its HMAC, and nothing is stored per visitor, so
//! crawlers and first visits cost no database write.

use crate::entity::site_key;
use crate::error::{DomainError, Result};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use sha2::Sha256;
use std::fmt;

/// 32 secret bytes. `Debug` never shows them.
#[derive(Clone)]
pub struct SiteKey([u8; 32]);

impl fmt::Debug for SiteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SiteKey(…)")
    }
}

impl SiteKey {
    /// The key called `name`, made and stored on first use. Two instances starting at once
    /// may both try to make it: the second insert fails and both read the one stored.
    pub async fn load(db: &DatabaseConnection, name: &str) -> Result<Self> {
        if let Some(row) = site_key::Entity::find_by_id(name).one(db).await? {
            return Self::decode(name, &row.secret);
        }
        let fresh = random_bytes()?;
        let insert = site_key::Entity::insert(site_key::ActiveModel {
            name: Set(name.to_owned()),
            secret: Set(STANDARD.encode(fresh)),
            created_at: Set(chrono::Utc::now()),
        })
        .exec(db)
        .await;
        if let Err(e) = insert {
            tracing::debug!(error = %e, "site key made elsewhere first");
        }
        let row = site_key::Entity::find_by_id(name)
            .one(db)
            .await?
            .ok_or_else(|| DomainError::Corrupt(format!("site key {name} missing")))?;
        Self::decode(name, &row.secret)
    }

    fn decode(name: &str, secret: &str) -> Result<Self> {
        STANDARD
            .decode(secret)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .map(Self)
            .ok_or_else(|| DomainError::Corrupt(format!("site key {name}")))
    }

    /// A key for tests and tools that need no database.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    fn mac(&self, purpose: &str, value: &str) -> Hmac<Sha256> {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac
    }

    /// 64 bytes for another purpose (signing session cookies), derived from this key so
    /// there is one secret to keep: HMAC-SHA256 of the purpose, twice.
    pub fn derive(&self, purpose: &str) -> [u8; 64] {
        let mut out = [0u8; 64];
        for (i, half) in out.chunks_mut(32).enumerate() {
            let block = self.mac(purpose, &i.to_string()).finalize().into_bytes();
            half.copy_from_slice(&block);
        }
        out
    }

    /// The CSRF token for a browser's CSRF cookie.
    pub fn csrf_token(&self, cookie: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac("csrf", cookie).finalize().into_bytes())
    }

    /// Whether `token` is the CSRF token of `cookie`, compared in constant time.
    pub fn csrf_valid(&self, cookie: &str, token: &str) -> bool {
        let Ok(sig) = URL_SAFE_NO_PAD.decode(token) else {
            return false;
        };
        !cookie.is_empty() && self.mac("csrf", cookie).verify_slice(&sig).is_ok()
    }
}

/// A fresh random CSRF cookie value (128 bits, URL-safe).
pub fn new_csrf_cookie() -> Result<String> {
    random_token(16)
}

/// `len` random bytes (at most 32), URL-safe base64: cart ids, order links.
pub fn random_token(len: usize) -> Result<String> {
    let bytes = random_bytes()?;
    Ok(URL_SAFE_NO_PAD.encode(&bytes[..len.min(32)]))
}

fn random_bytes() -> Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| DomainError::Io(std::io::Error::other(e.to_string())))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_belong_to_their_cookie_and_key() {
        let key = SiteKey::from_bytes([7; 32]);
        let token = key.csrf_token("abc");
        assert!(key.csrf_valid("abc", &token));
        assert!(!key.csrf_valid("abd", &token));
        assert!(!key.csrf_valid("", &key.csrf_token("")));
        assert!(!key.csrf_valid("abc", "not base64!"));
        assert!(!SiteKey::from_bytes([8; 32]).csrf_valid("abc", &token));
        assert_eq!(format!("{key:?}"), "SiteKey(…)");
        let derived = key.derive("session-cookie");
        assert_ne!(derived[..32], derived[32..]);
        assert_ne!(derived, key.derive("other"));
        let a = new_csrf_cookie().unwrap();
        assert_eq!(a.len(), 22);
        assert_ne!(a, new_csrf_cookie().unwrap());
    }
}

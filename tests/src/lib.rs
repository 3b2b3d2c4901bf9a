//! A store to test against: a fresh SQLite file or a fresh PostgreSQL database, migrated,
//! seeded with the demo store, behind the real router.

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

pub mod paypal_peer;
pub mod peer;
pub mod shopper;
pub mod stripe_peer;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestStore {
    pub router: Router,
    pub db: DatabaseConnection,
    pub state: tradewind_server::AppState,
    /// This store's data dir (search index, synonyms).
    pub data_dir: PathBuf,
    /// The database URL.
    pub url: String,
    pub backend: Backend,
    /// PostgreSQL databases to drop when the test ends.
    cleanup: std::sync::Mutex<Vec<(String, String)>>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The `Set-Cookie` header that sets cookie `name`, whole.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);
pub const PUBLIC_URL: &str = "https://shop.example.com";

fn scratch_dir() -> PathBuf {
    std::env::temp_dir().join("tradewind-tests")
}

/// The PostgreSQL server for tests; `TRADEWIND_TEST_POSTGRES` overrides it.
fn postgres_admin_url() -> String {
    std::env::var("TRADEWIND_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Whether a missing PostgreSQL fails the suite (CI and the README command) or skips.
fn postgres_required() -> bool {
    std::env::var("TRADEWIND_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
        || std::env::var("CI").is_ok()
}

/// A new empty database on `backend` (its URL, and what to drop afterwards), or `None` when
/// PostgreSQL is not there and not required.
async fn empty_database(backend: Backend, n: usize) -> Option<(String, Option<(String, String)>)> {
    let pid = std::process::id();
    let found = match backend {
        Backend::Sqlite => {
            let dir = scratch_dir().join(format!("db-{pid}-{n}"));
            std::fs::create_dir_all(&dir).expect("scratch dir");
            (
                format!("sqlite://{}?mode=rwc", dir.join("store.db").display()),
                None,
            )
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let admin = match Database::connect(&admin_url).await {
                Ok(db) => db,
                Err(e) if !postgres_required() => {
                    eprintln!("skipping PostgreSQL tests: {e}");
                    return None;
                }
                Err(e) => panic!(
                    "PostgreSQL is required for this run but unreachable at {admin_url}: {e}"
                ),
            };
            let name = format!("tradewind_test_{pid}_{n}");
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                .await
                .expect("drop db");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create db");
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b.to_owned())
                .unwrap_or(admin_url.clone());
            (format!("{base}/{name}"), Some((admin_url, name)))
        }
    };
    Some(found)
}

impl TestStore {
    /// A seeded store on `backend`, or `None` when PostgreSQL is not there and not required.
    pub async fn new(backend: Backend) -> Option<Self> {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        let (url, cleanup) = empty_database(backend, n).await?;
        // Every test has a store of its own, all at once: small pools keep them all inside
        // PostgreSQL's 100 connections.
        let db = tradewind_server::db::connect_with(&url, 3)
            .await
            .expect("connect");
        tradewind_server::db::migrate(&db).await.expect("migrate");
        // Pictures are shared (drawn once per run); the search index is the store's own.
        let media = scratch_dir().join("media");
        tradewind_domain::seed::demo(&db, &media)
            .await
            .expect("seed");
        let data_dir = scratch_dir().join(format!("data-{pid}-{n}"));
        let _ = std::fs::remove_dir_all(&data_dir);
        std::fs::create_dir_all(&data_dir).expect("data dir");
        let mut state = tradewind_server::build_state(
            db.clone(),
            PUBLIC_URL.to_owned(),
            &scratch_dir().join("no-site"),
            &data_dir,
        )
        .await
        .expect("state");
        state.media_dir = media;
        // Dozens of stores share two cores here: a request may wait for CPU far longer than
        // on a server. Failing is left to the harness's own, longer limit below.
        state.request_timeout = std::time::Duration::from_secs(150);
        state.stripe_webhook_secrets = vec![STRIPE_WEBHOOK_SECRET.to_owned()];
        Some(Self {
            router: tradewind_server::router(state.clone()),
            db,
            cleanup: std::sync::Mutex::new(cleanup.into_iter().collect()),
            state,
            data_dir,
            url,
            backend,
        })
    }

    /// This store taking cards through the localstripe at `peer`, as `serve` does with
    /// Stripe's settings: the checkout offers cards and pages load its Stripe.js.
    pub fn take_cards(&mut self, peer: &stripe_peer::StripePeer) {
        let setup = tradewind_server::config::StripeSetup {
            secret_key: stripe_peer::SECRET_KEY.into(),
            publishable_key: stripe_peer::PUBLISHABLE_KEY.into(),
            api_base: peer.base(),
            js_url: format!("{}js.stripe.com/v3/", peer.base()),
        };
        tradewind_server::with_stripe(&mut self.state, &setup).expect("a Stripe client");
        self.router = tradewind_server::router(self.state.clone());
    }

    /// This store taking payments through the PayPal peer, as `serve` does with PayPal's
    /// settings: the checkout offers PayPal, and its webhook is on.
    pub fn take_paypal(&mut self, peer: &paypal_peer::PaypalPeer) {
        let setup = tradewind_server::config::PaypalSetup {
            client_id: paypal_peer::CLIENT_ID.into(),
            client_secret: paypal_peer::CLIENT_SECRET.into(),
            webhook_id: Some(paypal_peer::WEBHOOK_ID.into()),
            api_base: peer.base(),
        };
        tradewind_server::with_paypal(&mut self.state, &setup);
        self.router = tradewind_server::router(self.state.clone());
    }

    pub async fn get(&self, path: &str) -> Page {
        self.request(path, &[]).await
    }

    pub async fn request(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        self.send("GET", path, headers, "").await
    }

    /// The demo market with `code` (EU, JP…).
    pub fn market(&self, code: &str) -> tradewind_domain::market::Market {
        self.state
            .app
            .catalog
            .markets()
            .by_code(code)
            .cloned()
            .unwrap_or_else(|| panic!("no market {code}"))
    }

    /// A first visit to `path`: its CSRF cookie (as `name=value`) and the token its forms
    /// carry.
    pub async fn csrf(&self, path: &str) -> (String, String) {
        let page = self.get(path).await;
        let cookie = page
            .set_cookie("csrf")
            .expect("a first visit gets a CSRF cookie");
        for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(cookie.contains(flag), "{cookie} lacks {flag}");
        }
        let token = attr_near(&page.body, r#"name="csrf""#, "value").expect("the form has a token");
        (
            cookie.split(';').next().unwrap_or_default().to_owned(),
            token,
        )
    }

    /// The `cookie` header of a shopper who chose `country` with the country switcher,
    /// as a browser would: a first visit, then the form.
    pub async fn shopper_in(&self, country: &str) -> String {
        let (csrf, token) = self.csrf("/en").await;
        let res = self
            .post(
                "/en/country",
                &[("cookie", csrf.as_str()), ("origin", PUBLIC_URL)],
                &format!("csrf={token}&country={country}"),
            )
            .await;
        assert_eq!(res.status, http::StatusCode::SEE_OTHER, "{country}");
        let session = res.set_cookie("session").expect("a session cookie");
        session.split(';').next().unwrap_or_default().to_owned()
    }

    /// A form POST: `body` is `application/x-www-form-urlencoded`.
    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: &str) -> Page {
        let mut headers = headers.to_vec();
        headers.push(("content-type", "application/x-www-form-urlencoded"));
        self.send("POST", path, &headers, body).await
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Page {
        self.send_from([127, 0, 0, 1], method, path, headers, body)
            .await
    }

    /// A request from the client at `ip` (what the server reads from the connection).
    pub async fn send_from(
        &self,
        ip: [u8; 4],
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Page {
        let peer = std::net::SocketAddr::from((ip, 40000));
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .extension(axum::extract::ConnectInfo(peer));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        // A request that never answers fails its test, naming the path, instead of hanging
        // the whole run.
        let res = tokio::time::timeout(
            std::time::Duration::from_secs(180),
            self.router
                .clone()
                .oneshot(req.body(Body::from(body.to_owned())).expect("request")),
        )
        .await
        .unwrap_or_else(|_| panic!("no answer to {path} within 180 s"))
        .expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body");
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Drops the PostgreSQL database (SQLite files live in the temp dir).
    pub async fn finish(self) {
        let Self {
            db,
            cleanup,
            data_dir,
            ..
        } = self;
        let _ = std::fs::remove_dir_all(data_dir);
        // The store's background jobs may still hold a connection; never wait for ever.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), db.close()).await;
        let dbs = cleanup.into_inner().unwrap_or_default();
        for (admin_url, name) in dbs {
            if let Ok(admin) = Database::connect(&admin_url).await {
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok();
            }
        }
    }

    /// A second, empty database on this store's backend (dropped with the store), e.g. to
    /// restore a backup into.
    pub async fn another_database(&self) -> String {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let (url, cleanup) = empty_database(self.backend, n)
            .await
            .expect("the backend this store runs on");
        if let (Some(c), Ok(mut list)) = (cleanup, self.cleanup.lock()) {
            list.push(c);
        }
        url
    }
}

/// The secret every test store checks Stripe's webhook signatures with.
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_tradewind_test";

/// Runs each test on SQLite and on PostgreSQL, with a store taking cards through a
/// localstripe of its own: `async fn name(s: &TestStore, peer: &StripePeer)`.
#[macro_export]
macro_rules! on_both_backends_with_cards {
    (@backend $module:ident, $backend:ident, $($name:ident),*) => {
        mod $module {
            $(#[tokio::test] async fn $name() {
                if let Some(mut s) = $crate::TestStore::new($crate::Backend::$backend).await {
                    let peer = $crate::stripe_peer::StripePeer::start();
                    s.take_cards(&peer);
                    super::$name(&s, &peer).await;
                    s.finish().await;
                }
            })*
        }
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_backends_with_cards!(@backend sqlite, Sqlite, $($name),*);
        $crate::on_both_backends_with_cards!(@backend postgres, Postgres, $($name),*);
    };
}

/// As `on_both_backends`, on a store taking payments through the binary's PayPal peer.
#[macro_export]
macro_rules! on_both_backends_with_paypal {
    (@backend $module:ident, $backend:ident, $($name:ident),*) => {
        mod $module {
            $(#[tokio::test] async fn $name() {
                if let Some(mut s) = $crate::TestStore::new($crate::Backend::$backend).await {
                    s.take_paypal($crate::paypal_peer::PaypalPeer::shared());
                    super::$name(&s).await;
                    s.finish().await;
                }
            })*
        }
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_backends_with_paypal!(@backend sqlite, Sqlite, $($name),*);
        $crate::on_both_backends_with_paypal!(@backend postgres, Postgres, $($name),*);
    };
}

/// Runs each named `async fn(&TestStore)` as two tests, `sqlite::name` and `postgres::name`,
/// each on a fresh store of its own (PostgreSQL ones are skipped when it is not there and not
/// required).
#[macro_export]
macro_rules! on_both_backends {
    (@backend $module:ident, $backend:ident, $($name:ident),*) => {
        mod $module {
            $(#[tokio::test] async fn $name() {
                if let Some(s) = $crate::TestStore::new($crate::Backend::$backend).await {
                    super::$name(&s).await;
                    s.finish().await;
                }
            })*
        }
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_backends!(@backend sqlite, Sqlite, $($name),*);
        $crate::on_both_backends!(@backend postgres, Postgres, $($name),*);
    };
}

/// All `<script type="application/ld+json">` blocks of a page, parsed.
pub fn json_ld(html: &str) -> Vec<serde_json::Value> {
    let re = regex::Regex::new(r#"(?s)<script type="application/ld\+json">(.*?)</script>"#)
        .expect("regex");
    re.captures_iter(html)
        .map(|c| serde_json::from_str(&c[1]).expect("JSON-LD parses"))
        .collect()
}

/// The value of the first `attr="…"` on a tag that contains `marker`.
pub fn attr_near(html: &str, marker: &str, attr: &str) -> Option<String> {
    let at = html.find(marker)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let key = format!("{attr}=\"");
    let from = tag.find(&key)? + key.len();
    Some(tag[from..from + tag[from..].find('"')?].to_owned())
}

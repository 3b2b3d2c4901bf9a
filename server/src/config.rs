//! One typed configuration from flags, environment and defaults, checked at start so a
//! bad setting stops the store with a message naming it.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// What `tradewind --version` prints: the release and the newest database migration it
/// carries (a test keeps the two in step), so an operator can tell which binary a database
/// needs.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (database schema m0009_payment_voucher)"
);

#[derive(Debug, Parser)]
#[command(name = "tradewind", version = VERSION, about = "A self-hosted storefront")]
pub struct Cli {
    #[command(flatten)]
    pub store: StoreConfig,
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start: the size of `serve`'s settings costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the store (migrates, and seeds the demo store into an empty database).
    Serve(ServeConfig),
    /// Apply database migrations and exit.
    Migrate,
    /// Rebuild the search index from the catalog.
    Reindex,
    /// Show or change tax rates (VAT, GST, consumption tax) per country and tax class.
    /// A running store reads them at start: restart it after a change.
    #[command(subcommand)]
    Tax(TaxCommand),
    /// Show or change how parcels enter each market: the de minimis, duties collected at
    /// checkout or on delivery, the number import VAT is collected under, tax rounding, and
    /// duty rates by HS code and origin. Takes effect with the next checkout page.
    #[command(subcommand)]
    Duty(DutyCommand),
    /// List orders, or move one along: confirm a bank transfer or cash payment, cancel.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Show or set stock on hand per variant (by SKU) and warehouse.
    #[command(subcommand)]
    Stock(StockCommand),
    /// Write the whole store (database, media, synonyms, with checksums) to one archive,
    /// while it keeps serving.
    Backup {
        /// The archive to write, e.g. tradewind-2026-12-01.tar.gz.
        #[arg(long)]
        output: PathBuf,
    },
    /// Restore an archive made by `backup` into an empty data dir (and database), check
    /// every file first, and rebuild the search index.
    Restore {
        archive: PathBuf,
        /// Replace a data dir or database that already holds a store.
        #[arg(long)]
        force: bool,
    },
    /// Add products: the demo store into an empty database, or N synthetic products.
    Seed {
        /// Generate this many synthetic products (for benchmarks) instead of the demo store.
        #[arg(long)]
        products: Option<usize>,
    },
}

#[derive(Debug, Subcommand)]
pub enum StockCommand {
    /// A variant's stock in each warehouse: variant id, SKU, warehouse, on hand, reserved.
    Show { sku: String },
    /// Set what is on hand (a count, a delivery): `tradewind stock set TW-LOTUS-MUG-JADE 40`.
    Set {
        sku: String,
        on_hand: i32,
        /// The warehouse's code (e.g. NL-VNL); the first warehouse if not given.
        #[arg(long)]
        warehouse: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// The newest orders.
    List {
        #[arg(long, default_value_t = 20)]
        limit: u64,
    },
    /// The payment arrived (a bank transfer, cash collected): the order is paid and the
    /// shopper is emailed.
    Paid {
        /// The order number, e.g. TW-10001.
        number: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Cancel an order and release its stock.
    Cancel {
        number: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Pay back all or part of a paid order (a manual payment: record what your bank sent);
    /// the shopper is emailed.
    Refund {
        number: String,
        /// In the order's currency, e.g. 12.50; everything left when omitted.
        #[arg(long)]
        amount: Option<String>,
        /// Why, for the order's history (the shopper's email says the amount).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TaxCommand {
    /// Every rate, by country.
    List,
    /// Set a rate, e.g. `tradewind tax set FR reduced 5.5 --label TVA` (the law changed).
    Set {
        /// ISO 3166 alpha-2 country code, e.g. DE.
        country: String,
        /// standard, reduced or zero.
        class: String,
        /// The rate in percent, e.g. 19 or 5.5.
        rate: String,
        /// What the tax is called there (VAT, MwSt., TVA, 消費税…).
        #[arg(long)]
        label: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DutyCommand {
    /// Every market's rule and duty rates.
    List,
    /// Set the duty on goods of an HS code entering a market, e.g.
    /// `tradewind duty set US 9405 28.9 --origin CN` (a tariff changed).
    Set {
        /// The market's code, e.g. US.
        market: String,
        /// An HS code or prefix (6911, 6911.10); `*` for every good (a flat rate).
        hs: String,
        /// The rate in percent, e.g. 12 or 3.7.
        rate: String,
        /// Only for goods from this country (ISO 3166, e.g. CN); any origin without it.
        #[arg(long)]
        origin: Option<String>,
    },
    /// Remove a duty rate.
    Remove {
        market: String,
        hs: String,
        #[arg(long)]
        origin: Option<String>,
    },
    /// Change a market's rule, e.g. `tradewind duty rule UK --de-minimis 135 --mode ddp`.
    Rule {
        market: String,
        /// Goods worth more than this (market currency, before tax and shipping) pay duty;
        /// `none`: every parcel does; `off`: no duties are reckoned.
        #[arg(long)]
        de_minimis: Option<String>,
        /// ddp (duties collected at checkout) or dap (the courier collects on delivery).
        #[arg(long)]
        mode: Option<String>,
        /// The number import VAT is collected under at or below the de minimis (IOSS, a UK
        /// VAT number); an empty value for none.
        #[arg(long)]
        vat_number: Option<String>,
        /// line (each line's tax rounded) or total (once per rate on the order).
        #[arg(long)]
        rounding: Option<String>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct StoreConfig {
    /// A file of `KEY=value` lines (the environment variables below). Flags win over the
    /// environment, which wins over the file.
    #[arg(long, env = "TRADEWIND_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Where the store keeps its files: the SQLite database (by default) and media.
    #[arg(
        long,
        env = "TRADEWIND_DATA_DIR",
        default_value = "data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// `sqlite://path?mode=rwc` or `postgres://user@host/db`. Default: SQLite in the data dir.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
}

/// Where `serve` says shoppers find the store when no public URL is set.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:3000";

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "TRADEWIND_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// The address shoppers use, for canonical and hreflang links, e.g. https://shop.example.com
    #[arg(long, env = "TRADEWIND_PUBLIC_URL", default_value = DEFAULT_PUBLIC_URL)]
    pub public_url: String,
    /// The built browser assets (`pkg/` with the wasm bundle), made by scripts/build-site.sh.
    #[arg(long, env = "TRADEWIND_SITE_DIR", default_value = "target/site")]
    pub site_dir: PathBuf,
    /// Do not seed the demo store into an empty database.
    #[arg(long, env = "TRADEWIND_NO_SEED")]
    pub no_seed: bool,
    /// Recent searches whose results are kept in memory for repeats (0 turns this off).
    #[arg(
        long,
        env = "TRADEWIND_SEARCH_CACHE",
        default_value_t = tradewind_domain::search::DEFAULT_CACHED_RESULTS
    )]
    pub search_cache: usize,
    /// The store runs behind its own reverse proxy (Caddy, nginx), which appends the
    /// client's address to `X-Forwarded-For`: rate limits count by that address.
    #[arg(long, env = "TRADEWIND_TRUSTED_PROXY", default_value_t = false)]
    pub trusted_proxy: bool,
    /// Where Prometheus metrics are served (`/metrics`), apart from the shop; `off` serves
    /// none.
    #[arg(
        long,
        env = "TRADEWIND_METRICS_LISTEN",
        default_value = "127.0.0.1:9464"
    )]
    pub metrics_listen: String,
    /// Days a guest's cart is kept after its last change.
    #[arg(long, env = "TRADEWIND_CART_DAYS", default_value_t = 30)]
    pub cart_days: i64,
    /// Minutes an unpaid card payment holds its stock (manual methods hold it until the
    /// merchant confirms or cancels).
    #[arg(long, env = "TRADEWIND_PAYMENT_MINUTES", default_value_t = 15)]
    pub payment_minutes: i64,
    #[command(flatten)]
    pub mail: MailConfig,
    #[command(flatten)]
    pub stripe: StripeConfig,
    #[command(flatten)]
    pub paypal: PaypalConfig,
}

/// Cards through Stripe. Without both keys Stripe is off and cards are not offered.
#[derive(Debug, Clone, Default, Args)]
pub struct StripeConfig {
    /// The secret API key (`sk_live_…`, `sk_test_…`, or a restricted `rk_…`).
    #[arg(long, env = "TRADEWIND_STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,
    /// The publishable key Stripe.js uses in the browser (`pk_live_…`, `pk_test_…`).
    #[arg(long, env = "TRADEWIND_STRIPE_PUBLISHABLE_KEY")]
    pub stripe_publishable_key: Option<String>,
    /// Stripe's webhook signing secret (`whsec_…`; two, comma separated, while one is
    /// rolled). Without it `/webhooks/stripe` answers 404, and card payments are settled
    /// when the shopper comes back and by the sweep for payments left pending.
    #[arg(long, env = "TRADEWIND_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,
    /// Stripe's API (a stand-in such as localstripe in tests).
    #[arg(
        long,
        env = "TRADEWIND_STRIPE_API_BASE",
        default_value = tradewind_domain::payments::stripe::api::DEFAULT_API_BASE
    )]
    pub stripe_api_base: String,
    /// Where browsers load Stripe.js from; the pages' CSP allows exactly its origin (and,
    /// for Stripe's own, the API and 3-D Secure frames it uses).
    #[arg(
        long,
        env = "TRADEWIND_STRIPE_JS_URL",
        default_value = tradewind_domain::payments::stripe::api::DEFAULT_JS_URL
    )]
    pub stripe_js_url: String,
}

/// PayPal (Orders v2). Without the client id and secret PayPal is off and not offered.
#[derive(Debug, Clone, Default, Args)]
pub struct PaypalConfig {
    /// The REST app's client id (PayPal's developer dashboard, Apps & Credentials).
    #[arg(long, env = "TRADEWIND_PAYPAL_CLIENT_ID")]
    pub paypal_client_id: Option<String>,
    /// The REST app's secret.
    #[arg(long, env = "TRADEWIND_PAYPAL_CLIENT_SECRET", hide_env_values = true)]
    pub paypal_client_secret: Option<String>,
    /// The id of the store's webhook at PayPal (letters and digits). Without it
    /// `/webhooks/paypal` answers 404, and payments are captured when the shopper comes back.
    #[arg(long, env = "TRADEWIND_PAYPAL_WEBHOOK_ID")]
    pub paypal_webhook_id: Option<String>,
    /// PayPal's API: https://api-m.paypal.com (live), https://api-m.sandbox.paypal.com
    /// (sandbox), or a stand-in in tests.
    #[arg(
        long,
        env = "TRADEWIND_PAYPAL_API_BASE",
        default_value = tradewind_domain::payments::paypal::api::LIVE_API_BASE
    )]
    pub paypal_api_base: String,
}

/// PayPal's settings, checked. Its `Debug` leaves the secret out.
#[derive(Clone, PartialEq, Eq)]
pub struct PaypalSetup {
    pub client_id: String,
    pub client_secret: String,
    pub webhook_id: Option<String>,
    /// Without a trailing slash.
    pub api_base: String,
}

impl std::fmt::Debug for PaypalSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaypalSetup")
            .field("client_id", &self.client_id)
            .field("webhook_id", &self.webhook_id)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// Stripe's settings, checked. Its `Debug` leaves the secret key out.
#[derive(Clone, PartialEq, Eq)]
pub struct StripeSetup {
    pub secret_key: String,
    pub publishable_key: String,
    /// With a trailing slash.
    pub api_base: String,
    pub js_url: String,
}

/// Where order email goes out. Without a host, email is off and messages wait in the
/// outbox until one is set.
#[derive(Debug, Clone, Default, Args)]
pub struct MailConfig {
    /// The SMTP server, e.g. smtp.example.com.
    #[arg(long, env = "TRADEWIND_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// Its port; by default 587 with starttls, 465 with tls, 25 with none.
    #[arg(long, env = "TRADEWIND_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// starttls (required), tls (implicit, port 465) or none (a local relay only).
    #[arg(long, env = "TRADEWIND_SMTP_TLS", default_value = "starttls")]
    pub smtp_tls: String,
    #[arg(long, env = "TRADEWIND_SMTP_USER")]
    pub smtp_user: Option<String>,
    #[arg(long, env = "TRADEWIND_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The sender shoppers see, e.g. `Tradewind <orders@shop.example.com>`.
    #[arg(
        long,
        env = "TRADEWIND_MAIL_FROM",
        default_value = "Tradewind <orders@localhost>"
    )]
    pub mail_from: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "TRADEWIND_METRICS_LISTEN (--metrics-listen): `{0}` is not an address such as 127.0.0.1:9464, or off"
    )]
    MetricsListen(String),
    #[error("DATABASE_URL (--database-url): `{0}` must start with sqlite:// or postgres://")]
    DatabaseUrl(String),
    #[error(
        "TRADEWIND_PUBLIC_URL (--public-url): `{0}` must be an http(s) origin such as https://shop.example.com, without a path"
    )]
    PublicUrl(String),
    #[error("TRADEWIND_SMTP_TLS (--smtp-tls): `{0}` is not starttls, tls or none")]
    SmtpTls(String),
    #[error("TRADEWIND_SMTP_HOST (--smtp-host): {0}")]
    SmtpHost(String),
    #[error(
        "TRADEWIND_MAIL_FROM (--mail-from): `{0}` is not an address such as Shop <orders@example.com>"
    )]
    MailFrom(String),
    #[error("TRADEWIND_CART_DAYS / TRADEWIND_PAYMENT_MINUTES: must be at least 1")]
    Selling,
    #[error(
        "TRADEWIND_STRIPE_WEBHOOK_SECRET (--stripe-webhook-secret): each secret starts with whsec_ (as Stripe's dashboard shows it)"
    )]
    StripeWebhookSecret,
    #[error(
        "TRADEWIND_STRIPE_SECRET_KEY (--stripe-secret-key) and TRADEWIND_STRIPE_PUBLISHABLE_KEY (--stripe-publishable-key): {0}"
    )]
    StripeKeys(&'static str),
    #[error("{0}: `{1}` is not an http(s) address such as {2}")]
    Url(&'static str, String, &'static str),
    #[error("{0}: {1}")]
    Paypal(&'static str, &'static str),
    #[error("TRADEWIND_DATA_DIR (--data-dir): cannot create `{0}`: {1}")]
    DataDir(String, std::io::Error),
}

impl std::fmt::Debug for StripeSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSetup")
            .field("publishable_key", &self.publishable_key)
            .field("api_base", &self.api_base)
            .field("js_url", &self.js_url)
            .finish_non_exhaustive()
    }
}

impl StoreConfig {
    /// The database URL to connect to; SQLite under the data dir unless set.
    pub fn database_url(&self) -> Result<String, ConfigError> {
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| ConfigError::DataDir(self.data_dir.display().to_string(), e))?;
        match &self.database_url {
            None => Ok(format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("tradewind.db").display()
            )),
            Some(url)
                if url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://") =>
            {
                Ok(url.clone())
            }
            Some(url) => Err(ConfigError::DatabaseUrl(url.clone())),
        }
    }

    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }
}

impl ServeConfig {
    /// The selling settings, checked.
    pub fn selling(&self) -> Result<tradewind_domain::checkout::Settings, ConfigError> {
        if self.cart_days < 1 || self.payment_minutes < 1 {
            return Err(ConfigError::Selling);
        }
        Ok(tradewind_domain::checkout::Settings {
            cart_days: self.cart_days,
            payment_minutes: self.payment_minutes,
        })
    }

    /// Stripe's webhook secrets, checked; none when unset.
    pub fn stripe_webhook_secrets(&self) -> Result<Vec<String>, ConfigError> {
        let Some(given) = &self.stripe.stripe_webhook_secret else {
            return Ok(Vec::new());
        };
        given
            .split(',')
            .map(str::trim)
            .map(|s| {
                let ok = s.len() > "whsec_".len()
                    && s.starts_with("whsec_")
                    && s.bytes().all(|b| b.is_ascii_graphic());
                ok.then(|| s.to_owned())
                    .ok_or(ConfigError::StripeWebhookSecret)
            })
            .collect()
    }

    /// Stripe's keys and addresses, checked; `None` when no key is set (Stripe is off). A
    /// key without the other, a key of the wrong kind, test and live keys mixed, or an
    /// address that is not http(s) stop the store with the setting's name.
    pub fn stripe(&self) -> Result<Option<StripeSetup>, ConfigError> {
        let c = &self.stripe;
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let (secret, public) = match (
            given(&c.stripe_secret_key),
            given(&c.stripe_publishable_key),
        ) {
            (None, None) => return Ok(None),
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                return Err(ConfigError::StripeKeys("the publishable key is missing"));
            }
            (None, Some(_)) => return Err(ConfigError::StripeKeys("the secret key is missing")),
        };
        let well_formed =
            |k: &str| k.len() > 8 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !(secret.starts_with("sk_") || secret.starts_with("rk_")) || !well_formed(secret) {
            return Err(ConfigError::StripeKeys(
                "the secret key starts with sk_ or rk_ (as Stripe's dashboard shows it)",
            ));
        }
        if !public.starts_with("pk_") || !well_formed(public) {
            return Err(ConfigError::StripeKeys(
                "the publishable key starts with pk_ (as Stripe's dashboard shows it)",
            ));
        }
        if secret.contains("_test_") != public.contains("_test_") {
            return Err(ConfigError::StripeKeys(
                "one key is a test key and the other a live key",
            ));
        }
        let url = |setting, value: &str, example| {
            let uri: Option<http::Uri> = value.trim().parse().ok();
            let ok = uri.as_ref().is_some_and(|u| {
                matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some()
            });
            ok.then(|| value.trim().to_owned())
                .ok_or_else(|| ConfigError::Url(setting, value.to_owned(), example))
        };
        let api_base = url(
            "TRADEWIND_STRIPE_API_BASE (--stripe-api-base)",
            &c.stripe_api_base,
            "https://api.stripe.com/",
        )?;
        let js_url = url(
            "TRADEWIND_STRIPE_JS_URL (--stripe-js-url)",
            &c.stripe_js_url,
            "https://js.stripe.com/v3/",
        )?;
        // Live keys travel only over TLS (a stand-in on this machine may be plain http).
        if !secret.contains("_test_") {
            for (setting, value, example) in [
                (
                    "TRADEWIND_STRIPE_API_BASE (--stripe-api-base)",
                    &api_base,
                    "https://api.stripe.com/",
                ),
                (
                    "TRADEWIND_STRIPE_JS_URL (--stripe-js-url)",
                    &js_url,
                    "https://js.stripe.com/v3/",
                ),
            ] {
                if !value.starts_with("https://") && !loopback(value) {
                    return Err(ConfigError::Url(setting, value.clone(), example));
                }
            }
        }
        Ok(Some(StripeSetup {
            secret_key: secret.to_owned(),
            publishable_key: public.to_owned(),
            api_base: format!("{}/", api_base.trim_end_matches('/')),
            js_url,
        }))
    }

    /// PayPal's settings, checked; `None` when neither the client id nor the secret is set
    /// (PayPal is off). One without the other, a malformed value, or an address that is not
    /// http(s) (https unless on this machine) stop the store with the setting's name.
    pub fn paypal(&self) -> Result<Option<PaypalSetup>, ConfigError> {
        const ID: &str = "TRADEWIND_PAYPAL_CLIENT_ID (--paypal-client-id)";
        const SECRET: &str = "TRADEWIND_PAYPAL_CLIENT_SECRET (--paypal-client-secret)";
        const WEBHOOK: &str = "TRADEWIND_PAYPAL_WEBHOOK_ID (--paypal-webhook-id)";
        let c = &self.paypal;
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (client_id, client_secret) =
            match (given(&c.paypal_client_id), given(&c.paypal_client_secret)) {
                (None, None) => return Ok(None),
                (Some(i), Some(s)) => (i, s),
                (Some(_), None) => {
                    return Err(ConfigError::Paypal(
                        SECRET,
                        "is missing, the client id is set",
                    ));
                }
                (None, Some(_)) => {
                    return Err(ConfigError::Paypal(ID, "is missing, the secret is set"));
                }
            };
        let credential = |v: &str| {
            v.len() >= 8
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !credential(&client_id) {
            return Err(ConfigError::Paypal(
                ID,
                "is not a client id as PayPal's dashboard shows it (letters, digits, - and _)",
            ));
        }
        if !credential(&client_secret) {
            return Err(ConfigError::Paypal(
                SECRET,
                "is not a secret as PayPal's dashboard shows it (letters, digits, - and _)",
            ));
        }
        let webhook_id = given(&c.paypal_webhook_id);
        if webhook_id
            .as_deref()
            .is_some_and(|w| w.len() > 50 || !w.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(ConfigError::Paypal(
                WEBHOOK,
                "is letters and digits, as PayPal's dashboard shows it",
            ));
        }
        let base = c.paypal_api_base.trim().trim_end_matches('/');
        let uri: Option<http::Uri> = base.parse().ok();
        let http_url = uri.as_ref().is_some_and(|u| {
            matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some()
        });
        if !http_url || !(base.starts_with("https://") || loopback(base)) {
            return Err(ConfigError::Url(
                "TRADEWIND_PAYPAL_API_BASE (--paypal-api-base)",
                c.paypal_api_base.clone(),
                "https://api-m.sandbox.paypal.com",
            ));
        }
        Ok(Some(PaypalSetup {
            client_id,
            client_secret,
            webhook_id,
            api_base: base.to_owned(),
        }))
    }

    /// The metrics listen address, or `None` for `off`.
    pub fn metrics_address(&self) -> Result<Option<SocketAddr>, ConfigError> {
        match self.metrics_listen.trim() {
            "off" => Ok(None),
            addr => addr
                .parse()
                .map(Some)
                .map_err(|_| ConfigError::MetricsListen(self.metrics_listen.clone())),
        }
    }

    /// The public origin as browsers write it in `Origin`: lower-case scheme and host, no
    /// default port, no trailing slash (the CSRF check compares it byte for byte).
    pub fn public_origin(&self) -> Result<String, ConfigError> {
        let bad = || ConfigError::PublicUrl(self.public_url.clone());
        let trimmed = self.public_url.trim_end_matches('/');
        let uri: http::Uri = trimmed.parse().map_err(|_| bad())?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        let no_path = uri.path() == "/" || uri.path().is_empty();
        let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
            return Err(bad());
        };
        if !scheme_ok || !no_path || uri.query().is_some() {
            return Err(bad());
        }
        let scheme = scheme.to_ascii_lowercase();
        let port = match (scheme.as_str(), uri.port_u16()) {
            ("https", Some(443)) | ("http", Some(80)) | (_, None) => String::new(),
            (_, Some(p)) => format!(":{p}"),
        };
        Ok(format!("{scheme}://{}{port}", host.to_ascii_lowercase()))
    }
}

/// Whether `url` is on this machine (a stand-in for a provider may use plain http there).
fn loopback(url: &str) -> bool {
    let host = url.split("://").nth(1).unwrap_or_default();
    host.starts_with("127.0.0.1") || host.starts_with("localhost") || host.starts_with("[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve(url: &str) -> ServeConfig {
        ServeConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            public_url: url.to_owned(),
            site_dir: PathBuf::new(),
            no_seed: false,
            search_cache: 0,
            trusted_proxy: false,
            metrics_listen: "off".into(),
            cart_days: 30,
            payment_minutes: 15,
            mail: MailConfig::default(),
            stripe: StripeConfig {
                stripe_api_base: "https://api.stripe.com/".into(),
                stripe_js_url: "https://js.stripe.com/v3/".into(),
                ..Default::default()
            },
            paypal: PaypalConfig {
                paypal_api_base: "https://api-m.paypal.com".into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn stripe_webhook_secrets_are_checked() {
        let mut cfg = serve("http://127.0.0.1:3000");
        assert_eq!(cfg.stripe_webhook_secrets().ok(), Some(Vec::new()));
        cfg.stripe.stripe_webhook_secret = Some("whsec_old, whsec_new".into());
        assert_eq!(
            cfg.stripe_webhook_secrets().ok(),
            Some(vec!["whsec_old".to_owned(), "whsec_new".to_owned()])
        );
        for bad in ["sk_test_123", "whsec_", "whsec_a,", "whsec_a b"] {
            cfg.stripe.stripe_webhook_secret = Some(bad.into());
            assert!(cfg.stripe_webhook_secrets().is_err(), "{bad}");
        }
    }

    #[test]
    fn stripe_settings_are_checked() {
        let mut cfg = serve("http://127.0.0.1:3000");
        assert_eq!(cfg.stripe().ok(), Some(None));
        cfg.stripe.stripe_secret_key = Some("sk_test_abc123".into());
        cfg.stripe.stripe_publishable_key = Some("pk_test_abc123".into());
        cfg.stripe.stripe_api_base = "http://127.0.0.1:8420".into();
        let setup = cfg.stripe().ok().flatten().expect("set up");
        assert_eq!(setup.api_base, "http://127.0.0.1:8420/");
        assert_eq!(setup.js_url, "https://js.stripe.com/v3/");
        let refused = |c: &ServeConfig| c.stripe().err().map(|e| e.to_string());
        let mut bad = cfg.clone();
        bad.stripe.stripe_publishable_key = None;
        assert!(refused(&bad).is_some_and(|e| e.contains("TRADEWIND_STRIPE_PUBLISHABLE_KEY")));
        for (secret, public) in [
            ("pk_test_abc123", "pk_test_abc123"),
            ("sk_test_abc123", "sk_test_abc123"),
            ("sk_live_abc123", "pk_test_abc123"),
            ("sk_test_abc 123", "pk_test_abc123"),
        ] {
            let mut bad = cfg.clone();
            bad.stripe.stripe_secret_key = Some(secret.into());
            bad.stripe.stripe_publishable_key = Some(public.into());
            assert!(refused(&bad).is_some(), "{secret} {public}");
        }
        let mut live = cfg.clone();
        live.stripe.stripe_secret_key = Some("sk_live_abc123".into());
        live.stripe.stripe_publishable_key = Some("pk_live_abc123".into());
        live.stripe.stripe_api_base = "http://stripe.example.com/".into();
        assert!(refused(&live).is_some_and(|e| e.contains("TRADEWIND_STRIPE_API_BASE")));
        let mut bad = cfg.clone();
        bad.stripe.stripe_js_url = "js.stripe.com/v3".into();
        assert!(refused(&bad).is_some_and(|e| e.contains("TRADEWIND_STRIPE_JS_URL")));
        // The secret key is never printed with the settings.
        assert!(!format!("{setup:?}").contains("sk_test"));
    }

    #[test]
    fn paypal_settings_are_checked() {
        let mut cfg = serve("http://127.0.0.1:3000");
        assert_eq!(cfg.paypal().ok(), Some(None));
        cfg.paypal.paypal_client_id = Some("AbC-123_xyz".into());
        cfg.paypal.paypal_client_secret = Some("EFg-456_secret".into());
        let setup = cfg.paypal().ok().flatten().expect("set up");
        assert_eq!(setup.api_base, "https://api-m.paypal.com");
        assert_eq!(setup.webhook_id, None);
        let refused = |c: &ServeConfig| c.paypal().err().map(|e| e.to_string());
        let mut bad = cfg.clone();
        bad.paypal.paypal_client_secret = None;
        assert!(refused(&bad).is_some_and(|e| e.contains("TRADEWIND_PAYPAL_CLIENT_SECRET")));
        let mut bad = cfg.clone();
        bad.paypal.paypal_client_id = Some("short".into());
        assert!(refused(&bad).is_some_and(|e| e.contains("TRADEWIND_PAYPAL_CLIENT_ID")));
        let mut bad = cfg.clone();
        bad.paypal.paypal_webhook_id = Some("WH-1".into());
        assert!(refused(&bad).is_some_and(|e| e.contains("TRADEWIND_PAYPAL_WEBHOOK_ID")));
        for base in ["http://api-m.paypal.com", "api-m.paypal.com", "ftp://x"] {
            let mut bad = cfg.clone();
            bad.paypal.paypal_api_base = base.into();
            assert!(
                refused(&bad).is_some_and(|e| e.contains("TRADEWIND_PAYPAL_API_BASE")),
                "{base}"
            );
        }
        let mut local = cfg.clone();
        local.paypal.paypal_api_base = "http://127.0.0.1:4010/".into();
        local.paypal.paypal_webhook_id = Some("8PT597110X687430LKGECATA".into());
        let setup = local
            .paypal()
            .ok()
            .flatten()
            .expect("a stand-in on this machine");
        assert_eq!(setup.api_base, "http://127.0.0.1:4010");
        // The secret is never printed with the settings.
        assert!(!format!("{setup:?}").contains("EFg"));
    }

    #[test]
    fn public_url_must_be_an_origin() {
        assert_eq!(
            serve("https://shop.example.com/").public_origin().unwrap(),
            "https://shop.example.com"
        );
        assert_eq!(
            serve("http://127.0.0.1:3000").public_origin().unwrap(),
            "http://127.0.0.1:3000"
        );
        assert_eq!(
            serve("HTTPS://Shop.Example.com:443/")
                .public_origin()
                .unwrap(),
            "https://shop.example.com"
        );
        assert_eq!(
            serve("http://shop.example.com:8080")
                .public_origin()
                .unwrap(),
            "http://shop.example.com:8080"
        );
        for bad in [
            "shop.example.com",
            "ftp://x",
            "https://x/shop",
            "",
            "https://x?a=1",
        ] {
            assert!(serve(bad).public_origin().is_err(), "{bad}");
        }
    }

    #[test]
    fn version_names_the_newest_migration() {
        let latest = crate::db::latest_migration();
        assert!(!latest.is_empty());
        assert!(
            VERSION.ends_with(&format!("(database schema {latest})")),
            "update VERSION to {latest}"
        );
    }

    #[test]
    fn database_url_names_the_setting_when_wrong() {
        let cfg = StoreConfig {
            config: None,
            data_dir: std::env::temp_dir(),
            database_url: Some("mysql://x".into()),
        };
        let err = cfg.database_url().unwrap_err().to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
    }
}

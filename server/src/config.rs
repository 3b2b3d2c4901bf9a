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
    " (database schema m0005_sessions)"
);

#[derive(Debug, Parser)]
#[command(name = "tradewind", version = VERSION, about = "A self-hosted storefront")]
pub struct Cli {
    #[command(flatten)]
    pub store: StoreConfig,
    #[command(subcommand)]
    pub command: Command,
}

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

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "TRADEWIND_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// The address shoppers use, for canonical and hreflang links, e.g. https://shop.example.com
    #[arg(
        long,
        env = "TRADEWIND_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000"
    )]
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
    #[error("TRADEWIND_DATA_DIR (--data-dir): cannot create `{0}`: {1}")]
    DataDir(String, std::io::Error),
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
        }
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

//! `tradewind serve | migrate | seed`.

// Leptos view types nest deeply; release builds lay them out here too.
#![recursion_limit = "256"]

use clap::Parser;
use std::process::ExitCode;
use tradewind_server::config::{
    Cli, Command, DEFAULT_PUBLIC_URL, DutyCommand, OrderCommand, ServeConfig, StockCommand,
    StoreConfig, TaxCommand,
};
use tradewind_server::{build_state, db, router};

/// Pages allocate many small strings; mimalloc handles that with less contention.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn,tantivy=warn".into());
    // One JSON object per line for log collectors (journald, Loki, …); text otherwise.
    match std::env::var("TRADEWIND_LOG_FORMAT").as_deref() {
        Ok("json") => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
        Ok("text") | Err(_) => tracing_subscriber::fmt().with_env_filter(filter).init(),
        Ok(other) => {
            eprintln!("tradewind: TRADEWIND_LOG_FORMAT: `{other}` is not json or text");
            return ExitCode::from(2);
        }
    }
    let mut cli = Cli::parse();
    if let Some(path) = cli.store.config.clone() {
        // Sets only variables not already in the environment, then parses again.
        if let Err(e) = dotenvy::from_path(&path) {
            eprintln!(
                "tradewind: TRADEWIND_CONFIG (--config): cannot read {}: {e}",
                path.display()
            );
            return ExitCode::from(2);
        }
        cli = Cli::parse();
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tradewind: {e}");
            ExitCode::from(2)
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn run(cli: Cli) -> Result<(), BoxError> {
    let store = cli.store;
    // Every setting is checked before anything is written.
    if let Command::Serve(cfg) = &cli.command {
        cfg.public_origin()?;
        cfg.metrics_address()?;
        cfg.selling()?;
        cfg.stripe_webhook_secrets()?;
        cfg.stripe()?;
        cfg.paypal()?;
        tradewind_server::jobs::outbox::Mailer::from_config(&cfg.mail)?;
    }
    let url = store.database_url()?;
    if let Command::Restore { archive, force } = &cli.command {
        // Before the database is opened: SQLite would create the file being restored.
        let report =
            tradewind_server::backup::restore(archive, &store.data_dir, &url, *force).await?;
        println!(
            "restored {} files ({} bytes, schema {}); rebuilding the search index",
            report.files, report.bytes, report.schema
        );
    }
    let conn = db::connect(&url)
        .await
        .map_err(|e| format!("cannot open the database ({}): {e}", redact(&url)))?;
    db::migrate(&conn)
        .await
        .map_err(|e| format!("migrations failed: {e}"))?;
    match cli.command {
        Command::Migrate => {
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::Seed { products } => seed(&store, &conn, products).await,
        Command::Serve(serve_cfg) => serve(&store, conn, serve_cfg).await,
        Command::Reindex => reindex(&store, conn).await,
        Command::Tax(cmd) => tax(&conn, cmd).await,
        Command::Duty(cmd) => duty(&conn, cmd).await,
        Command::Order(cmd) => order(conn, cmd).await,
        Command::Stock(cmd) => stock(&conn, cmd).await,
        Command::Backup { output } => {
            let started = std::time::Instant::now();
            let report =
                tradewind_server::backup::backup(&conn, &url, &store.data_dir, &output).await?;
            println!(
                "backed up {} files ({} bytes, schema {}) to {} in {:.1}s",
                report.files,
                report.bytes,
                report.schema,
                output.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { .. } => reindex(&store, conn).await,
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

async fn seed(
    store: &StoreConfig,
    conn: &sea_orm::DatabaseConnection,
    products: Option<usize>,
) -> Result<(), BoxError> {
    let started = std::time::Instant::now();
    let report = match products {
        Some(n) => tradewind_domain::seed::synthetic(conn, &store.media_dir(), n, true).await?,
        None if tradewind_domain::seed::is_empty(conn).await? => {
            tradewind_domain::seed::demo(conn, &store.media_dir()).await?
        }
        None => {
            println!("the store already has data; use --products N to add synthetic products");
            return Ok(());
        }
    };
    println!(
        "seeded {} products, {} variants in {:.1}s",
        report.products,
        report.variants,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Lists or sets tax rates.
async fn tax(conn: &sea_orm::DatabaseConnection, cmd: TaxCommand) -> Result<(), BoxError> {
    use tradewind_domain::price_book::{set_tax_rate, tax_rates};
    match cmd {
        TaxCommand::List => {
            for r in tax_rates(conn).await? {
                println!(
                    "{}\t{}\t{}%\t{}",
                    r.country,
                    r.class.code(),
                    r.rate,
                    r.label
                );
            }
        }
        TaxCommand::Set {
            country,
            class,
            rate,
            label,
        } => {
            let set = set_tax_rate(conn, &country, &class, &rate, label.as_deref()).await?;
            let label = if set.label.is_empty() {
                String::new()
            } else {
                format!(" {}", set.label)
            };
            println!(
                "{} {} is now {}%{label}; restart the store to use it",
                set.country,
                set.class.code(),
                set.rate,
            );
        }
    }
    Ok(())
}

/// Lists or changes import rules and duty rates.
async fn duty(conn: &sea_orm::DatabaseConnection, cmd: DutyCommand) -> Result<(), BoxError> {
    use tradewind_domain::checkout::duty::{
        RuleChange, import_rules, remove_duty_rate, set_duty_rate, set_import_rule,
    };
    use tradewind_domain::tax::TaxRate;
    let percent = |ppm: i64| {
        TaxRate::from_ppm(ppm)
            .map(|r| r.to_string())
            .unwrap_or_default()
    };
    let prefix = |p: &str| {
        if p.is_empty() {
            "*".to_owned()
        } else {
            p.to_owned()
        }
    };
    match cmd {
        DutyCommand::List => {
            for m in import_rules(conn).await? {
                println!("{}", describe_rule(&m));
                for r in &m.rates {
                    let origin = if r.origin.is_empty() {
                        "any"
                    } else {
                        &r.origin
                    };
                    println!(
                        "{}\t{}\tfrom {origin}\t{}%",
                        m.market,
                        prefix(&r.hs_prefix),
                        percent(r.rate_ppm)
                    );
                }
            }
        }
        DutyCommand::Set {
            market,
            hs,
            rate,
            origin,
        } => {
            let row = set_duty_rate(conn, &market, &hs, origin.as_deref(), &rate).await?;
            println!(
                "{} {} from {} now pays {}%",
                market.to_ascii_uppercase(),
                prefix(&row.hs_prefix),
                if row.origin.is_empty() {
                    "any origin"
                } else {
                    &row.origin
                },
                percent(row.rate_ppm)
            );
            let code = market.trim().to_ascii_uppercase();
            let reckoned = import_rules(conn).await?.iter().any(|m| {
                m.market == code
                    && m.rule
                        .as_ref()
                        .is_some_and(|r| r.de_minimis_minor.is_some())
            });
            if !reckoned {
                println!(
                    "note: {code} reckons no duties; `tradewind duty rule {code} --de-minimis …` turns them on"
                );
            }
        }
        DutyCommand::Remove { market, hs, origin } => {
            if remove_duty_rate(conn, &market, &hs, origin.as_deref()).await? {
                println!("removed");
            } else {
                return Err(format!("{market} has no duty rate for {hs} from that origin").into());
            }
        }
        DutyCommand::Rule {
            market,
            de_minimis,
            mode,
            vat_number,
            rounding,
        } => {
            let change = RuleChange {
                de_minimis,
                duty_mode: mode,
                vat_number,
                tax_rounding: rounding,
            };
            set_import_rule(conn, &market, change).await?;
            let code = market.trim().to_ascii_uppercase();
            for m in import_rules(conn)
                .await?
                .iter()
                .filter(|m| m.market == code)
            {
                println!("{}", describe_rule(m));
            }
        }
    }
    Ok(())
}

/// One market's import rule on a line, as `duty list` shows it.
fn describe_rule(m: &tradewind_domain::checkout::duty::ImportRules) -> String {
    let Some(rule) = &m.rule else {
        return format!("{}\tno duties", m.market);
    };
    let de_minimis = match (rule.de_minimis_minor, m.currency) {
        (None, _) => "no duties".to_owned(),
        (Some(0), _) => "duty on every parcel".to_owned(),
        (Some(minor), Some(c)) => format!(
            "de minimis {} {c}",
            tradewind_domain::Money::new(minor, c).decimal()
        ),
        (Some(minor), None) => format!("de minimis {minor}"),
    };
    let number = if rule.ioss_number.is_empty() {
        "-"
    } else {
        &rule.ioss_number
    };
    format!(
        "{}\t{de_minimis}\t{}\tVAT number {number}\trounding {}",
        m.market, rule.duty_mode, rule.tax_rounding
    )
}

/// Shows or sets a variant's stock.
async fn stock(conn: &sea_orm::DatabaseConnection, cmd: StockCommand) -> Result<(), BoxError> {
    use tradewind_domain::stock::{levels, set_on_hand};
    let rows = match cmd {
        StockCommand::Show { sku } => levels(conn, &sku).await?,
        StockCommand::Set {
            sku,
            on_hand,
            warehouse,
        } => vec![set_on_hand(conn, &sku, warehouse.as_deref(), on_hand).await?],
    };
    for l in rows {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            l.variant_id, l.sku, l.warehouse, l.on_hand, l.reserved
        );
    }
    Ok(())
}

/// Lists orders or changes one's status, as the operator (`cli` in the order's history).
async fn order(conn: sea_orm::DatabaseConnection, cmd: OrderCommand) -> Result<(), BoxError> {
    use tradewind_domain::checkout::{Checkout, OrderStatus, Settings};
    let catalog = tradewind_server::catalog(conn).await?;
    // Emails queued here link to the store's own address, which the serve settings hold
    // (the environment or the --config file); without one, serve's own default.
    let public_url = std::env::var("TRADEWIND_PUBLIC_URL").unwrap_or_else(|_| {
        if !matches!(cmd, OrderCommand::List { .. }) {
            eprintln!(
                "note: TRADEWIND_PUBLIC_URL is not set (environment or --config file): the \
                 shopper's email links to {DEFAULT_PUBLIC_URL}"
            );
        }
        DEFAULT_PUBLIC_URL.to_owned()
    });
    let checkout = Checkout::new(catalog, Settings::default(), &public_url);
    let (number, to, note) = match cmd {
        OrderCommand::List { limit } => {
            for o in checkout.recent_orders(limit).await? {
                let total = tradewind_domain::Currency::from_code(&o.currency)
                    .map(|c| tradewind_domain::Money::new(o.total_minor, c).decimal())
                    .unwrap_or_else(|| o.total_minor.to_string());
                println!(
                    "{}\t{}\t{total} {}\t{}\t{}",
                    o.number,
                    o.status,
                    o.currency,
                    o.email,
                    o.created_at.format("%Y-%m-%d %H:%M")
                );
            }
            return Ok(());
        }
        OrderCommand::Paid { number, note } => (number, OrderStatus::Paid, note),
        OrderCommand::Cancel { number, note } => (number, OrderStatus::Cancelled, note),
        OrderCommand::Refund {
            number,
            amount,
            reason,
        } => {
            let r = checkout
                .refund(&number, amount.as_deref(), &reason, "cli")
                .await?;
            println!(
                "{number}: refunded {} {}, {} left; the order is now {}",
                r.amount.decimal(),
                r.amount.currency,
                r.left.decimal(),
                r.status.code()
            );
            return Ok(());
        }
    };
    checkout.transition(&number, to, "cli", &note).await?;
    println!("{number} is now {}", to.code());
    Ok(())
}

/// Rebuilds the search index from the catalog, with a progress bar.
async fn reindex(store: &StoreConfig, conn: sea_orm::DatabaseConnection) -> Result<(), BoxError> {
    let catalog = tradewind_server::catalog(conn).await?;
    let (index, _) = tradewind_server::search_index(&catalog, &store.data_dir)?;
    let started = std::time::Instant::now();
    let count = index.rebuild(&catalog, true).await?;
    println!(
        "indexed {count} products in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn serve(
    store: &StoreConfig,
    conn: sea_orm::DatabaseConnection,
    cfg: ServeConfig,
) -> Result<(), BoxError> {
    let public_url = cfg.public_origin()?;
    if !cfg.no_seed && tradewind_domain::seed::is_empty(&conn).await? {
        tracing::info!("empty database: seeding the demo store");
        let report = tradewind_domain::seed::demo(&conn, &store.media_dir()).await?;
        tracing::info!(
            products = report.products,
            markets = report.markets,
            "demo store ready"
        );
    }
    tradewind_server::sessions::DbStore::new(conn.clone())
        .spawn_cleanup(std::time::Duration::from_secs(3600));
    let mut state = build_state(conn, public_url.clone(), &cfg.site_dir, &store.data_dir).await?;
    state.trusted_proxy = cfg.trusted_proxy;
    state.stripe_webhook_secrets = cfg.stripe_webhook_secrets()?;
    state.app.checkout = state.app.checkout.clone().with_settings(cfg.selling()?);
    match cfg.stripe()? {
        Some(setup) => {
            tradewind_server::with_stripe(&mut state, &setup)?;
            tracing::info!(
                test_mode = setup.publishable_key.starts_with("pk_test_"),
                api = %setup.api_base,
                webhook = !state.stripe_webhook_secrets.is_empty(),
                "cards taken through Stripe"
            );
        }
        None => tracing::info!("Stripe is not set up: cards are not offered"),
    }
    match cfg.paypal()? {
        Some(setup) => {
            tradewind_server::with_paypal(&mut state, &setup);
            tracing::info!(
                api = %setup.api_base,
                webhook = setup.webhook_id.is_some(),
                "payments taken through PayPal"
            );
        }
        None => tracing::info!("PayPal is not set up: it is not offered"),
    }
    tradewind_server::jobs::housekeeping::spawn(
        state.app.checkout.clone(),
        std::time::Duration::from_secs(60),
    );
    tradewind_server::jobs::outbox::spawn(
        state.app.catalog.db().clone(),
        tradewind_server::jobs::outbox::Mailer::from_config(&cfg.mail)?,
        std::time::Duration::from_secs(2),
    );
    state.app.search.cache_results(cfg.search_cache);
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| {
            format!(
                "TRADEWIND_LISTEN (--listen): cannot listen on {}: {e}",
                cfg.listen
            )
        })?;
    // The shop serves even when its metrics cannot (another store on this machine holds
    // the port): that is said in the log, loudly.
    if let Some(addr) = cfg.metrics_address()? {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(metrics) => {
                let router = tradewind_server::metrics::router(state.clone());
                tokio::spawn(async move {
                    if let Err(e) = axum::serve(metrics, router).await {
                        tracing::error!(error = %e, "metrics listener stopped");
                    }
                });
                tracing::info!(%addr, "metrics at /metrics");
            }
            Err(e) => tracing::error!(
                %addr, error = %e,
                "TRADEWIND_METRICS_LISTEN (--metrics-listen): cannot listen; serving without metrics"
            ),
        }
    }
    tracing::info!(listen = %cfg.listen, %public_url, "tradewind is serving");
    let search_log = state.app.search_log.clone();
    // Rate limits count by the client's address, which the router reads from ConnectInfo.
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    // Searches logged but not yet written go to the database before we exit.
    search_log.flush().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

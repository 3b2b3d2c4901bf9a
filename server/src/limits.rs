//! Per-client rate limits (tower_governor): search suggestions today, sign-in and checkout
//! as they come. Each client IP has a bucket that refills steadily; a client that empties
//! it gets 429 with `Retry-After` while everyone else is served as usual.

use axum::extract::ConnectInfo;
use http::Request;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tower_governor::GovernorError;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;

/// Suggestions: a burst of this many, then one more every `SUGGEST_REFILL`: fast typists
/// never notice, a scraper is slowed to ten a second.
pub const SUGGEST_BURST: u32 = 30;
pub const SUGGEST_REFILL: Duration = Duration::from_millis(100);

/// Who a request comes from: the peer address, or (behind the store's own reverse proxy,
/// `--trusted-proxy`) the last address in `X-Forwarded-For`, the one that proxy added. A
/// request with neither (an in-process test) shares one bucket.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp {
    pub behind_proxy: bool,
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        if self.behind_proxy {
            let forwarded = req
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = forwarded {
                return Ok(ip);
            }
        }
        Ok(req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
    }
}

pub type Limits = Arc<GovernorConfig<ClientIp, governor::middleware::NoOpMiddleware>>;

/// The limits for suggestions, with a task that forgets idle clients every minute so the
/// table of buckets does not grow with every address ever seen.
pub fn suggestions(behind_proxy: bool) -> Limits {
    let config = GovernorConfigBuilder::default()
        .key_extractor(ClientIp { behind_proxy })
        .period(SUGGEST_REFILL)
        .burst_size(SUGGEST_BURST)
        .finish()
        .map(Arc::new)
        .unwrap_or_else(|| unreachable!("period and burst are non-zero constants"));
    let limiter = config.limiter().clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            limiter.retain_recent();
        }
    });
    config
}

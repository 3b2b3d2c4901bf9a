//! Per-client rate limits (tower_governor): search suggestions and card payments today,
//! sign-in as it comes. Each client IP has a bucket that refills steadily; a client that empties
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
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        // Only the very last entry is the proxy's own; anything before it is whatever the
        // client wrote. If that last entry is not an address, the peer counts.
        let forwarded = || {
            req.headers()
                .get_all("x-forwarded-for")
                .iter()
                .next_back()?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse::<IpAddr>()
                .ok()
        };
        let ip = if self.behind_proxy {
            forwarded().unwrap_or(peer)
        } else {
            peer
        };
        Ok(household(ip))
    }
}

/// One bucket per IPv4 address, but per IPv6 /64: a single subscriber usually has a whole
/// /64 and could otherwise draw a fresh bucket for every request.
fn household(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1_u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

pub type Limits = Arc<GovernorConfig<ClientIp, governor::middleware::NoOpMiddleware>>;

/// Card payments: a burst of this many tries, then one more every `CARD_REFILL`. A shopper
/// whose cards are declined tries a few; a script testing stolen cards over many orders is
/// slowed to ten a minute (one order takes 8 cards at most, `payments::card`).
pub const CARD_BURST: u32 = 10;
pub const CARD_REFILL: Duration = Duration::from_secs(6);

/// A bucket per client for one server function's call. leptos_axum registers each function
/// at its own exact route, which a layer on `/api/{*fn_name}` never sees: this middleware,
/// on the whole router, picks the call by its path.
#[derive(Clone)]
pub struct PathLimit {
    path: &'static str,
    limits: Limits,
    client: ClientIp,
    /// For `Retry-After`, in whole seconds (at least one).
    retry_after: u64,
}

impl PathLimit {
    fn new(path: &'static str, refill: Duration, burst: u32, behind_proxy: bool) -> Self {
        Self {
            path,
            limits: per_client(behind_proxy, refill, burst),
            client: ClientIp { behind_proxy },
            retry_after: refill.as_secs().max(1),
        }
    }

    /// Search suggestions, `/api/suggest`.
    pub fn suggestions(behind_proxy: bool) -> Self {
        Self::new("/api/suggest", SUGGEST_REFILL, SUGGEST_BURST, behind_proxy)
    }

    /// The card form's call, `/api/card_step`: a far smaller bucket.
    pub fn card_step(behind_proxy: bool) -> Self {
        Self::new("/api/card_step", CARD_REFILL, CARD_BURST, behind_proxy)
    }
}

/// 429 with `Retry-After` for a client that emptied its bucket for `limit`'s path.
pub async fn path_limit(
    axum::extract::State(limit): axum::extract::State<PathLimit>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if req.uri().path() == limit.path
        && let Ok(key) = limit.client.extract(&req)
        && limit.limits.limiter().check_key(&key).is_err()
    {
        return (
            http::StatusCode::TOO_MANY_REQUESTS,
            [(http::header::RETRY_AFTER, limit.retry_after.to_string())],
        )
            .into_response();
    }
    next.run(req).await
}

/// A bucket per client, with a task that forgets idle clients every minute so the table of
/// buckets does not grow with every address ever seen.
fn per_client(behind_proxy: bool, refill: Duration, burst: u32) -> Limits {
    let config = GovernorConfigBuilder::default()
        .key_extractor(ClientIp { behind_proxy })
        .period(refill)
        .burst_size(burst)
        .finish()
        .map(Arc::new)
        .unwrap_or_else(|| unreachable!("period and burst are non-zero constants"));
    // The task ends with the router that uses the limits.
    let limiter = Arc::downgrade(config.limiter());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            match limiter.upgrade() {
                Some(limiter) => limiter.retain_recent(),
                None => break,
            }
        }
    });
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(behind_proxy: bool, forwarded: &[&str]) -> IpAddr {
        let mut req =
            Request::builder().extension(ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 1234))));
        for f in forwarded {
            req = req.header("x-forwarded-for", *f);
        }
        ClientIp { behind_proxy }
            .extract(&req.body(()).unwrap())
            .unwrap()
    }

    #[test]
    fn only_the_proxys_own_entry_counts() {
        let peer: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(key(false, &["203.0.113.9"]), peer);
        assert_eq!(
            key(true, &["203.0.113.9"]),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // A client's own entries come first; the proxy appends the real address.
        assert_eq!(
            key(true, &["1.1.1.1, 203.0.113.9"]),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            key(true, &["1.1.1.1", "203.0.113.9"]),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // Not an address at the end: the peer, never an earlier spoofable entry.
        assert_eq!(key(true, &["1.1.1.1, unknown"]), peer);
        assert_eq!(key(true, &[]), peer);
        // IPv6 clients share a bucket per /64.
        assert_eq!(
            key(true, &["2001:db8:1:2:aaaa::1"]),
            key(true, &["2001:db8:1:2:bbbb::2"])
        );
    }
}

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

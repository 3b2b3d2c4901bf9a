//! Stripe's webhook signature. Stripe signs `"{t}.{raw body}"` with HMAC-SHA256 under the
//! endpoint's secret and sends `Stripe-Signature: t=<unix time>,v1=<hex>[,v1=<hex>…]`, one
//! `v1` per secret while a secret is being rolled. A request is genuine when any `v1` matches
//! one of our secrets (compared in constant time) and it was signed within the tolerance.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far from now a signature's time may be, as Stripe's own libraries allow.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the Stripe-Signature header has no v1 signature")]
    Unsigned,
    #[error("signed {0} s from now, outside the {TOLERANCE_SECONDS} s tolerance")]
    Stale(i64),
    #[error("no signature matches the webhook secret")]
    Mismatch,
}

/// The MAC of `"{t}.{body}"`, `t` as the header writes it.
fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Checks `header` (the `Stripe-Signature` value) over the raw `body` against `secrets`, at
/// `now` (unix seconds).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[String],
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match key {
            "t" => {
                let t = value
                    .parse::<i64>()
                    .map_err(|_| SignatureError::Malformed)?;
                timestamp = Some((t, value));
            }
            "v1" => signatures.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?),
            // v0 (test mode's old scheme) and anything newer are not ours to check.
            _ => {}
        }
    }
    let (timestamp, written) = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Unsigned);
    }
    let age = now.saturating_sub(timestamp);
    if age.abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale(age));
    }
    let genuine = secrets.iter().any(|secret| {
        let expected = mac(secret, written, body);
        signatures
            .iter()
            .any(|s| expected.clone().verify_slice(s).is_ok())
    });
    if genuine {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The `Stripe-Signature` value Stripe would send for `body` at `timestamp` (for tests and
/// for replaying an event by hand).
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    let digest = mac(secret, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("t={timestamp},v1={}", hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    const NOW: i64 = 1_780_000_000;

    fn secrets(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_signature_made_with_the_secret_is_accepted() {
        let header = sign(BODY, "whsec_a", NOW);
        assert_eq!(
            verify(Some(&header), BODY, &secrets(&["whsec_a"]), NOW + 10),
            Ok(())
        );
    }

    /// Stripe's own example: the HMAC of "t.body" under the secret, as its docs compute it.
    #[test]
    fn the_signed_payload_is_time_dot_body() {
        let header = sign(b"{}", "whsec_test", 1);
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"whsec_test").expect("key");
        mac.update(b"1.{}");
        let hex = hex::encode(mac.finalize().into_bytes());
        assert_eq!(header, format!("t=1,v1={hex}"));
    }

    #[test]
    fn any_v1_may_match_while_a_secret_is_rolled() {
        let old = sign(BODY, "whsec_old", NOW);
        let new = sign(BODY, "whsec_new", NOW);
        let v1 = |h: &str| {
            h.split_once(",v1=")
                .map(|(_, s)| s.to_owned())
                .unwrap_or_default()
        };
        let both = format!("t={NOW},v1={},v1={},v0=ignored", v1(&old), v1(&new));
        assert_eq!(
            verify(Some(&both), BODY, &secrets(&["whsec_new"]), NOW),
            Ok(())
        );
        assert_eq!(
            verify(Some(&old), BODY, &secrets(&["whsec_x", "whsec_old"]), NOW),
            Ok(())
        );
    }

    #[test]
    fn anything_else_is_refused() {
        let key = secrets(&["whsec_a"]);
        let good = sign(BODY, "whsec_a", NOW);
        assert_eq!(verify(None, BODY, &key, NOW), Err(SignatureError::Missing));
        let tampered = br#"{"id":"evt_1","type":"payment_intent.succeeded "}"#;
        assert_eq!(
            verify(Some(&good), tampered, &key, NOW),
            Err(SignatureError::Mismatch)
        );
        let wrong = sign(BODY, "whsec_b", NOW);
        assert_eq!(
            verify(Some(&wrong), BODY, &key, NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&good), BODY, &key, NOW + 301),
            Err(SignatureError::Stale(301))
        );
        assert_eq!(
            verify(Some(&good), BODY, &key, NOW - 301),
            Err(SignatureError::Stale(-301))
        );
        for bad in ["", "t=abc,v1=00", "v1=00", "t=1,v1=zz", "garbage"] {
            assert_eq!(
                verify(Some(bad), BODY, &key, NOW),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        let unsigned = format!("t={NOW},v0=00");
        assert_eq!(
            verify(Some(&unsigned), BODY, &key, NOW),
            Err(SignatureError::Unsigned)
        );
        assert_eq!(
            verify(Some(&good), BODY, &[], NOW),
            Err(SignatureError::Mismatch)
        );
    }
}

//! Stripe: amounts in Stripe's own minor units, and its webhook events read into the
//! store's `ProviderEvent`. The signature over the raw body is `signature`'s; the calls to
//! Stripe's API are `api`'s.

pub mod api;
pub mod signature;

use super::{PaymentChange, ProviderEvent};
use crate::money::{Currency, Money};
use serde::Deserialize;

/// The decimals Stripe counts a currency in. Not always ISO 4217's, nor the store's: Stripe
/// takes IDR in hundredths (the store counts whole rupiah), VND and JPY without decimals, and
/// the three-decimal dinars in thousandths that must end in 0.
pub fn exponent(c: Currency) -> u32 {
    match c {
        Currency::Jpy | Currency::Vnd => 0,
        Currency::Bhd | Currency::Kwd => 3,
        Currency::Usd
        | Currency::Eur
        | Currency::Gbp
        | Currency::Cny
        | Currency::Idr
        | Currency::Brl
        | Currency::Mxn
        | Currency::Aed
        | Currency::Sar => 2,
    }
}

/// `m` as the integer Stripe's `amount` takes; `None` when Stripe cannot charge it exactly
/// (a dinar amount not ending in 0, or too large).
pub fn to_stripe(m: Money) -> Option<i64> {
    let (ours, theirs) = (m.currency.exponent(), exponent(m.currency));
    let amount = if theirs >= ours {
        m.minor.checked_mul(10_i64.checked_pow(theirs - ours)?)?
    } else {
        let unit = 10_i64.checked_pow(ours - theirs)?;
        (m.minor % unit == 0).then_some(m.minor / unit)?
    };
    let dinar = matches!(m.currency, Currency::Bhd | Currency::Kwd);
    (!dinar || amount % 10 == 0).then_some(amount)
}

/// The least Stripe charges in `c`, in the store's minor units, where Stripe publishes a
/// minimum for it (others are left to Stripe to refuse).
fn minimum(c: Currency) -> Option<i64> {
    match c {
        Currency::Usd | Currency::Eur | Currency::Brl | Currency::Jpy => Some(50),
        Currency::Gbp => Some(30),
        Currency::Mxn => Some(1_000),
        Currency::Aed => Some(200),
        _ => None,
    }
}

/// Whether Stripe can take `total` by `method` (a card, or one of its vouchers): something
/// to charge, exactly in Stripe's units, no less than Stripe's minimum for the currency, and
/// in the voucher's own currency and limits.
pub fn takes(method: &str, total: Money) -> bool {
    let chargeable = total.minor > 0
        && to_stripe(total).is_some()
        && minimum(total.currency).is_none_or(|least| total.minor >= least);
    chargeable
        && crate::checkout::voucher_kind(method).is_none_or(|v| {
            v.currency == total.currency.code()
                && (v.min_minor..=v.max_minor).contains(&total.minor)
        })
}

/// A Stripe `amount` in `currency` (Stripe writes codes in lower case) as the store's money;
/// `None` for a currency the store does not sell in or an amount it cannot hold exactly.
pub fn from_stripe(amount: i64, currency: &str) -> Option<Money> {
    let c = Currency::from_code(&currency.to_ascii_uppercase())?;
    let (ours, theirs) = (c.exponent(), exponent(c));
    let minor = if ours >= theirs {
        amount.checked_mul(10_i64.checked_pow(ours - theirs)?)?
    } else {
        let unit = 10_i64.checked_pow(theirs - ours)?;
        (amount % unit == 0).then_some(amount / unit)?
    };
    Some(Money::new(minor, c))
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    object: Object,
}

/// The fields of a PaymentIntent the store reads; other objects fill none of them.
#[derive(Deserialize)]
struct Object {
    #[serde(default)]
    id: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    amount_received: Option<i64>,
    #[serde(default)]
    amount: Option<i64>,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    last_payment_error: Option<PaymentError>,
}

#[derive(Deserialize)]
struct PaymentError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: String,
}

/// Stripe's code for a voucher that expired unpaid.
pub const SLIP_EXPIRED: &str = "payment_intent_payment_attempt_expired";

/// Reads a webhook body (already verified). Events about PaymentIntents that succeeded,
/// failed an attempt or were cancelled carry a change; every other event none.
pub fn read_event(body: &[u8]) -> Result<ProviderEvent, serde_json::Error> {
    let e: Event = serde_json::from_slice(body)?;
    let o = e.data.object;
    let change = match (o.object.as_str(), e.kind.as_str()) {
        ("payment_intent", "payment_intent.succeeded") => Some(PaymentChange::Succeeded {
            amount: o
                .amount_received
                .or(o.amount)
                .and_then(|a| from_stripe(a, &o.currency)),
        }),
        // A voucher's slip that expired unpaid: that payment will not come.
        ("payment_intent", "payment_intent.payment_failed")
            if o.last_payment_error
                .as_ref()
                .is_some_and(|p| p.code == SLIP_EXPIRED) =>
        {
            Some(PaymentChange::Cancelled)
        }
        ("payment_intent", "payment_intent.payment_failed") => {
            let reason = o
                .last_payment_error
                .map(|p| {
                    if p.message.is_empty() {
                        p.code
                    } else {
                        p.message
                    }
                })
                .unwrap_or_default();
            Some(PaymentChange::AttemptFailed { reason })
        }
        ("payment_intent", "payment_intent.canceled") => Some(PaymentChange::Cancelled),
        _ => None,
    };
    Ok(ProviderEvent {
        provider: "stripe",
        id: e.id,
        kind: e.kind,
        payment: change.filter(|_| !o.id.is_empty()).map(|c| (o.id, c)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_go_in_stripes_units() {
        let m = |minor, c| Money::new(minor, c);
        assert_eq!(to_stripe(m(4499, Currency::Eur)), Some(4499));
        assert_eq!(to_stripe(m(4500, Currency::Jpy)), Some(4500));
        assert_eq!(to_stripe(m(250_000, Currency::Vnd)), Some(250_000));
        // Whole rupiah in the store, hundredths at Stripe.
        assert_eq!(to_stripe(m(150_000, Currency::Idr)), Some(15_000_000));
        assert_eq!(to_stripe(m(12_340, Currency::Bhd)), Some(12_340));
        assert_eq!(to_stripe(m(12_345, Currency::Bhd)), None);
        assert_eq!(to_stripe(m(i64::MAX, Currency::Idr)), None);
        assert_eq!(
            from_stripe(15_000_000, "idr"),
            Some(m(150_000, Currency::Idr))
        );
        assert_eq!(from_stripe(15_000_050, "idr"), None);
        assert_eq!(from_stripe(4499, "eur"), Some(m(4499, Currency::Eur)));
        assert_eq!(from_stripe(4500, "JPY"), Some(m(4500, Currency::Jpy)));
        assert_eq!(from_stripe(100, "huf"), None);
    }

    #[test]
    fn stripe_takes_what_it_can_charge() {
        let m = Money::new;
        assert!(takes("card", m(50, Currency::Eur)));
        assert!(
            !takes("card", m(49, Currency::Eur)),
            "under Stripe's 0.50 €"
        );
        assert!(!takes("card", m(0, Currency::Usd)));
        assert!(!takes("card", m(29, Currency::Gbp)));
        assert!(
            takes("card", m(12_340, Currency::Bhd)),
            "no published minimum"
        );
        assert!(
            !takes("card", m(12_345, Currency::Bhd)),
            "not in Stripe's units"
        );
        // Vouchers: their currency and their limits.
        assert!(takes("oxxo", m(1_000, Currency::Mxn)));
        assert!(!takes("oxxo", m(999, Currency::Mxn)));
        assert!(!takes("oxxo", m(1_000_001, Currency::Mxn)));
        assert!(!takes("oxxo", m(5_000, Currency::Usd)));
        assert!(takes("konbini", m(300_000, Currency::Jpy)));
        assert!(!takes("konbini", m(119, Currency::Jpy)));
    }

    fn event(kind: &str, object: &str) -> Vec<u8> {
        format!(r#"{{"id":"evt_1","object":"event","type":"{kind}","data":{{"object":{object}}}}}"#)
            .into_bytes()
    }

    #[test]
    fn payment_intent_events_become_changes() {
        let pi = r#"{"id":"pi_1","object":"payment_intent","amount":4499,"amount_received":4499,"currency":"eur"}"#;
        let e = read_event(&event("payment_intent.succeeded", pi)).expect("event");
        assert_eq!(e.id, "evt_1");
        assert_eq!(
            e.payment,
            Some((
                "pi_1".into(),
                PaymentChange::Succeeded {
                    amount: Some(Money::new(4499, Currency::Eur))
                }
            ))
        );
        let failed = r#"{"id":"pi_1","object":"payment_intent","currency":"eur","last_payment_error":{"code":"card_declined","message":"Your card was declined."}}"#;
        let e = read_event(&event("payment_intent.payment_failed", failed)).expect("event");
        assert_eq!(
            e.payment,
            Some((
                "pi_1".into(),
                PaymentChange::AttemptFailed {
                    reason: "Your card was declined.".into()
                }
            ))
        );
        let e = read_event(&event("payment_intent.canceled", pi)).expect("event");
        assert_eq!(e.payment, Some(("pi_1".into(), PaymentChange::Cancelled)));
        // A voucher that expired unpaid ends the payment, unlike a declined card.
        let expired = r#"{"id":"pi_1","object":"payment_intent","currency":"mxn","last_payment_error":{"code":"payment_intent_payment_attempt_expired"}}"#;
        let e = read_event(&event("payment_intent.payment_failed", expired)).expect("event");
        assert_eq!(e.payment, Some(("pi_1".into(), PaymentChange::Cancelled)));
    }

    #[test]
    fn other_events_carry_no_change() {
        let customer = r#"{"id":"cus_1","object":"customer"}"#;
        let e = read_event(&event("customer.created", customer)).expect("event");
        assert_eq!((e.kind.as_str(), e.payment), ("customer.created", None));
        // A succeeded event of an unexpected shape is acknowledged, not acted on.
        let odd = r#"{"id":"pi_1","object":"charge","amount":1,"currency":"eur"}"#;
        let e = read_event(&event("payment_intent.succeeded", odd)).expect("event");
        assert_eq!(e.payment, None);
        // Money taken in a currency the store cannot read is still a success, checked by hand.
        let huf = r#"{"id":"pi_2","object":"payment_intent","amount":100,"currency":"huf"}"#;
        let e = read_event(&event("payment_intent.succeeded", huf)).expect("event");
        assert_eq!(
            e.payment,
            Some(("pi_2".into(), PaymentChange::Succeeded { amount: None }))
        );
        assert!(read_event(b"not json").is_err());
        assert!(read_event(br#"{"id":"evt_1"}"#).is_err());
    }
}

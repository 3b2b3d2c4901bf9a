//! PayPal: which of the store's currencies it takes, amounts as its API writes them, and its
//! webhook events read into the store's `ProviderEvent`. The calls to its REST API are
//! `api`'s; paying an order through it (redirect, return, capture) is `flow`'s.

pub mod api;
pub mod flow;

use super::{PaymentChange, ProviderEvent};
use crate::money::{Currency, Money};
use serde::Deserialize;

pub use crate::checkout::PAYPAL;

/// Whether PayPal takes payments in `c` for a shop outside the currency's own country:
/// PayPal's list has USD, EUR, GBP, JPY and MXN of the store's currencies; CNY and BRL only
/// for accounts in China and Brazil; IDR, VND, AED, SAR, BHD and KWD not at all.
pub fn takes(c: Currency) -> bool {
    matches!(
        c,
        Currency::Usd | Currency::Eur | Currency::Gbp | Currency::Jpy | Currency::Mxn
    )
}

/// `m` as PayPal's `value` writes it: the currency's own decimals, which for the currencies
/// it takes are ISO 4217's (JPY without decimals). `None` for a currency it does not take or
/// an amount of nothing or less.
pub fn to_paypal(m: Money) -> Option<String> {
    (takes(m.currency) && m.minor > 0).then(|| m.decimal())
}

/// A PayPal `value` in `currency_code` as the store's money; `None` for a currency the store
/// does not sell in, or a figure it cannot hold exactly.
pub fn from_paypal(value: &str, currency_code: &str) -> Option<Money> {
    let c = Currency::from_code(currency_code)?;
    Money::parse_decimal(value, c)
}

/// A webhook event's envelope: what the store reads of it.
#[derive(Deserialize)]
struct Event {
    id: String,
    event_type: String,
    #[serde(default)]
    resource: Resource,
}

/// The fields of an order or a capture the store reads; other resources fill none of them.
#[derive(Default, Deserialize)]
struct Resource {
    #[serde(default)]
    id: String,
    #[serde(default)]
    amount: Option<Amount>,
    #[serde(default)]
    supplementary_data: Option<Supplementary>,
    #[serde(default)]
    status_details: Option<StatusDetails>,
}

#[derive(Deserialize)]
pub(crate) struct Amount {
    pub currency_code: String,
    pub value: String,
}

#[derive(Deserialize)]
struct Supplementary {
    #[serde(default)]
    related_ids: RelatedIds,
}

#[derive(Default, Deserialize)]
struct RelatedIds {
    #[serde(default)]
    order_id: String,
}

#[derive(Deserialize)]
struct StatusDetails {
    #[serde(default)]
    reason: String,
}

/// A PayPal event, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaypalEvent {
    pub event: ProviderEvent,
    /// `CHECKOUT.ORDER.APPROVED`: the shopper approved PayPal order (this id) and may never
    /// come back to the store; the store captures it.
    pub approved: Option<String>,
}

/// Reads a webhook body (already verified). A capture that completed or was denied carries a
/// change for the PayPal order it belongs to (the payment's reference); an approved order
/// asks for a capture; every other event carries nothing (acknowledged, logged).
pub fn read_event(body: &[u8]) -> Result<PaypalEvent, serde_json::Error> {
    let e: Event = serde_json::from_slice(body)?;
    let r = e.resource;
    let order = r
        .supplementary_data
        .map(|s| s.related_ids.order_id)
        .unwrap_or_default();
    let change = match e.event_type.as_str() {
        "PAYMENT.CAPTURE.COMPLETED" => Some(PaymentChange::Succeeded {
            amount: r
                .amount
                .and_then(|a| from_paypal(&a.value, &a.currency_code)),
        }),
        "PAYMENT.CAPTURE.DENIED" | "PAYMENT.CAPTURE.DECLINED" => {
            Some(PaymentChange::AttemptFailed {
                reason: r
                    .status_details
                    .map(|s| s.reason)
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "PayPal denied the capture".into()),
            })
        }
        _ => None,
    };
    let approved = (e.event_type == "CHECKOUT.ORDER.APPROVED" && !r.id.is_empty()).then_some(r.id);
    Ok(PaypalEvent {
        event: ProviderEvent {
            provider: PAYPAL,
            id: e.id,
            kind: e.event_type,
            payment: change.filter(|_| !order.is_empty()).map(|c| (order, c)),
        },
        approved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_go_in_paypals_currencies() {
        let m = |minor, c| Money::new(minor, c);
        assert_eq!(to_paypal(m(4499, Currency::Eur)).as_deref(), Some("44.99"));
        assert_eq!(to_paypal(m(4500, Currency::Jpy)).as_deref(), Some("4500"));
        assert_eq!(to_paypal(m(4500, Currency::Idr)), None);
        assert_eq!(to_paypal(m(12_340, Currency::Kwd)), None);
        assert_eq!(to_paypal(m(0, Currency::Usd)), None);
        assert_eq!(from_paypal("44.99", "EUR"), Some(m(4499, Currency::Eur)));
        assert_eq!(from_paypal("4500", "JPY"), Some(m(4500, Currency::Jpy)));
        assert_eq!(from_paypal("45.5", "JPY"), None);
        assert_eq!(from_paypal("1", "HUF"), None);
    }

    #[test]
    fn capture_events_become_changes_of_their_order() {
        let completed = br#"{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"CAP1","status":"COMPLETED","amount":{"currency_code":"EUR","value":"44.99"},"supplementary_data":{"related_ids":{"order_id":"ORDER1"}}}}"#;
        let e = read_event(completed).expect("event");
        assert_eq!(e.event.id, "WH-1");
        assert_eq!(e.approved, None);
        assert_eq!(
            e.event.payment,
            Some((
                "ORDER1".into(),
                PaymentChange::Succeeded {
                    amount: Some(Money::new(4499, Currency::Eur))
                }
            ))
        );
        let denied = br#"{"id":"WH-2","event_type":"PAYMENT.CAPTURE.DENIED","resource":{"id":"CAP1","status_details":{"reason":"RISK"},"supplementary_data":{"related_ids":{"order_id":"ORDER1"}}}}"#;
        let e = read_event(denied).expect("event");
        assert_eq!(
            e.event.payment,
            Some((
                "ORDER1".into(),
                PaymentChange::AttemptFailed {
                    reason: "RISK".into()
                }
            ))
        );
        let approved = br#"{"id":"WH-3","event_type":"CHECKOUT.ORDER.APPROVED","resource":{"id":"ORDER1","status":"APPROVED"}}"#;
        let e = read_event(approved).expect("event");
        assert_eq!(
            (e.approved.as_deref(), e.event.payment),
            (Some("ORDER1"), None)
        );
    }

    #[test]
    fn other_events_carry_nothing() {
        let refunded =
            br#"{"id":"WH-4","event_type":"PAYMENT.CAPTURE.REFUNDED","resource":{"id":"R1"}}"#;
        let e = read_event(refunded).expect("event");
        assert_eq!((e.event.payment, e.approved), (None, None));
        // A capture without its order is acknowledged, not acted on.
        let orphan =
            br#"{"id":"WH-5","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"CAP1"}}"#;
        assert_eq!(read_event(orphan).expect("event").event.payment, None);
        assert!(read_event(b"not json").is_err());
        assert!(read_event(br#"{"id":"WH-6"}"#).is_err());
    }
}

//! Paying an order by one of Stripe's vouchers (`checkout::VOUCHERS`): an OXXO or konbini
//! slip paid in cash, or a Pix code paid from a banking app.
//!
//! Placing the order makes the slip: a PaymentIntent confirmed at once with the voucher, under
//! a key made of the order, so a reload or a retry finds the same slip. The slip (its page at
//! Stripe, its number or code, the day it expires) is kept on the payment, shown on the order
//! page and sent by email. The order then waits for Stripe's webhook: paid, or the slip
//! expired (`payment_intent_payment_attempt_expired`), which cancels the order and releases
//! its stock. Its stock is held until the slip expires, and two days more, because OXXO and
//! konbini payments reach Stripe up to a business day late; past that, the card sweep asks
//! Stripe: paid, or expired (then cancelled and released); a slip Stripe still shows as
//! payable is given five days more before it is cancelled. A voucher Stripe refuses for the
//! order (not activated on the account, say) cancels the order at once.

use super::order_key;
use super::stripe::api::{ApiError, Intent};
use crate::checkout::email::EmailKind;
use crate::checkout::view::Voucher;
use crate::checkout::{
    Checkout, CheckoutError, OrderStatus, VoucherKind, currency_of, is_voucher, voucher_kind,
};
use crate::entity::payment;
use crate::error::DomainError;
use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// How long after a slip expires its stock stays held: payments made at the till on the last
/// day reach Stripe up to a business day later.
const LATE_PAYMENTS: chrono::Duration = chrono::Duration::days(2);

/// How long after that the sweep still waits for Stripe to say what became of a slip it
/// still shows as payable (over a long weekend, say), before it cancels it.
const UNSETTLED: chrono::Duration = chrono::Duration::days(5);

/// Where a voucher payment stands after the shopper's step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VoucherStep {
    /// The slip to pay.
    Slip(Voucher),
    /// Stripe could not be reached, or made no slip: try again shortly.
    Waiting,
    /// Stripe refused this voucher for the order (not activated on the account, say): the
    /// order is cancelled, its stock released, so the shopper can order with another method.
    Refused,
    /// The order no longer waits for this payment (paid, cancelled, past its window).
    Closed,
}

/// The slip in what Stripe answered, its last day written as the slip's own country writes
/// the deadline.
fn slip_of(intent: &Intent, kind: &VoucherKind) -> Option<(Voucher, DateTime<Utc>)> {
    let (url, reference, expires) = intent.slip()?;
    let expires = DateTime::from_timestamp(expires, 0)?;
    let there = FixedOffset::east_opt(kind.utc_offset_hours * 3600)?;
    let voucher = Voucher {
        url,
        reference,
        expires_on: expires.with_timezone(&there).format("%Y-%m-%d").to_string(),
    };
    Some((voucher, expires))
}

impl Checkout {
    /// The slip of order `token`: the one made already, or a new one from Stripe (kept on the
    /// payment, with its stock held until it expires, and emailed to the shopper).
    pub async fn voucher(&self, token: &str) -> Result<VoucherStep, CheckoutError> {
        let found = self.order_and_payment(token).await?;
        let Some((order, pay, kind)) =
            found.and_then(|(o, p)| voucher_kind(&p.method).map(|k| (o, p, k)))
        else {
            return Err(DomainError::NotFound.into());
        };
        if let Some(kept) = kept_slip(&pay)? {
            return Ok(VoucherStep::Slip(kept));
        }
        // Past its window the order is about to be released: no slip for it now.
        if super::standing(&order, &pay)?.is_some()
            || pay.expires_at.is_some_and(|at| at < Utc::now())
        {
            return Ok(VoucherStep::Closed);
        }
        // Stripe switched off since the order was placed: the merchant is the way on.
        let Some(api) = self.stripe() else {
            return Ok(VoucherStep::Waiting);
        };
        let amount = crate::money::Money::new(pay.amount_minor, currency_of(&order)?);
        let address: crate::checkout::address::Draft =
            serde_json::from_str(&order.address).unwrap_or_default();
        // The same request every time (its key is the order's): the page in the order's own
        // language, whichever page asked.
        let return_url = format!("{}/{}/orders/{token}", self.public_url(), order.locale);
        let made = api
            .create_voucher(
                amount,
                &order.number,
                &order_key(&order, "stripe-voucher"),
                kind.method,
                (&address.name, &order.email),
                &return_url,
            )
            .await;
        let intent = match made {
            Ok(intent) => intent,
            // Refused for this order (the voucher not activated, an amount it does not take):
            // it cannot be paid this way. A refusal of the store itself (a wrong or revoked
            // key, 401 or 403) is the merchant's to mend: the order waits, as in an outage.
            Err(ApiError::Refused {
                status: 400,
                message,
                ..
            }) => {
                let note = format!("Stripe refused the {} voucher: {message}", kind.method);
                tracing::warn!(order = %order.number, "{note}");
                return match self
                    .transition(&order.number, OrderStatus::Cancelled, "stripe", &note)
                    .await
                {
                    Ok(()) => Ok(VoucherStep::Refused),
                    // Paid or cancelled meanwhile: its page says where it stands.
                    Err(CheckoutError::Domain(DomainError::Conflict(_))) => Ok(VoucherStep::Closed),
                    Err(e) => Err(e),
                };
            }
            Err(e) => {
                tracing::error!(order = %order.number, error = %e, "no voucher from Stripe");
                return Ok(VoucherStep::Waiting);
            }
        };
        let slip = slip_of(&intent, kind);
        if slip.is_none() {
            tracing::error!(order = %order.number, intent = %intent.id, status = %intent.status, "Stripe made no slip");
        }
        let kept = slip
            .as_ref()
            .map(|(v, _)| serde_json::to_string(v))
            .transpose()
            .map_err(|e| DomainError::Corrupt(format!("voucher: {e}")))?;
        let txn = crate::txn::begin_write(self.db()).await?;
        // The intent is kept even without a slip, so that its events and the sweep find it.
        // The first slip written wins: two tries at once agree on one (Stripe answered both
        // with the same intent).
        let mut keep = payment::Entity::update_many()
            .col_expr(payment::Column::Provider, Expr::value("stripe"))
            .col_expr(payment::Column::ProviderRef, Expr::value(intent.id.clone()))
            .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()));
        if let Some(((_, expires), kept)) = slip.as_ref().zip(kept) {
            keep = keep
                .col_expr(payment::Column::Voucher, Expr::value(kept))
                .col_expr(
                    payment::Column::ExpiresAt,
                    Expr::value(*expires + LATE_PAYMENTS),
                );
        }
        let written = keep
            .filter(payment::Column::Id.eq(pay.id))
            .filter(payment::Column::Voucher.is_null())
            .filter(payment::Column::Status.eq("pending"))
            .exec(&txn)
            .await?;
        if written.rows_affected == 1 && slip.is_some() {
            self.queue_order_email(&txn, EmailKind::Voucher, &order)
                .await?;
        }
        txn.commit().await?;
        let now = payment::Entity::find_by_id(pay.id).one(self.db()).await?;
        // The order moved on while Stripe made the slip (released, cancelled): it must not be
        // paid at a till now. (Two tries at once share one intent, kept by the first.)
        let kept_intent = now
            .as_ref()
            .and_then(|p| p.provider_ref.as_deref())
            .is_some_and(|r| r == intent.id);
        if written.rows_affected == 0
            && !kept_intent
            && let Err(e) = api.cancel(&intent.id).await
        {
            tracing::warn!(order = %order.number, intent = %intent.id, error = %e, "slip of a closed order not cancelled at Stripe");
        }
        Ok(match now.as_ref().map(kept_slip).transpose()?.flatten() {
            Some(v) => VoucherStep::Slip(v),
            None if slip.is_none() => VoucherStep::Waiting,
            None => VoucherStep::Closed,
        })
    }
}

/// Whether the sweep leaves voucher payment `pay`, whose intent Stripe still shows as
/// payable, to Stripe: a slip paid on its last day is reported late, so it is not cancelled
/// until Stripe has had days to say, unless Stripe never made its slip.
pub(crate) fn awaits_stripe(pay: &payment::Model, status: &str, now: DateTime<Utc>) -> bool {
    is_voucher(&pay.method)
        && pay.voucher.is_some()
        && matches!(status, "requires_action" | "processing")
        && pay.expires_at.is_some_and(|at| now < at + UNSETTLED)
}

/// The slip kept on a payment, if any.
fn kept_slip(pay: &payment::Model) -> Result<Option<Voucher>, CheckoutError> {
    pay.voucher
        .as_deref()
        .map(|v| {
            serde_json::from_str(v)
                .map_err(|e| DomainError::Corrupt(format!("voucher: {e}")).into())
        })
        .transpose()
}

/// The slip of `pay`, for the order page and emails; a corrupt one is logged and left out.
pub(crate) fn slip_on(pay: &payment::Model) -> Option<Voucher> {
    kept_slip(pay)
        .inspect_err(|e| tracing::error!(payment = pay.id, error = %e, "voucher unreadable"))
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkout::VOUCHERS;
    use crate::payments::stripe::api::{NextAction, OxxoSlip};

    #[test]
    fn a_slip_states_its_countrys_own_last_day() {
        // 23:59 in Mexico City on 5 December is 05:59 UTC on the 6th.
        let intent = Intent {
            id: "pi_1".into(),
            status: "requires_action".into(),
            amount: 50_000,
            currency: "mxn".into(),
            client_secret: None,
            last_payment_error: None,
            next_action: Some(NextAction {
                oxxo_display_details: Some(OxxoSlip {
                    expires_after: Some(1_796_536_740),
                    hosted_voucher_url: Some("https://payments.stripe.com/v/1".into()),
                    number: Some("9300123".into()),
                }),
                konbini_display_details: None,
                pix_display_qr_code: None,
            }),
        };
        let oxxo = &VOUCHERS[0];
        let (slip, expires) = slip_of(&intent, oxxo).expect("a slip");
        assert_eq!(expires.to_rfc3339(), "2026-12-06T05:59:00+00:00");
        assert_eq!(slip.expires_on, "2026-12-05");
        assert_eq!(slip.reference, "9300123");
    }
}

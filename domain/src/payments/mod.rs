//! Payments by providers (Stripe, PayPal): what a provider's webhook (or the store's own
//! call) says happened to a payment, applied to its order exactly once.
//!
//! Every event is kept by its id in the same transaction as its effect, so a delivery
//! repeated a hundred times has one effect. The order follows the payment:
//! - succeeded: a pending order becomes paid (its reserved stock stays committed and the
//!   shopper gets the "payment received" email); money that arrives for an order already
//!   cancelled (its stock released, say after the payment window passed) is recorded on the
//!   order for the merchant to refund, never silently turned into a sale of released stock;
//! - an attempt failed: noted on the order, which still waits (the shopper may try again
//!   until the payment window closes);
//! - cancelled or expired at the provider: a pending order is cancelled and its stock released.
//!
//! Events arriving out of order therefore end in the right state: a failure before success
//! ends paid; a success after expiry ends cancelled with the payment flagged for refund.

pub mod card;
pub mod paypal;
pub mod refund;
pub mod stripe;
pub mod voucher;

use crate::checkout::{Checkout, CheckoutError, OrderStatus, status_of};
use crate::entity::{payment, payment_event, shop_order};
use crate::money::{Currency, Money};
use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

/// Why a call to a provider did not give an answer to act on.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The provider refused the request; for a card, `message` is what to tell the shopper
    /// (declined, expired…), in the provider's words.
    #[error("refused ({status}): {message}")]
    Refused {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// No usable answer (network, timeout, an answer that does not read): the call may or
    /// may not have taken effect; repeating it with the same key is safe.
    #[error("no usable answer: {0}")]
    Unavailable(String),
    /// An amount the provider cannot charge exactly in that currency.
    #[error("{0} cannot be charged exactly")]
    Amount(String),
}

/// Where an order stands for a payment the shopper makes through a provider, once it no
/// longer takes one: `standing` says which.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Still pending, but its payment moved on (paid, or waiting for the merchant).
    Waiting,
    /// Cancelled.
    Closed,
    /// Paid, or further along.
    Paid,
}

/// `None` while `order` still takes a payment through `pay`; else where it stands.
pub(crate) fn standing(
    order: &shop_order::Model,
    pay: &payment::Model,
) -> Result<Option<Standing>, CheckoutError> {
    Ok(match status_of(order)? {
        OrderStatus::PendingPayment if pay.status == "pending" => None,
        OrderStatus::PendingPayment => Some(Standing::Waiting),
        OrderStatus::Cancelled => Some(Standing::Closed),
        _ => Some(Standing::Paid),
    })
}

/// A key naming `order` at a provider for `purpose`: its number and a digest of its
/// status-page token, unique across stores sharing one account, while the token itself, a
/// secret, never leaves the store.
pub(crate) fn order_key(order: &shop_order::Model, purpose: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{purpose}:{}", order.token));
    format!("{}-{}", order.number, hex::encode(&digest[..12]))
}

/// What a provider says happened to a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentChange {
    /// The money is in: `amount` in the store's minor units of its currency, or `None` when
    /// the provider's figure could not be read (then it is checked by hand).
    Succeeded { amount: Option<Money> },
    /// One attempt failed (a declined card); the payment may still succeed.
    AttemptFailed { reason: String },
    /// The payment will not happen: cancelled, or expired at the provider.
    Cancelled,
}

/// One webhook event, as a provider module read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderEvent {
    /// `stripe` or `paypal`: the actor in the order's history.
    pub provider: &'static str,
    pub id: String,
    pub kind: String,
    /// The provider's reference of the payment it is about and what happened, for the
    /// events the store acts on; `None` for every other event (acknowledged, logged).
    pub payment: Option<(String, PaymentChange)>,
}

/// What an event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Its effect is written.
    Applied,
    /// The same event came before: nothing more happens.
    Duplicate,
    /// Not an event the store acts on, or nothing left to do (the order moved on).
    Ignored,
    /// No payment of ours has that reference: acknowledged but not kept, so that a later
    /// delivery (once the reference is written) still applies.
    UnknownPayment,
    /// The provider reports another amount or currency than the order's: not marked paid;
    /// the payment waits for the merchant (`review`) instead of expiring.
    AmountMismatch,
    /// Money arrived for an order already cancelled: recorded for the merchant to refund.
    PaidAfterCancel,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Duplicate => "duplicate",
            Self::Ignored => "ignored",
            Self::UnknownPayment => "unknown-payment",
            Self::AmountMismatch => "amount-mismatch",
            Self::PaidAfterCancel => "paid-after-cancel",
        }
    }
}

impl Checkout {
    /// Applies a provider's event once. The event's id is claimed first, in the same
    /// transaction as the effect: a second delivery (even a simultaneous one) does nothing.
    pub async fn apply_payment_event(
        &self,
        event: &ProviderEvent,
    ) -> Result<Outcome, CheckoutError> {
        let txn = crate::txn::begin_write(self.db()).await?;
        let claimed = payment_event::Entity::insert(payment_event::ActiveModel {
            provider: Set(event.provider.to_owned()),
            event_id: Set(event.id.clone()),
            event_type: Set(event.kind.clone()),
            provider_ref: Set(event.payment.as_ref().map(|(r, _)| r.clone())),
            outcome: Set(String::new()),
            received_at: Set(Utc::now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                payment_event::Column::Provider,
                payment_event::Column::EventId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if claimed == 0 {
            txn.rollback().await?;
            return Ok(Outcome::Duplicate);
        }
        let outcome = match &event.payment {
            Some((reference, change)) => {
                self.apply_change(&txn, event.provider, reference, change)
                    .await?
            }
            None => Outcome::Ignored,
        };
        if outcome == Outcome::UnknownPayment {
            txn.rollback().await?;
            return Ok(outcome);
        }
        payment_event::Entity::update_many()
            .col_expr(payment_event::Column::Outcome, Expr::value(outcome.code()))
            .filter(payment_event::Column::Provider.eq(event.provider))
            .filter(payment_event::Column::EventId.eq(&event.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(outcome)
    }

    async fn apply_change(
        &self,
        txn: &DatabaseTransaction,
        provider: &str,
        reference: &str,
        change: &PaymentChange,
    ) -> Result<Outcome, CheckoutError> {
        let Some(pay) = payment::Entity::find()
            .filter(payment::Column::Provider.eq(provider))
            .filter(payment::Column::ProviderRef.eq(reference))
            .one(txn)
            .await?
        else {
            return Ok(Outcome::UnknownPayment);
        };
        let Some(order) = shop_order::Entity::find_by_id(pay.order_id)
            .one(txn)
            .await?
        else {
            return Ok(Outcome::UnknownPayment);
        };
        let status = status_of(&order)?;
        let pending = status == OrderStatus::PendingPayment;
        match change {
            PaymentChange::Succeeded { amount } => {
                if pay.status == "paid" {
                    return Ok(Outcome::Ignored);
                }
                let expected =
                    Currency::from_code(&pay.currency).map(|c| Money::new(pay.amount_minor, c));
                if expected.is_none() || *amount != expected {
                    let reported = amount
                        .map(|a| format!("{} {}", a.decimal(), a.currency))
                        .unwrap_or_else(|| "an amount it could not read".into());
                    let note = format!(
                        "payment {reference} succeeded with {reported}; the order expects {} {}: \
                         not marked paid, check it with the provider",
                        expected.map(|m| m.decimal()).unwrap_or_default(),
                        pay.currency
                    );
                    tracing::warn!(order = %order.number, "{note}");
                    // Money was taken: the payment must not expire with the order.
                    set_payment_status(txn, pay.id, "review").await?;
                    self.note_on(txn, &order, status, provider, &note).await?;
                    return Ok(Outcome::AmountMismatch);
                }
                if pending {
                    let note = format!("payment {reference} succeeded");
                    self.transition_in(txn, &order, OrderStatus::Paid, provider, &note)
                        .await?;
                    return Ok(Outcome::Applied);
                }
                set_payment_status(txn, pay.id, "paid").await?;
                let note = format!(
                    "payment {reference} succeeded after the order was {}: refund it \
                     (in the provider's dashboard until the store refunds through it)",
                    status.code()
                );
                tracing::warn!(order = %order.number, "{note}");
                self.note_on(txn, &order, status, provider, &note).await?;
                Ok(if status == OrderStatus::Cancelled {
                    Outcome::PaidAfterCancel
                } else {
                    Outcome::Ignored
                })
            }
            PaymentChange::AttemptFailed { reason } if pending => {
                let note = format!("payment attempt {reference} failed: {reason}");
                self.note_on(txn, &order, status, provider, &note).await?;
                Ok(Outcome::Applied)
            }
            PaymentChange::Cancelled if pending && pay.status == "pending" => {
                let note = format!("payment {reference} cancelled or expired");
                self.transition_in(txn, &order, OrderStatus::Cancelled, provider, &note)
                    .await?;
                Ok(Outcome::Applied)
            }
            PaymentChange::AttemptFailed { .. } | PaymentChange::Cancelled => Ok(Outcome::Ignored),
        }
    }
}

impl Checkout {
    /// Order `token` and its payment.
    pub(crate) async fn order_and_payment(
        &self,
        token: &str,
    ) -> Result<Option<(shop_order::Model, payment::Model)>, CheckoutError> {
        let Some(order) = self.order_row_by_token(token).await? else {
            return Ok(None);
        };
        let pay = payment::Entity::find()
            .filter(payment::Column::OrderId.eq(order.id))
            .one(self.db())
            .await?
            .ok_or_else(|| {
                crate::error::DomainError::Corrupt(format!("order {} has no payment", order.number))
            })?;
        Ok(Some((order, pay)))
    }

    /// Payments by `methods` that reached their provider (they have its reference) and are
    /// still pending past their window at `now`: the ones a provider's sweep asks about.
    pub(crate) async fn due_at_provider(
        &self,
        methods: &[&str],
        now: chrono::DateTime<Utc>,
    ) -> Result<Vec<payment::Model>, CheckoutError> {
        Ok(payment::Entity::find()
            .filter(payment::Column::Method.is_in(methods.iter().copied()))
            .filter(payment::Column::Status.eq("pending"))
            .filter(payment::Column::ProviderRef.is_not_null())
            .filter(payment::Column::ExpiresAt.lt(now))
            .all(self.db())
            .await?)
    }
}

async fn set_payment_status(
    txn: &DatabaseTransaction,
    payment_id: i32,
    status: &str,
) -> Result<(), CheckoutError> {
    payment::Entity::update_many()
        .col_expr(payment::Column::Status, Expr::value(status))
        .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(payment::Column::Id.eq(payment_id))
        .exec(txn)
        .await?;
    Ok(())
}

//! Refunds: all or part of what an order was charged, with a reason, kept with the order.
//! The order moves to partly refunded or refunded, and the shopper is emailed.
//!
//! A manual payment (bank transfer, cash on delivery) is refunded outside the store, by the
//! merchant's bank: the refund is recorded as done. A payment through a provider (a card
//! through Stripe, PayPal) is refunded through it: the refund is written first (pending,
//! with its idempotency key), the provider is called with no database lock held, and the
//! answer settles it; a refund the provider did not confirm is asked again with the same key
//! (`retry_refunds`), so it is made once.

use crate::checkout::email::EmailKind;
use crate::checkout::{
    Checkout, CheckoutError, MANUAL_METHODS, OrderStatus, currency_of, status_of,
};
use crate::entity::{payment, refund, shop_order};
use crate::error::DomainError;
use crate::money::Money;
use crate::payments::ApiError;
use crate::payments::paypal::PAYPAL;
use crate::payments::stripe::api::RefundMade;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

/// A refund made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refunded {
    pub amount: Money,
    /// What may still be refunded.
    pub left: Money,
    pub status: OrderStatus,
}

impl Checkout {
    /// Refunds `amount` (in the order's currency, as `12.50`; everything left when `None`)
    /// of order `number`, for `reason`. Refused with what is wrong: an order not paid, an
    /// amount of nothing or more than is left. A paid order that was cancelled is refunded
    /// and stays cancelled.
    pub async fn refund(
        &self,
        number: &str,
        amount: Option<&str>,
        reason: &str,
        actor: &str,
    ) -> Result<Refunded, CheckoutError> {
        let txn = crate::txn::begin_write(self.db()).await?;
        // Touching the order first holds it: two refunds at once see each other's amount.
        let held = shop_order::Entity::update_many()
            .col_expr(shop_order::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(shop_order::Column::Number.eq(number))
            .exec(&txn)
            .await?;
        if held.rows_affected == 0 {
            return Err(DomainError::NotFound.into());
        }
        let order = shop_order::Entity::find()
            .filter(shop_order::Column::Number.eq(number))
            .one(&txn)
            .await?
            .ok_or(DomainError::NotFound)?;
        let status = status_of(&order)?;
        let pay = payment::Entity::find()
            .filter(payment::Column::OrderId.eq(order.id))
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::Corrupt(format!("order {number} has no payment")))?;
        // A paid order cancelled later (or money that came after it was cancelled) is paid
        // back too; the order stays cancelled.
        let cancelled_but_paid = status == OrderStatus::Cancelled && pay.status == "paid";
        if !status.can_become(OrderStatus::Refunded) && !cancelled_but_paid {
            return Err(DomainError::Conflict(format!(
                "order {number} is {}: only a paid order is refunded (cancel an unpaid one)",
                status.code()
            ))
            .into());
        }
        let currency = currency_of(&order)?;
        // A failed refund gave nothing back; a pending one is on its way.
        let done: i64 = refund::Entity::find()
            .filter(refund::Column::OrderId.eq(order.id))
            .filter(refund::Column::Status.ne("failed"))
            .all(&txn)
            .await?
            .iter()
            .map(|r| r.amount_minor)
            .sum();
        let left = Money::new(order.total_minor - done, currency);
        let amount = match amount.map(str::trim) {
            None | Some("") => left,
            Some(given) => Money::parse_decimal(given, currency).ok_or_else(|| {
                DomainError::Invalid(format!(
                    "`{given}` is not an amount in {currency} such as {}",
                    left.decimal()
                ))
            })?,
        };
        if amount.minor <= 0 || amount.minor > left.minor {
            return Err(DomainError::Invalid(format!(
                "a refund of {} {currency} is not possible: {} {currency} is left to refund",
                amount.decimal(),
                left.decimal()
            ))
            .into());
        }
        let manual = MANUAL_METHODS.contains(&pay.method.as_str());
        let provider = match Provider::of(&pay) {
            _ if manual => None,
            Some(held) => Some(held),
            None => {
                return Err(DomainError::Invalid(format!(
                    "order {number} was paid by {} and no provider holds its payment: refund \
                     it by hand",
                    pay.method
                ))
                .into());
            }
        };
        // What the provider cannot take is refused before anything is written.
        if let Some(why) = provider
            .as_ref()
            .and_then(|(p, _)| self.cannot_refund(*p, amount))
        {
            return Err(DomainError::Invalid(why).into());
        }
        let now = Utc::now();
        let key = if manual {
            None
        } else {
            Some(crate::keys::random_token(24)?)
        };
        let inserted = refund::Entity::insert(refund::ActiveModel {
            order_id: Set(order.id),
            payment_id: Set(pay.id),
            amount_minor: Set(amount.minor),
            currency: Set(order.currency.clone()),
            reason: Set(reason.trim().to_owned()),
            // A manual payment is paid back outside the store, by the merchant; a provider's
            // refund is pending (and counts against what is left) until the provider says.
            status: Set(if manual { "succeeded" } else { "pending" }.into()),
            provider_ref: Set(None),
            idempotency_key: Set(key.clone()),
            actor: Set(actor.to_owned()),
            created_at: Set(now),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        let (Some(key), Some((provider, reference))) = (key, provider) else {
            let to = self
                .refunded_in(&txn, &order, amount, reason, actor)
                .await?;
            txn.commit().await?;
            return Ok(Refunded {
                amount,
                left: Money::new(left.minor - amount.minor, currency),
                status: to,
            });
        };
        // The refund is written before the provider is called and the order released
        // meanwhile: no database lock is held across the call.
        txn.commit().await?;
        let refund_id = inserted.last_insert_id;
        let made = self
            .refund_at(provider, &reference, amount, &key, number)
            .await;
        let name = provider.name();
        let made = match made {
            Ok(made) => made,
            Err(ApiError::Refused { message, .. }) => {
                set_refund(self.db(), refund_id, "failed", None).await?;
                return Err(
                    DomainError::Invalid(format!("{name} refused the refund: {message}")).into(),
                );
            }
            Err(e) => {
                // Unknown whether the provider made it: kept pending (it still counts), to be
                // asked again with the same key by `retry_refunds`.
                tracing::warn!(order = %number, error = %e, "refund not confirmed by {name}");
                return Err(DomainError::Conflict(format!(
                    "{name} did not confirm the refund ({e}); it is kept pending and is \
                     retried, with the same key, within a few minutes"
                ))
                .into());
            }
        };
        let status = self.refund_made(refund_id, &made).await?;
        Ok(Refunded {
            amount,
            left: Money::new(left.minor - amount.minor, currency),
            status,
        })
    }

    /// A refund the provider made (`made`), applied: the refund row, the order, the email.
    /// The provider may still report a refund `pending` (some methods take days): it then
    /// counts as made.
    /// Applied once: a second answer for the same refund (the retry job and the merchant's
    /// call both heard back) changes nothing.
    async fn refund_made(
        &self,
        refund_id: i32,
        made: &RefundMade,
    ) -> Result<OrderStatus, CheckoutError> {
        let txn = crate::txn::begin_write(self.db()).await?;
        let row = refund::Entity::find_by_id(refund_id)
            .one(&txn)
            .await?
            .ok_or(DomainError::NotFound)?;
        // Touching the order first holds it, as `refund` does: two refunds settling at once
        // count each other.
        shop_order::Entity::update_many()
            .col_expr(shop_order::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(shop_order::Column::Id.eq(row.order_id))
            .exec(&txn)
            .await?;
        let order = shop_order::Entity::find_by_id(row.order_id)
            .one(&txn)
            .await?
            .ok_or(DomainError::NotFound)?;
        let status = if made.status.as_deref() == Some("failed") {
            "failed"
        } else {
            "succeeded"
        };
        if !set_refund(&txn, refund_id, status, Some(&made.id)).await? {
            txn.rollback().await?;
            return Ok(status_of(&order)?);
        }
        if status == "failed" {
            txn.commit().await?;
            return Err(
                DomainError::Invalid("the provider reports the refund failed".into()).into(),
            );
        }
        let amount = Money::new(row.amount_minor, currency_of(&order)?);
        let to = self
            .refunded_in(&txn, &order, amount, &row.reason, &row.actor)
            .await?;
        txn.commit().await?;
        Ok(to)
    }

    /// Refunds through a provider left pending (no answer came) are asked again with their
    /// own key: the provider makes each once. Returns how many were settled.
    pub async fn retry_refunds(&self) -> Result<usize, CheckoutError> {
        if self.stripe().is_none() && self.paypal().is_none() {
            return Ok(0);
        }
        // Not the ones a merchant's call is still waiting on.
        let settled_before = Utc::now() - chrono::Duration::minutes(2);
        let pending = refund::Entity::find()
            .filter(refund::Column::Status.eq("pending"))
            .filter(refund::Column::IdempotencyKey.is_not_null())
            .filter(refund::Column::CreatedAt.lt(settled_before))
            .all(self.db())
            .await?;
        let mut settled = 0;
        for row in pending {
            let (Some(key), Some(pay), Some(order)) = (
                row.idempotency_key.clone(),
                payment::Entity::find_by_id(row.payment_id)
                    .one(self.db())
                    .await?,
                shop_order::Entity::find_by_id(row.order_id)
                    .one(self.db())
                    .await?,
            ) else {
                continue;
            };
            let Some((provider, reference)) = Provider::of(&pay) else {
                continue;
            };
            let amount = Money::new(row.amount_minor, currency_of(&order)?);
            match self
                .refund_at(provider, &reference, amount, &key, &order.number)
                .await
            {
                Ok(made) => match self.refund_made(row.id, &made).await {
                    Ok(_) => settled += 1,
                    // One refund's trouble does not hold up the others.
                    Err(e) => {
                        tracing::warn!(order = %order.number, error = %e, "pending refund not applied")
                    }
                },
                Err(ApiError::Refused { message, .. }) => {
                    tracing::warn!(order = %order.number, %message, provider = provider.name(), "a pending refund was refused");
                    set_refund(self.db(), row.id, "failed", None).await?;
                    settled += 1;
                }
                Err(e) => {
                    tracing::warn!(order = %order.number, error = %e, "pending refund still unconfirmed")
                }
            }
        }
        Ok(settled)
    }

    /// The order's side of a refund made (its row already `succeeded`): the order's status
    /// from what has been paid back so far (a refund still pending at Stripe does not count
    /// yet), or a note for a paid order that was cancelled; the payment once everything is
    /// paid back; and the shopper's email.
    async fn refunded_in(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        order: &shop_order::Model,
        amount: Money,
        reason: &str,
        actor: &str,
    ) -> Result<OrderStatus, CheckoutError> {
        let status = status_of(order)?;
        let currency = amount.currency;
        let paid_back: i64 = refund::Entity::find()
            .filter(refund::Column::OrderId.eq(order.id))
            .filter(refund::Column::Status.eq("succeeded"))
            .all(txn)
            .await?
            .iter()
            .map(|r| r.amount_minor)
            .sum();
        let all_back = paid_back >= order.total_minor;
        let note = format!(
            "refund of {} {currency}: {}",
            amount.decimal(),
            reason.trim()
        );
        let to = if all_back {
            OrderStatus::Refunded
        } else {
            OrderStatus::PartiallyRefunded
        };
        let to = if status == OrderStatus::Cancelled || status == OrderStatus::Refunded {
            self.note_on(txn, order, status, actor, &note).await?;
            status
        } else {
            self.transition_in(txn, order, to, actor, &note).await?;
            to
        };
        if all_back {
            payment::Entity::update_many()
                .col_expr(payment::Column::Status, Expr::value("refunded"))
                .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(payment::Column::OrderId.eq(order.id))
                .exec(txn)
                .await?;
        }
        self.queue_order_email(txn, EmailKind::Refunded, order)
            .await?;
        Ok(to)
    }
}

/// The provider a payment is refunded through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Provider {
    Stripe,
    Paypal,
}

impl Provider {
    /// The provider holding `pay`, and its reference there (a PaymentIntent, a PayPal order).
    fn of(pay: &payment::Model) -> Option<(Self, String)> {
        let provider = match pay.provider.as_deref()? {
            "stripe" => Self::Stripe,
            PAYPAL => Self::Paypal,
            _ => return None,
        };
        Some((provider, pay.provider_ref.clone()?))
    }

    fn name(self) -> &'static str {
        match self {
            Self::Stripe => "Stripe",
            Self::Paypal => "PayPal",
        }
    }
}

impl Checkout {
    /// Why `provider` cannot pay back `amount` now: not set up, or an amount it cannot
    /// express.
    fn cannot_refund(&self, provider: Provider, amount: Money) -> Option<String> {
        let (set_up, setting, exact) = match provider {
            Provider::Stripe => (
                self.stripe().is_some(),
                "TRADEWIND_STRIPE_SECRET_KEY",
                crate::payments::stripe::to_stripe(amount).is_some(),
            ),
            Provider::Paypal => (
                self.paypal().is_some(),
                "TRADEWIND_PAYPAL_CLIENT_ID",
                crate::payments::paypal::to_paypal(amount).is_some(),
            ),
        };
        let name = provider.name();
        if !set_up {
            Some(format!(
                "{name} is not set up ({setting}): its refunds cannot be made"
            ))
        } else if !exact {
            Some(format!(
                "{name} cannot pay back exactly {} {}",
                amount.decimal(),
                amount.currency
            ))
        } else {
            None
        }
    }

    /// Pays back `amount` of payment `reference` through `provider`, under the store's
    /// refund `key` (the same refund asked twice is made once).
    async fn refund_at(
        &self,
        provider: Provider,
        reference: &str,
        amount: Money,
        key: &str,
        number: &str,
    ) -> Result<RefundMade, ApiError> {
        let off = || ApiError::Unavailable(format!("{} is not set up", provider.name()));
        match provider {
            Provider::Stripe => {
                let api = self.stripe().ok_or_else(off)?;
                api.refund(reference, amount, key, number).await
            }
            Provider::Paypal => {
                let api = self.paypal().ok_or_else(off)?;
                // A PayPal order is paid back through its capture.
                let capture =
                    api.order(reference)
                        .await?
                        .capture
                        .ok_or_else(|| ApiError::Refused {
                            status: 422,
                            code: None,
                            message: format!("PayPal order {reference} has no capture"),
                        })?;
                let made = api.refund(&capture.id, amount, key, number).await?;
                Ok(RefundMade {
                    id: made.id,
                    status: Some(made.status.to_owned()),
                })
            }
        }
    }
}

/// Settles a refund still pending (or one marked failed that Stripe then reported made);
/// false when it was settled already.
async fn set_refund(
    db: &impl sea_orm::ConnectionTrait,
    id: i32,
    status: &str,
    provider_ref: Option<&str>,
) -> Result<bool, CheckoutError> {
    let mut update = refund::Entity::update_many()
        .col_expr(refund::Column::Status, Expr::value(status))
        .filter(refund::Column::Id.eq(id))
        .filter(refund::Column::Status.is_in(["pending", "failed"]))
        .filter(refund::Column::Status.ne(status));
    if let Some(r) = provider_ref {
        update = update.col_expr(refund::Column::ProviderRef, Expr::value(r));
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

//! Refunds: all or part of what an order was charged, with a reason, kept with the order.
//! The order moves to partly refunded or refunded, and the shopper is emailed.
//!
//! A manual payment (bank transfer, cash on delivery) is refunded outside the store, by the
//! merchant's bank: the refund is recorded as done. Card and wallet payments will be refunded
//! through their provider, with the refund's idempotency key, once those providers are
//! connected.

use crate::checkout::email::EmailKind;
use crate::checkout::{
    Checkout, CheckoutError, MANUAL_METHODS, OrderStatus, currency_of, status_of,
};
use crate::entity::{payment, refund, shop_order};
use crate::error::DomainError;
use crate::money::Money;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

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
        let txn = self.db().begin().await?;
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
        if !MANUAL_METHODS.contains(&pay.method.as_str()) {
            return Err(DomainError::Invalid(format!(
                "order {number} was paid by {}: its refunds go through the provider, which is \
                 not connected yet",
                pay.method
            ))
            .into());
        }
        let now = Utc::now();
        refund::Entity::insert(refund::ActiveModel {
            order_id: Set(order.id),
            payment_id: Set(pay.id),
            amount_minor: Set(amount.minor),
            currency: Set(order.currency.clone()),
            reason: Set(reason.trim().to_owned()),
            // Paid back outside the store, by the merchant.
            status: Set("succeeded".into()),
            provider_ref: Set(None),
            idempotency_key: Set(None),
            actor: Set(actor.to_owned()),
            created_at: Set(now),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        let left = Money::new(left.minor - amount.minor, currency);
        let note = format!(
            "refund of {} {currency}: {}",
            amount.decimal(),
            reason.trim()
        );
        let to = if cancelled_but_paid {
            self.note_on(&txn, &order, status, actor, &note).await?;
            status
        } else {
            let to = if left.minor == 0 {
                OrderStatus::Refunded
            } else {
                OrderStatus::PartiallyRefunded
            };
            self.transition_in(&txn, &order, to, actor, &note).await?;
            to
        };
        if left.minor == 0 {
            payment::Entity::update_many()
                .col_expr(payment::Column::Status, Expr::value("refunded"))
                .col_expr(payment::Column::UpdatedAt, Expr::value(now))
                .filter(payment::Column::Id.eq(pay.id))
                .exec(&txn)
                .await?;
        }
        self.queue_order_email(&txn, EmailKind::Refunded, &order)
            .await?;
        txn.commit().await?;
        Ok(Refunded {
            amount,
            left,
            status: to,
        })
    }
}

//! Paying an order by card through Stripe, after it is placed: the order page's card form
//! (Stripe.js makes a PaymentMethod in the browser; the card number never reaches the store)
//! asks the store to confirm the order's PaymentIntent with it.
//!
//! One PaymentIntent per order, created at the first attempt under a key made of the order,
//! so a double click or a retry after a lost answer finds the same one; each attempt confirms
//! it with the card given. What Stripe answers is applied like its webhook events (under an
//! id of its own, so the webhook's later event finds the order already paid): the shopper
//! who comes back sees the order paid, and the one who closes the tab has it paid by the
//! webhook. Pending card payments past their window are asked about once more, then
//! cancelled with their stock released (`sweep_card_payments`).

use super::stripe::api::{ApiError, Intent, StripeApi};
use super::{Outcome, PaymentChange, ProviderEvent, Standing};
use crate::checkout::{Checkout, CheckoutError, OrderStatus, status_of};
use crate::entity::{payment, shop_order};
use crate::error::DomainError;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub use crate::checkout::CARD;

/// Cards one order may try (each confirmed with Stripe); then the shopper is told to place
/// the order again with another method or to contact the shop.
pub const MAX_CARD_ATTEMPTS: i32 = 8;

/// Where a card payment stands after the shopper's step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardStep {
    /// The order is paid.
    Paid,
    /// The card's bank wants the shopper to authenticate: Stripe.js finishes it with this.
    Authenticate { client_secret: String },
    /// This card did not pay: Stripe's error code (`card_declined`, `expired_card`…, empty
    /// when it gave none); another card may be tried.
    Declined { code: String },
    /// Stripe is still processing it, or the store could not reach Stripe: nothing was
    /// charged twice, the page says to wait or try again shortly.
    Waiting,
    /// The order no longer waits for a payment (cancelled, or paid some other way).
    Closed,
}

fn succeeded_event(intent: &Intent) -> ProviderEvent {
    ProviderEvent {
        provider: "stripe",
        // Not an id Stripe gives events (those start `evt_`): what the store read itself.
        id: format!("{}:succeeded", intent.id),
        kind: "payment_intent.read".into(),
        payment: Some((
            intent.id.clone(),
            PaymentChange::Succeeded {
                amount: intent.money(),
            },
        )),
    }
}

impl Checkout {
    async fn card_order(
        &self,
        token: &str,
    ) -> Result<Option<(shop_order::Model, payment::Model)>, CheckoutError> {
        Ok(self
            .order_and_payment(token)
            .await?
            .filter(|(_, pay)| pay.method == CARD))
    }

    /// The order's PaymentIntent: made at the first attempt and kept on its payment. Two
    /// attempts at once agree on one (Stripe answers the same key with the same intent; the
    /// row keeps the first written).
    async fn intent_of(
        &self,
        api: &StripeApi,
        order: &shop_order::Model,
        pay: &payment::Model,
    ) -> Result<Result<String, ApiError>, CheckoutError> {
        if let Some(reference) = &pay.provider_ref {
            return Ok(Ok(reference.clone()));
        }
        let amount =
            crate::money::Money::new(pay.amount_minor, crate::checkout::currency_of(order)?);
        let intent = match api
            .create_intent(amount, &order.number, &intent_key(order))
            .await
        {
            Ok(intent) => intent,
            Err(e) => return Ok(Err(e)),
        };
        payment::Entity::update_many()
            .col_expr(payment::Column::Provider, Expr::value("stripe"))
            .col_expr(payment::Column::ProviderRef, Expr::value(intent.id.clone()))
            .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(payment::Column::Id.eq(pay.id))
            .filter(payment::Column::ProviderRef.is_null())
            .exec(self.db())
            .await?;
        let kept = payment::Entity::find_by_id(pay.id)
            .one(self.db())
            .await?
            .and_then(|p| p.provider_ref)
            .unwrap_or(intent.id);
        Ok(Ok(kept))
    }

    /// Pays order `token` with `payment_method` (a PaymentMethod Stripe.js made from the
    /// shopper's card). `return_url` is where a bank sends the shopper back after
    /// authenticating outside the page.
    pub async fn pay_by_card(
        &self,
        token: &str,
        payment_method: &str,
        return_url: &str,
    ) -> Result<CardStep, CheckoutError> {
        let api = self.stripe_api()?;
        let Some((order, pay)) = self.card_order(token).await? else {
            return Err(DomainError::NotFound.into());
        };
        if let Some(step) = closed(&order, &pay)? {
            return Ok(step);
        }
        // Past its window the order is about to be released: no new charge.
        if pay.expires_at.is_some_and(|at| at < Utc::now()) {
            return Ok(CardStep::Closed);
        }
        // Each try is counted first: an order takes a few cards, not a list of stolen ones.
        let counted = payment::Entity::update_many()
            .col_expr(
                payment::Column::Attempts,
                Expr::col(payment::Column::Attempts).add(1),
            )
            .filter(payment::Column::Id.eq(pay.id))
            .filter(payment::Column::Attempts.lt(MAX_CARD_ATTEMPTS))
            .exec(self.db())
            .await?;
        if counted.rows_affected == 0 {
            tracing::warn!(order = %order.number, "card tries exhausted");
            return Ok(CardStep::Declined {
                code: "too_many_attempts".into(),
            });
        }
        let intent = match self.intent_of(api, &order, &pay).await? {
            Ok(intent) => intent,
            Err(e) => {
                self.untried(pay.id).await?;
                return Ok(unreached(&order, &e));
            }
        };
        // Creating the intent took a call to Stripe: the order may have moved meanwhile.
        if let Some(step) = self
            .card_order(token)
            .await?
            .and_then(|(o, p)| closed(&o, &p).transpose())
        {
            return step;
        }
        match api.confirm(&intent, payment_method, return_url).await {
            Ok(answer) => self.settle(&answer).await,
            // A decline: Stripe's words for the shopper; the webhook notes it on the order.
            Err(ApiError::Refused {
                status: 402, code, ..
            }) => Ok(CardStep::Declined {
                code: code.unwrap_or_default(),
            }),
            // Refused for its state (already paid, say): what the intent is now decides.
            Err(ApiError::Refused { message, code, .. }) => {
                tracing::warn!(order = %order.number, %message, "stripe refused a confirmation");
                match api.retrieve(&intent).await {
                    Ok(now) => match self.settle(&now).await? {
                        CardStep::Waiting => Ok(CardStep::Declined {
                            code: code.unwrap_or_default(),
                        }),
                        step => Ok(step),
                    },
                    Err(e) => Ok(unreached(&order, &e)),
                }
            }
            // No card reached Stripe's answer: the try is given back.
            Err(e) => {
                self.untried(pay.id).await?;
                Ok(unreached(&order, &e))
            }
        }
    }

    /// Gives back a card try that never got an answer from Stripe.
    async fn untried(&self, payment_id: i32) -> Result<(), CheckoutError> {
        payment::Entity::update_many()
            .col_expr(
                payment::Column::Attempts,
                Expr::col(payment::Column::Attempts).sub(1),
            )
            .filter(payment::Column::Id.eq(payment_id))
            .filter(payment::Column::Attempts.gt(0))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Where order `token`'s card payment stands, asked of Stripe: after the shopper
    /// authenticated, or came back from their bank's page.
    pub async fn card_result(&self, token: &str) -> Result<CardStep, CheckoutError> {
        let api = self.stripe_api()?;
        let Some((order, pay)) = self.card_order(token).await? else {
            return Err(DomainError::NotFound.into());
        };
        if let Some(step) = closed(&order, &pay)? {
            return Ok(step);
        }
        let Some(intent) = &pay.provider_ref else {
            return Ok(CardStep::Waiting);
        };
        match api.retrieve(intent).await {
            Ok(now) => self.settle(&now).await,
            Err(e) => Ok(unreached(&order, &e)),
        }
    }

    /// Applies what Stripe said of an intent; a success is applied once, like its event.
    async fn settle(&self, intent: &Intent) -> Result<CardStep, CheckoutError> {
        Ok(match intent.status.as_str() {
            "succeeded" => match self.apply_payment_event(&succeeded_event(intent)).await {
                Ok(Outcome::PaidAfterCancel) => CardStep::Closed,
                Ok(Outcome::AmountMismatch | Outcome::UnknownPayment) => CardStep::Waiting,
                Ok(Outcome::Applied | Outcome::Duplicate | Outcome::Ignored) => CardStep::Paid,
                // The webhook (or the sweep) moved the order at the same moment: where it
                // stands now is the answer.
                Err(CheckoutError::Domain(DomainError::Conflict(_))) => {
                    self.now_for(intent).await?
                }
                Err(e) => return Err(e),
            },
            "requires_action" => match &intent.client_secret {
                Some(secret) => CardStep::Authenticate {
                    client_secret: secret.clone(),
                },
                None => CardStep::Waiting,
            },
            "requires_payment_method" => CardStep::Declined {
                code: intent.failure_code().unwrap_or_default(),
            },
            "canceled" => CardStep::Closed,
            _ => CardStep::Waiting,
        })
    }

    /// Card payments tried at Stripe and still pending past their window are asked about
    /// once more: paid ones are marked paid (the store may have missed both the shopper's
    /// return and the webhook), the rest cancelled at Stripe and in the store, their stock
    /// released. Returns how many orders changed. A payment Stripe cannot be asked about now
    /// is left for the next sweep. (Card payments never tried are released like any unpaid
    /// order, by `release_unpaid`.)
    pub async fn sweep_card_payments(&self, now: DateTime<Utc>) -> Result<usize, CheckoutError> {
        let Some(api) = self.stripe() else {
            return Ok(0);
        };
        // Vouchers too: a slip past its days is a PaymentIntent to ask about like a card's.
        let methods: Vec<&str> = crate::checkout::stripe_methods().collect();
        let due = self.due_at_provider(&methods, now).await?;
        let mut changed = 0;
        for pay in due {
            let Some(order) = shop_order::Entity::find_by_id(pay.order_id)
                .one(self.db())
                .await?
            else {
                continue;
            };
            if status_of(&order)? != OrderStatus::PendingPayment {
                continue;
            }
            let Some(intent) = &pay.provider_ref else {
                continue;
            };
            let cancelled = match api.retrieve(intent).await {
                Ok(i) if i.status == "succeeded" => {
                    match self.settle(&i).await {
                        Ok(CardStep::Paid) => changed += 1,
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(order = %order.number, error = %e, "card payment not settled; next sweep")
                        }
                    }
                    continue;
                }
                // A slip paid on its last day is reported late: Stripe has days more to say.
                Ok(i) if super::voucher::awaits_stripe(&pay, &i.status, now) => continue,
                Ok(i) if i.status == "canceled" => i.id,
                // Stripe does not know it (the keys moved to another account or mode): no
                // money can come through it.
                Err(ApiError::Refused { status: 404, .. }) => intent.clone(),
                Ok(i) => match api.cancel(&i.id).await {
                    Ok(c) if c.status == "canceled" => c.id,
                    // It succeeded meanwhile: the next sweep or the webhook marks it paid.
                    Ok(_) => continue,
                    Err(e) => {
                        tracing::warn!(order = %order.number, error = %e, "card payment not cancelled at Stripe; next sweep");
                        continue;
                    }
                },
                Err(e) => {
                    tracing::warn!(order = %order.number, error = %e, "card payment not read at Stripe; next sweep");
                    continue;
                }
            };
            let outcome = self
                .apply_payment_event(&ProviderEvent {
                    provider: "stripe",
                    id: format!("{cancelled}:canceled"),
                    kind: "payment_intent.read".into(),
                    payment: Some((cancelled, PaymentChange::Cancelled)),
                })
                .await;
            match outcome {
                Ok(Outcome::Applied) => changed += 1,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(order = %order.number, error = %e, "card payment not cancelled; next sweep")
                }
            }
        }
        Ok(changed)
    }
}

/// The idempotency key of an order's PaymentIntent.
fn intent_key(order: &shop_order::Model) -> String {
    super::order_key(order, "stripe-intent")
}

/// An order that no longer takes a card payment, and what to say.
fn closed(
    order: &shop_order::Model,
    pay: &payment::Model,
) -> Result<Option<CardStep>, CheckoutError> {
    Ok(super::standing(order, pay)?.map(|s| match s {
        Standing::Waiting => CardStep::Waiting,
        Standing::Closed => CardStep::Closed,
        Standing::Paid => CardStep::Paid,
    }))
}

impl Checkout {
    /// Cancels at Stripe the PaymentIntent of order `order_id` (a card's or a voucher's), if
    /// it has one (the order was cancelled in the store, so a slip must no longer be paid):
    /// best effort, said in the log when it fails.
    pub(crate) async fn cancel_card_intent(&self, order_id: i32) {
        let Some(api) = self.stripe() else {
            return;
        };
        let found = payment::Entity::find()
            .filter(payment::Column::OrderId.eq(order_id))
            .filter(payment::Column::Provider.eq("stripe"))
            .one(self.db())
            .await;
        if let Ok(Some(payment::Model {
            provider_ref: Some(intent),
            ..
        })) = found
            && let Err(e) = api.cancel(&intent).await
        {
            tracing::warn!(%intent, error = %e, "PaymentIntent of a cancelled order not cancelled at Stripe");
        }
    }

    /// Settles a card payment the shopper may have finished elsewhere (a bank's page that
    /// sent them back to the order page): asks Stripe when the order still waits for a
    /// payment already tried. Errors are left to the page's own call and the sweep.
    pub async fn refresh_card_payment(&self, token: &str) {
        // `card_result` calls Stripe only for a pending payment already tried there.
        if self.stripe().is_some() {
            let _ = self.card_result(token).await;
        }
    }

    /// Where the card payment of `intent` stands in the store now.
    async fn now_for(&self, intent: &Intent) -> Result<CardStep, CheckoutError> {
        let Some(pay) = payment::Entity::find()
            .filter(payment::Column::Provider.eq("stripe"))
            .filter(payment::Column::ProviderRef.eq(&intent.id))
            .one(self.db())
            .await?
        else {
            return Ok(CardStep::Waiting);
        };
        let Some(order) = shop_order::Entity::find_by_id(pay.order_id)
            .one(self.db())
            .await?
        else {
            return Ok(CardStep::Waiting);
        };
        Ok(closed(&order, &pay)?.unwrap_or(CardStep::Waiting))
    }

    fn stripe_api(&self) -> Result<&StripeApi, CheckoutError> {
        self.stripe().ok_or_else(|| {
            DomainError::Invalid("card payments are off: Stripe is not set up".into()).into()
        })
    }
}

fn unreached(order: &shop_order::Model, e: &ApiError) -> CardStep {
    tracing::error!(order = %order.number, error = %e, "stripe call failed");
    CardStep::Waiting
}

//! Paying an order through PayPal, after it is placed, with no JavaScript: the store creates
//! a PayPal order for the order's total (with its breakdown) and sends the shopper to PayPal
//! to approve it; PayPal sends them back to the store, which captures it. A shopper who
//! approves and closes the tab is captured by PayPal's `CHECKOUT.ORDER.APPROVED` webhook
//! instead; the capture carries a request id made of the PayPal order, so both together
//! capture once, and the store's order becomes paid once (`apply_payment_event`).
//!
//! A PayPal order is created once per try (its request id holds the order and the try), so
//! coming back from PayPal and going there again finds the same one; after a declined
//! capture the next try makes a new one. An order not paid within its window is released
//! like any unpaid order: PayPal takes no money before the store captures, and the store
//! captures only an order still waiting for its payment.

use super::PAYPAL;
use super::api::{OrderState, PaypalApi};
use crate::checkout::{Checkout, CheckoutError};
use crate::entity::{payment, shop_order};
use crate::error::DomainError;
use crate::payments::card::MAX_CARD_ATTEMPTS;
use crate::payments::{ApiError, Outcome, PaymentChange, ProviderEvent, Standing};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Where a PayPal payment stands after the shopper's step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaypalStep {
    /// Off to PayPal, to this address, to approve the payment.
    Approve(String),
    /// The order is paid.
    Paid,
    /// Not paid: `cancelled` (the shopper left PayPal without approving), `declined` (PayPal
    /// refused the funding source) or `too_many_attempts`; the shopper may go to PayPal again.
    NotPaid(&'static str),
    /// PayPal could not be reached, or is still processing: nothing was charged twice.
    Waiting,
    /// The order no longer waits for a payment (cancelled, or paid some other way).
    Closed,
}

impl Checkout {
    fn paypal_api(&self) -> Result<&PaypalApi, CheckoutError> {
        self.paypal().ok_or_else(|| {
            DomainError::Invalid("PayPal is off: TRADEWIND_PAYPAL_CLIENT_ID is not set".into())
                .into()
        })
    }

    /// The order `token` and its payment, when it is paid through PayPal.
    async fn paypal_order(
        &self,
        token: &str,
    ) -> Result<(shop_order::Model, payment::Model), CheckoutError> {
        self.order_and_payment(token)
            .await?
            .filter(|(_, pay)| pay.method == PAYPAL)
            .ok_or_else(|| DomainError::NotFound.into())
    }

    /// Where the shopper approves the payment of order `token` at PayPal, in `locale`
    /// (`en`, `pt-BR`…). The PayPal order is created at the first call of a try and found
    /// again (the same request id) at the next.
    pub async fn paypal_approval(
        &self,
        token: &str,
        locale: crate::Locale,
    ) -> Result<PaypalStep, CheckoutError> {
        let api = self.paypal_api()?;
        let (order, pay) = self.paypal_order(token).await?;
        if let Some(step) = closed(&order, &pay)? {
            return Ok(step);
        }
        if pay.expires_at.is_some_and(|at| at < Utc::now()) {
            return Ok(PaypalStep::Closed);
        }
        if pay.attempts >= MAX_CARD_ATTEMPTS {
            return Ok(PaypalStep::NotPaid("too_many_attempts"));
        }
        // This try's PayPal order, if it has one: approved since (captured now), or still
        // to approve (back to it), whatever PayPal remembers of its request id.
        if let Some(reference) = &pay.provider_ref {
            let now = match api.order(reference).await {
                Ok(now) => now,
                Err(e) => return Ok(unreached(&order, &e)),
            };
            match now.status.as_str() {
                "APPROVED" | "COMPLETED" => return self.capture_paypal(reference).await,
                "CREATED" | "SAVED" | "PAYER_ACTION_REQUIRED" => {
                    return Ok(match api.approvable(now.approve_url) {
                        Ok(url) => PaypalStep::Approve(url),
                        Err(e) => unreached(&order, &e),
                    });
                }
                "VOIDED" => {
                    self.next_try(&pay).await?;
                    return Box::pin(self.paypal_approval(token, locale)).await;
                }
                _ => return Ok(PaypalStep::Waiting),
            }
        }
        let totals = crate::checkout::totals_of(&order)?;
        let page = format!("{}/{}/orders/{token}", self.public_url(), locale.code());
        let created = api
            .create_order(
                &order.number,
                &totals,
                &paypal_locale(locale),
                &format!("{page}/paypal"),
                &format!("{page}?paypal=cancelled"),
                &request_id(&order, pay.attempts),
            )
            .await;
        let created = match created {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(order = %order.number, error = %e, "PayPal order not created");
                return Ok(PaypalStep::Waiting);
            }
        };
        payment::Entity::update_many()
            .col_expr(payment::Column::Provider, Expr::value(PAYPAL))
            .col_expr(
                payment::Column::ProviderRef,
                Expr::value(created.id.clone()),
            )
            .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(payment::Column::Id.eq(pay.id))
            .filter(payment::Column::ProviderRef.is_null())
            .exec(self.db())
            .await?;
        Ok(PaypalStep::Approve(created.approve_url))
    }

    /// The shopper is back from PayPal having approved: the payment is captured.
    pub async fn paypal_returned(&self, token: &str) -> Result<PaypalStep, CheckoutError> {
        let (order, pay) = self.paypal_order(token).await?;
        if let Some(step) = closed(&order, &pay)? {
            return Ok(step);
        }
        match &pay.provider_ref {
            Some(reference) => self.capture_paypal(reference).await,
            None => Ok(PaypalStep::NotPaid("cancelled")),
        }
    }

    /// Captures PayPal order `reference` for the store's order waiting for it: when the
    /// shopper comes back, or when PayPal's webhook says it was approved. Captured once,
    /// however often asked.
    pub async fn capture_paypal(&self, reference: &str) -> Result<PaypalStep, CheckoutError> {
        let api = self.paypal_api()?;
        let Some(pay) = payment::Entity::find()
            .filter(payment::Column::Provider.eq(PAYPAL))
            .filter(payment::Column::ProviderRef.eq(reference))
            .one(self.db())
            .await?
        else {
            return Ok(PaypalStep::Closed);
        };
        let order = shop_order::Entity::find_by_id(pay.order_id)
            .one(self.db())
            .await?
            .ok_or(DomainError::NotFound)?;
        if let Some(step) = closed(&order, &pay)? {
            return Ok(step);
        }
        // Asked first: a capture is sent only for an order the shopper approved (a refused
        // capture is not one PayPal has to remember under its request id).
        let now = match api.order(reference).await {
            Ok(now) => now,
            Err(e) => return Ok(unreached(&order, &e)),
        };
        match now.status.as_str() {
            "APPROVED" => {}
            "COMPLETED" => return self.settle_paypal(&order, &pay, &now).await,
            "CREATED" | "SAVED" | "PAYER_ACTION_REQUIRED" => {
                return Ok(PaypalStep::NotPaid("cancelled"));
            }
            // Voided at PayPal: the next try makes a new one.
            "VOIDED" => {
                self.next_try(&pay).await?;
                return Ok(PaypalStep::NotPaid("declined"));
            }
            _ => return Ok(PaypalStep::Waiting),
        }
        let answer = match api
            .capture(reference, &format!("tw-capture-{reference}"))
            .await
        {
            Ok(state) => state,
            Err(ApiError::Refused { code, message, .. }) => match code.as_deref() {
                Some("ORDER_ALREADY_CAPTURED") => match api.order(reference).await {
                    Ok(state) => state,
                    Err(e) => return Ok(unreached(&order, &e)),
                },
                Some("ORDER_NOT_APPROVED") => return Ok(PaypalStep::NotPaid("cancelled")),
                // The funding source was refused: the next try is a new PayPal order, where
                // the shopper picks another.
                Some("INSTRUMENT_DECLINED" | "PAYER_ACTION_REQUIRED" | "TRANSACTION_REFUSED") => {
                    tracing::info!(order = %order.number, %message, "PayPal declined a capture");
                    self.next_try(&pay).await?;
                    return Ok(PaypalStep::NotPaid("declined"));
                }
                // Anything else says nothing of the shopper's money: the order is kept, to be
                // captured by the next return, the webhook's next delivery or the sweep.
                _ => {
                    tracing::warn!(order = %order.number, %message, "PayPal refused a capture");
                    return Ok(PaypalStep::Waiting);
                }
            },
            Err(e) => return Ok(unreached(&order, &e)),
        };
        self.settle_paypal(&order, &pay, &answer).await
    }

    /// Applies what PayPal said of a capture; a success is applied once, like its event.
    async fn settle_paypal(
        &self,
        order: &shop_order::Model,
        pay: &payment::Model,
        state: &OrderState,
    ) -> Result<PaypalStep, CheckoutError> {
        let Some(capture) = &state.capture else {
            return Ok(PaypalStep::Waiting);
        };
        let change = match capture.status.as_str() {
            "COMPLETED" => PaymentChange::Succeeded {
                amount: capture.amount,
            },
            "DECLINED" | "FAILED" => PaymentChange::AttemptFailed {
                reason: format!("PayPal capture {} {}", capture.id, capture.status),
            },
            _ => return Ok(PaypalStep::Waiting),
        };
        let paid = matches!(change, PaymentChange::Succeeded { .. });
        let event = ProviderEvent {
            provider: PAYPAL,
            // Not an id PayPal gives events (those start `WH-`): what the store read itself.
            id: format!("{}:{}", capture.id, capture.status),
            kind: "capture.read".into(),
            payment: Some((state.id.clone(), change)),
        };
        let outcome = match self.apply_payment_event(&event).await {
            Ok(o) => o,
            // The webhook moved the order at the same moment: where it stands now is the
            // answer.
            Err(CheckoutError::Domain(DomainError::Conflict(_))) => {
                let (o, p) = self.paypal_order(&order.token).await?;
                return Ok(closed(&o, &p)?.unwrap_or(PaypalStep::Waiting));
            }
            Err(e) => return Err(e),
        };
        if !paid {
            self.next_try(pay).await?;
            return Ok(PaypalStep::NotPaid("declined"));
        }
        Ok(match outcome {
            Outcome::PaidAfterCancel => PaypalStep::Closed,
            Outcome::AmountMismatch | Outcome::UnknownPayment => PaypalStep::Waiting,
            Outcome::Applied | Outcome::Duplicate | Outcome::Ignored => PaypalStep::Paid,
        })
    }

    /// A declined PayPal order cannot be captured again: the next try makes a new one.
    async fn next_try(&self, pay: &payment::Model) -> Result<(), CheckoutError> {
        payment::Entity::update_many()
            .col_expr(
                payment::Column::Attempts,
                Expr::col(payment::Column::Attempts).add(1),
            )
            .col_expr(payment::Column::ProviderRef, Expr::value(None::<String>))
            .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(payment::Column::Id.eq(pay.id))
            .filter(payment::Column::ProviderRef.eq(pay.provider_ref.clone()))
            .filter(payment::Column::Status.eq("pending"))
            .exec(self.db())
            .await?;
        Ok(())
    }
}

impl Checkout {
    /// PayPal payments with a PayPal order and still pending past their window are asked
    /// about before anything is released (`release_unpaid` leaves them here): approved ones
    /// are captured, completed ones settled (the store may have missed both the shopper's
    /// return and the webhook), a capture still pending at PayPal left to its webhook, and
    /// the rest cancelled with their stock released. Returns how many orders changed. A
    /// payment PayPal cannot be asked about now is left for the next sweep.
    pub async fn sweep_paypal_payments(
        &self,
        now: chrono::DateTime<Utc>,
    ) -> Result<usize, CheckoutError> {
        let Some(api) = self.paypal() else {
            return Ok(0);
        };
        let due = self.due_at_provider(&[PAYPAL], now).await?;
        let mut changed = 0;
        for pay in due {
            let Some(reference) = pay.provider_ref.clone() else {
                continue;
            };
            let state = match api.order(&reference).await {
                Ok(state) => Some(state),
                // PayPal does not know it (another account or its sandbox): no money can
                // come through it.
                Err(ApiError::Refused { status: 404, .. }) => None,
                Err(e) => {
                    tracing::warn!(%reference, error = %e, "PayPal payment not read; next sweep");
                    continue;
                }
            };
            let step = match state.as_ref().map(|s| s.status.as_str()) {
                Some("APPROVED" | "COMPLETED") => self.capture_paypal(&reference).await,
                _ => {
                    let event = ProviderEvent {
                        provider: PAYPAL,
                        id: format!("{reference}:expired"),
                        kind: "order.read".into(),
                        payment: Some((reference.clone(), PaymentChange::Cancelled)),
                    };
                    match self.apply_payment_event(&event).await {
                        Ok(Outcome::Applied) => Ok(PaypalStep::Closed),
                        Ok(_) => Ok(PaypalStep::Waiting),
                        Err(e) => Err(e),
                    }
                }
            };
            match step {
                Ok(PaypalStep::Paid | PaypalStep::Closed) => changed += 1,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(%reference, error = %e, "PayPal payment not settled; next sweep")
                }
            }
        }
        Ok(changed)
    }
}

/// The request id of order `order`'s PayPal order for try `attempt`.
fn request_id(order: &shop_order::Model, attempt: i32) -> String {
    format!(
        "tw-order-{}-{attempt}",
        crate::payments::order_key(order, "paypal-order")
    )
}

/// PayPal's page language for a store locale (`de-DE`, `pt-BR`, `zh-CN`…), in the country
/// PayPal knows that language best for.
fn paypal_locale(locale: crate::Locale) -> String {
    let code = locale.code();
    if code.contains('-') {
        return code.to_owned();
    }
    let country = match code {
        "en" => "US",
        "ja" => "JP",
        "zh" => "CN",
        "vi" => "VN",
        "id" => "ID",
        "ar" => "SA",
        "es" => "MX",
        other => return format!("{other}-{}", other.to_ascii_uppercase()),
    };
    format!("{code}-{country}")
}

/// An order that no longer takes a PayPal payment, and what to say.
fn closed(
    order: &shop_order::Model,
    pay: &payment::Model,
) -> Result<Option<PaypalStep>, CheckoutError> {
    Ok(crate::payments::standing(order, pay)?.map(|s| match s {
        Standing::Waiting => PaypalStep::Waiting,
        Standing::Closed => PaypalStep::Closed,
        Standing::Paid => PaypalStep::Paid,
    }))
}

fn unreached(order: &shop_order::Model, e: &ApiError) -> PaypalStep {
    tracing::error!(order = %order.number, error = %e, "PayPal call failed");
    PaypalStep::Waiting
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paypal_pages_speak_the_shoppers_language() {
        use crate::Locale;
        let all: Vec<String> = Locale::ALL.iter().map(|l| paypal_locale(*l)).collect();
        for l in &all {
            let (lang, country) = l.split_once('-').expect("language-COUNTRY");
            assert!(lang.len() == 2 && country.len() == 2, "{l}");
        }
        assert!(all.contains(&"de-DE".to_owned()));
        assert!(all.contains(&"ja-JP".to_owned()));
    }
}

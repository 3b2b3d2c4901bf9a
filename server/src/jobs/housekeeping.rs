//! Periodic tidying of the selling side: expired guest carts go, and orders whose payment
//! never completed give their stock back (those tried at Stripe or PayPal once the provider
//! says they did not succeed).

use std::time::Duration;
use tradewind_domain::checkout::Checkout;

pub fn spawn(checkout: Checkout, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match checkout.remove_expired_carts().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(carts = n, "expired carts removed"),
                Err(e) => tracing::warn!(error = %e, "expired carts not removed"),
            }
            match checkout.release_unpaid().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(orders = n, "unpaid orders cancelled, stock released"),
                Err(e) => tracing::warn!(error = %e, "unpaid orders not released"),
            }
            match checkout.sweep_card_payments(chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(orders = n, "pending card payments settled with Stripe"),
                Err(e) => tracing::warn!(error = %e, "pending card payments not settled"),
            }
            match checkout.sweep_paypal_payments(chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(orders = n, "pending PayPal payments settled"),
                Err(e) => tracing::warn!(error = %e, "pending PayPal payments not settled"),
            }
            match checkout.retry_refunds().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(refunds = n, "pending refunds settled"),
                Err(e) => tracing::warn!(error = %e, "pending refunds not settled"),
            }
        }
    });
}

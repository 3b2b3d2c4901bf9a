//! The card form's call (`components::card_pay`): pay an order with the card Stripe.js
//! made, or ask how a payment ended after the bank's authentication. It checks the form's
//! CSRF token and answers in the shopper's language.

#[cfg(feature = "ssr")]
use crate::components::card_pay::CardAnswer;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod server {
    use super::CardAnswer;
    use crate::functions::catalog::server::{CSRF_COOKIE, context, cookie, map_checkout_err};
    use crate::state::AppContext;
    use leptos::prelude::ServerFnError;
    use tradewind_domain::Locale;
    use tradewind_domain::checkout::CARD_ERRORS;
    use tradewind_domain::i18n::t;
    use tradewind_domain::payments::card::CardStep;

    /// The context and locale, once the form's CSRF token is checked; a refusal already in
    /// words.
    pub fn checked(locale: &str, csrf: &str) -> Result<(AppContext, Locale), CardAnswer> {
        let locale: Locale = locale.parse().unwrap_or(Locale::DEFAULT);
        let ctx = context().map_err(|_| CardAnswer::Say(t(locale, "card-waiting")))?;
        let browser = cookie(CSRF_COOKIE).unwrap_or_default();
        if !ctx.site_key.csrf_valid(&browser, csrf) {
            return Err(CardAnswer::Say(t(locale, "form-expired")));
        }
        Ok((ctx, locale))
    }

    pub fn answer(
        step: Result<CardStep, tradewind_domain::checkout::CheckoutError>,
        locale: Locale,
    ) -> Result<CardAnswer, ServerFnError> {
        Ok(match step.map_err(|e| map_checkout_err(&e))? {
            CardStep::Paid | CardStep::Closed => CardAnswer::Reload,
            CardStep::Authenticate { client_secret } => CardAnswer::Authenticate(client_secret),
            CardStep::Declined { code } => {
                let id = if CARD_ERRORS.contains(&code.as_str()) {
                    format!("card-error-{code}")
                } else {
                    "card-error-declined".to_owned()
                };
                CardAnswer::Say(t(locale, &id))
            }
            CardStep::Waiting => CardAnswer::Say(t(locale, "card-waiting")),
        })
    }
}

/// A step of paying order `token` by card: with `payment_method` (the PaymentMethod Stripe.js
/// made from the shopper's card), the order's PaymentIntent is confirmed with it; without
/// (empty), Stripe is asked how the payment ended, after the bank's authentication. One
/// function for both keeps the browser bundle small.
#[server(endpoint = "card_step")]
pub async fn card_step(
    locale: String,
    csrf: String,
    token: String,
    payment_method: String,
) -> Result<String, ServerFnError> {
    let (ctx, locale) = match server::checked(&locale, &csrf) {
        Ok(found) => found,
        Err(refused) => return Ok(refused.encode()),
    };
    let step = match payment_method.trim() {
        "" => ctx.checkout.card_result(&token).await,
        method => {
            // Where the bank's page sends the shopper back: the order page, which shows
            // where the payment stands.
            let back = format!("{}/{}/orders/{token}", ctx.public_url, locale.code());
            ctx.checkout.pay_by_card(&token, method, &back).await
        }
    };
    server::answer(step, locale).map(CardAnswer::encode)
}

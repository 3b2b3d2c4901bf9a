//! Loading the cart, checkout, review and order pages. The forms on them post to plain
//! routes in the server (`server/src/checkout.rs`), which answer with 303 back here.

use super::catalog::Loaded;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use tradewind_domain::checkout::view::{CartView, CheckoutPage, OrderView};

/// A message for the shopper after a form, already in their language.
pub type Notice = Option<String>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartPage {
    /// None: no cart yet (nothing added).
    pub cart: Option<CartView>,
    pub notice: Notice,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutData {
    /// None: no cart, or an empty one.
    pub page: Option<CheckoutPage>,
    /// `(code, name)` of the countries the market delivers to, by name.
    pub countries: Vec<(String, String)>,
    /// `(code, name)` suggestions for the address's region, where the country has a list.
    pub regions: Vec<(String, String)>,
    pub notice: Notice,
}

/// What adding to the cart from a product page (with JavaScript) says back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Added {
    /// "Added to your cart.", or why not, in the shopper's language.
    pub message: String,
    /// The header's new cart link text, when something was added.
    pub header: Option<String>,
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use tradewind_domain::Locale;
    use tradewind_domain::checkout::REFUSALS;
    use tradewind_domain::checkout::address::region_codes;
    use tradewind_domain::i18n::{t, t_args};

    /// The message for a refused cart or checkout form, named by its code in the address
    /// (`?error=…`); unknown codes show nothing.
    pub fn notice(
        locale: Locale,
        error: Option<&str>,
        count: Option<i64>,
        title: Option<String>,
    ) -> Notice {
        let code = error?;
        if code == "added" {
            return Some(t(locale, "cart-added"));
        }
        if !REFUSALS.contains(&code) {
            return None;
        }
        let id = format!("cart-error-{code}");
        Some(t_args(
            locale,
            &id,
            &[
                ("count", count.unwrap_or(0).into()),
                ("title", title.unwrap_or_default().into()),
            ],
        ))
    }

    pub fn region_names(locale: Locale, country: &str) -> Vec<(String, String)> {
        let Some(codes) = region_codes(country) else {
            return Vec::new();
        };
        codes
            .iter()
            .map(|code| {
                let id = format!("region-{country}-{code}");
                let name = tradewind_domain::i18n::t(locale, &id);
                // Where no name is translated (US and Brazilian states) the code is what
                // people write.
                let name = if name == id { (*code).to_owned() } else { name };
                ((*code).to_owned(), name)
            })
            .collect()
    }

    pub use crate::functions::catalog::server::open_cart as cart;
}

#[server]
pub async fn load_cart(
    locale: String,
    error: Option<String>,
    count: Option<i64>,
) -> Result<Loaded<CartPage>, ServerFnError> {
    use super::catalog::server::load;
    use tradewind_domain::catalog::Lookup;
    let ctx = super::catalog::server::context()?;
    let cart = server::cart(&ctx).await?;
    load(&locale, async |ctx, locale, market, country| {
        let view = match &cart {
            Some(c) => Some(ctx.checkout.cart_view(c, locale, market, country).await?),
            None => None,
        };
        // What sold out is named from the cart itself, never from the address bar.
        let gone = view.as_ref().and_then(|v| {
            v.lines
                .iter()
                .find(|l| !l.orderable())
                .map(|l| l.title.clone())
        });
        Ok(Lookup::Found(CartPage {
            notice: server::notice(locale, error.as_deref(), count, gone),
            cart: view,
        }))
    })
    .await
}

#[server]
pub async fn load_checkout(
    locale: String,
    error: Option<String>,
) -> Result<Loaded<CheckoutData>, ServerFnError> {
    use super::catalog::server::load;
    use tradewind_domain::catalog::Lookup;
    use tradewind_domain::i18n::t;
    let ctx = super::catalog::server::context()?;
    let cart = server::cart(&ctx).await?;
    load(&locale, async |ctx, locale, market, country| {
        let page = match &cart {
            Some(c) => Some(
                ctx.checkout
                    .checkout_page(c, locale, market, country)
                    .await?,
            ),
            None => None,
        }
        .filter(|p| !p.cart.is_empty());
        let mut countries: Vec<(String, String)> = market
            .countries
            .iter()
            .map(|c| (c.clone(), t(locale, &format!("country-{c}"))))
            .collect();
        countries.sort_by(|a, b| a.1.cmp(&b.1));
        let destination = page
            .as_ref()
            .map(|p| p.draft.country.clone())
            .unwrap_or_else(|| country.to_owned());
        Ok(Lookup::Found(CheckoutData {
            regions: server::region_names(locale, &destination),
            page,
            countries,
            notice: server::notice(locale, error.as_deref(), None, None),
        }))
    })
    .await
}

/// Order `token`'s page; `returned`: the shopper is back from their bank's page (Stripe's
/// return address), so Stripe is asked where the card payment stands first.
#[server]
pub async fn load_order(
    locale: String,
    token: String,
    returned: bool,
) -> Result<Loaded<OrderView>, ServerFnError> {
    use super::catalog::server::load;
    use tradewind_domain::catalog::Lookup;
    use tradewind_domain::error::DomainError;
    load(&locale, async |ctx, _, _, _| {
        // Back from a bank's page, before the webhook perhaps: Stripe says where it stands.
        // Only then: a page view is not a call to Stripe.
        if returned {
            ctx.checkout.refresh_card_payment(&token).await;
        }
        match ctx.checkout.order_by_token(&token).await? {
            Some(order) => Ok(Lookup::Found(order)),
            None => Err(DomainError::NotFound),
        }
    })
    .await
}

/// Adds to the cart without leaving the product page: the same rules and messages as the
/// form's POST (`/{locale}/cart/add`), which browsers without JavaScript use.
#[server]
pub async fn add_to_cart(
    locale: String,
    csrf: String,
    variant: i32,
    quantity: String,
) -> Result<Added, ServerFnError> {
    use super::catalog::server::{
        CSRF_COOKIE, context, cookie, map_checkout_err, session, session_cart, shopper, unavailable,
    };
    use tradewind_domain::Locale;
    use tradewind_domain::checkout::CheckoutError;
    use tradewind_domain::i18n::{t, t_args};
    let ctx = context()?;
    let locale: Locale = locale.parse().unwrap_or(Locale::DEFAULT);
    let refused = |message: String| {
        Ok(Added {
            message,
            header: None,
        })
    };
    let browser = cookie(CSRF_COOKIE).unwrap_or_default();
    if !ctx.site_key.csrf_valid(&browser, &csrf) {
        return refused(t(locale, "form-expired"));
    }
    let Ok(quantity) = quantity.trim().parse::<i64>() else {
        return refused(t(locale, "cart-error-quantity"));
    };
    let (market, country) = shopper(&ctx, locale).await?;
    let session = session().ok_or_else(|| unavailable("no session layer"))?;
    let id = session_cart(&ctx.checkout, &session, &market, true)
        .await
        .map_err(|e| unavailable(&e))?
        .ok_or_else(|| unavailable("no cart"))?;
    match ctx
        .checkout
        .add_line(&id, &market, &country, variant, quantity)
        .await
    {
        // Added: whatever happens next, the answer says so (the header keeps its old count if
        // the new one cannot be read).
        Ok(()) => Ok(Added {
            message: t(locale, "cart-added"),
            header: ctx
                .checkout
                .item_count(&id)
                .await
                .ok()
                .map(|count| t_args(locale, "nav-cart-count", &[("count", count.into())])),
        }),
        Err(CheckoutError::Domain(d)) => Err(map_checkout_err(&CheckoutError::Domain(d))),
        Err(e) => {
            let (count, title) = match &e {
                CheckoutError::NotEnough { available } => (Some(*available), None),
                CheckoutError::SoldOut { title } => (None, Some(title.clone())),
                _ => (None, None),
            };
            refused(server::notice(locale, Some(e.code()), count, title).unwrap_or_default())
        }
    }
}

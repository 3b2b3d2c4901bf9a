//! Selling: the cart, the checkout form, shipping and payment choices, totals, placing an
//! order (with its stock reservations) and the email it sends.
//!
//! Money is always computed here from the database, with the price book; the browser only
//! says which variant and how many.

pub mod address;
pub mod view;

#[cfg(feature = "server")]
mod cart;
#[cfg(feature = "server")]
pub mod discount;
#[cfg(feature = "server")]
pub mod duty;
pub mod email;
#[cfg(feature = "server")]
mod order;
#[cfg(feature = "server")]
mod shipping;
#[cfg(feature = "server")]
pub mod totals;

#[cfg(feature = "server")]
pub use order::*;

/// Why a cart or checkout form was refused, as the pages say it (`cart-error-<code>`).
pub const REFUSALS: [&str; 8] = [
    "quantity",
    "unknown-variant",
    "unavailable",
    "not-enough",
    "sold-out",
    "empty",
    "price-changed",
    "incomplete",
];

/// Shipping services the store names (`shipping-<code>`); a rate's code is one of these.
pub const SHIPPING_SERVICES: [&str; 2] = ["standard", "express"];

/// The payment method of cards (through Stripe, `payments::card`), offered where Stripe is
/// set up.
pub const CARD: &str = "card";

/// The payment method of PayPal (`payments::paypal`), offered where PayPal is set up and
/// takes the market's currency. It needs no JavaScript: the shopper is sent to PayPal.
pub const PAYPAL: &str = "paypal";

/// Why a PayPal payment did not go through, as the order page says it
/// (`paypal-error-<code>`): left PayPal without approving, refused by PayPal, too many
/// tries, PayPal not reached.
pub const PAYPAL_ERRORS: [&str; 4] = ["cancelled", "declined", "too_many_attempts", "waiting"];

/// One of Stripe's vouchers: the one currency it takes, the totals it takes (Stripe's
/// limits, in minor units), and the UTC offset of the country whose deadline its slip
/// states (Mexico City, Tokyo and Brasília keep no daylight saving time).
#[derive(Clone, Copy, Debug)]
pub struct VoucherKind {
    pub method: &'static str,
    pub currency: &'static str,
    pub min_minor: i64,
    pub max_minor: i64,
    pub utc_offset_hours: i32,
}

/// Stripe's vouchers, each offered in its currency where Stripe is set up: an OXXO slip paid
/// in cash (Mexico, MX$10 to MX$10,000), a konbini slip paid at a convenience store (Japan,
/// ¥120 to ¥300,000), a Pix code paid from a banking app (Brazil, from R$0.50). Placing the
/// order makes the slip; the order page and an email show its number and Stripe's page for
/// it, so no JavaScript is needed. The order waits until Stripe says it is paid, or that the
/// slip expired.
pub const VOUCHERS: [VoucherKind; 3] = [
    VoucherKind {
        method: "oxxo",
        currency: "MXN",
        min_minor: 1_000,
        max_minor: 1_000_000,
        utc_offset_hours: -6,
    },
    VoucherKind {
        method: "konbini",
        currency: "JPY",
        min_minor: 120,
        max_minor: 300_000,
        utc_offset_hours: 9,
    },
    VoucherKind {
        method: "pix",
        currency: "BRL",
        min_minor: 50,
        max_minor: i64::MAX,
        utc_offset_hours: -3,
    },
];

/// The voucher paid by `method`, if it is one.
pub fn voucher_kind(method: &str) -> Option<&'static VoucherKind> {
    VOUCHERS.iter().find(|v| v.method == method)
}

/// Whether `method` is one of Stripe's vouchers.
pub fn is_voucher(method: &str) -> bool {
    voucher_kind(method).is_some()
}

/// The payment methods Stripe takes: cards, then its vouchers.
pub fn stripe_methods() -> impl Iterator<Item = &'static str> {
    std::iter::once(CARD).chain(VOUCHERS.iter().map(|v| v.method))
}

/// Whether a payment by `method` goes through Stripe.
pub fn at_stripe(method: &str) -> bool {
    stripe_methods().any(|m| m == method)
}

/// Why no slip is shown, as the order page says it (`voucher-error-<code>`): Stripe not
/// reached; Stripe refused this voucher for the order (the order is cancelled).
pub const VOUCHER_ERRORS: [&str; 2] = ["waiting", "refused"];

/// Stripe's error codes for a card that did not pay which the store explains in the
/// shopper's words (`card-error-<code>`); any other gets `card-error-declined`.
pub const CARD_ERRORS: [&str; 6] = [
    "too_many_attempts",
    "expired_card",
    "incorrect_cvc",
    "insufficient_funds",
    "processing_error",
    "payment_intent_authentication_failure",
];

/// The most units of one variant a line takes: a typo (10^9) is refused, not reserved.
pub const MAX_QUANTITY: i64 = 999;

/// Why a cart or checkout request was refused; `code()` names its message
/// (`cart-error-<code>` in the locale files).
#[cfg(feature = "server")]
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("quantity must be 1 to {MAX_QUANTITY}")]
    Quantity,
    #[error("no such variant")]
    UnknownVariant,
    #[error("the product is not for sale")]
    Unavailable,
    #[error("only {available} left")]
    NotEnough { available: i64 },
    #[error("{title} sold out")]
    SoldOut { title: String },
    #[error("the cart is empty")]
    Empty,
    #[error("prices changed since the shopper reviewed them")]
    PriceChanged,
    #[error("the checkout form is incomplete")]
    Incomplete,
    #[error(transparent)]
    Domain(#[from] crate::error::DomainError),
}

#[cfg(feature = "server")]
impl From<sea_orm::DbErr> for CheckoutError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Domain(e.into())
    }
}

/// For page loads: the store's own trouble stays what it is, a refusal is invalid input.
#[cfg(feature = "server")]
impl From<CheckoutError> for crate::error::DomainError {
    fn from(e: CheckoutError) -> Self {
        match e {
            CheckoutError::Domain(d) => d,
            other => Self::Invalid(other.to_string()),
        }
    }
}

#[cfg(feature = "server")]
impl CheckoutError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Quantity => "quantity",
            Self::UnknownVariant => "unknown-variant",
            Self::Unavailable => "unavailable",
            Self::NotEnough { .. } => "not-enough",
            Self::SoldOut { .. } => "sold-out",
            Self::Empty => "empty",
            Self::PriceChanged => "price-changed",
            Self::Incomplete => "incomplete",
            Self::Domain(_) => "unavailable-store",
        }
    }
}

/// Settings of the selling side.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// A guest's cart is removed this many days after its last change.
    pub cart_days: i64,
    /// An unpaid card payment releases its stock after this many minutes.
    pub payment_minutes: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            cart_days: 30,
            payment_minutes: 15,
        }
    }
}

/// The selling side of the store, over the catalog's database and price book.
#[cfg(feature = "server")]
#[derive(Clone)]
pub struct Checkout {
    catalog: crate::catalog::Catalog,
    settings: Settings,
    /// The store's address, for the links in emails.
    public_url: String,
    /// Stripe, when it is set up: cards are offered and paid through it.
    stripe: Option<crate::payments::stripe::api::StripeApi>,
    /// PayPal, when it is set up: offered in the currencies it takes.
    paypal: Option<crate::payments::paypal::api::PaypalApi>,
}

#[cfg(feature = "server")]
impl Checkout {
    pub fn new(catalog: crate::catalog::Catalog, settings: Settings, public_url: &str) -> Self {
        Self {
            catalog,
            settings,
            public_url: public_url.trim_end_matches('/').to_owned(),
            stripe: None,
            paypal: None,
        }
    }

    pub(crate) fn db(&self) -> &sea_orm::DatabaseConnection {
        self.catalog.db()
    }

    /// The same over other settings.
    pub fn with_settings(self, settings: Settings) -> Self {
        Self { settings, ..self }
    }

    /// The same, taking cards through Stripe.
    pub fn with_stripe(self, api: crate::payments::stripe::api::StripeApi) -> Self {
        Self {
            stripe: Some(api),
            ..self
        }
    }

    /// The same, taking payments through PayPal.
    pub fn with_paypal(self, api: crate::payments::paypal::api::PaypalApi) -> Self {
        Self {
            paypal: Some(api),
            ..self
        }
    }

    /// The store's address, for links sent away (emails, PayPal's way back).
    pub(crate) fn public_url(&self) -> &str {
        &self.public_url
    }

    /// PayPal, when it is set up.
    pub fn paypal(&self) -> Option<&crate::payments::paypal::api::PaypalApi> {
        self.paypal.as_ref()
    }

    /// Stripe, when cards are taken.
    pub fn stripe(&self) -> Option<&crate::payments::stripe::api::StripeApi> {
        self.stripe.as_ref()
    }
}

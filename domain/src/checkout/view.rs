//! What the cart, checkout and order pages show, computed on the server from the database
//! (nothing the browser sends about money is trusted). Shared with the page code.

use super::address::{Draft, FieldError};
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// Why a cart line needs the shopper's attention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineFlag {
    /// The product was archived or removed: it cannot be bought.
    Unavailable,
    /// None left.
    SoldOut,
    /// Fewer left than the line asks for.
    Fewer { available: i64 },
    /// The price changed since the line was added (or last reviewed).
    PriceChanged { was: Money },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub variant_id: i32,
    pub title: String,
    /// The chosen options, e.g. "Blue / 350 ml".
    pub options: String,
    pub sku: String,
    /// The product page, in the cart's locale.
    pub path: String,
    pub quantity: i64,
    /// As shown: gross in a tax-inclusive market, net otherwise.
    pub unit: Money,
    pub total: Money,
    pub weight_grams: i64,
    /// Packaging material and whether it is recyclable, when the merchant said.
    pub packaging: Option<(String, bool)>,
    pub flags: Vec<LineFlag>,
}

impl CartLine {
    /// Whether this line can be ordered as it is.
    pub fn orderable(&self) -> bool {
        self.flags
            .iter()
            .all(|f| matches!(f, LineFlag::PriceChanged { .. }))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartView {
    pub lines: Vec<CartLine>,
    /// The goods, as shown (gross where prices include tax).
    pub subtotal: Money,
    pub tax_inclusive: bool,
    pub count: i64,
    pub weight_grams: i64,
    /// The cart moved to another market (the shopper changed country) and was re-priced.
    pub repriced: bool,
}

impl CartView {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Whether every line can be ordered (prices changed are shown, then accepted).
    pub fn orderable(&self) -> bool {
        !self.lines.is_empty() && self.lines.iter().all(CartLine::orderable)
    }
}

/// A shipping rate the shopper can pick for their parcel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingChoice {
    pub code: String,
    pub price: Money,
    /// Free because the goods reach the market's threshold.
    pub free: bool,
    pub days_min: i32,
    pub days_max: i32,
    /// Estimated grams of CO2e for this parcel (weight × distance × the mode's factor).
    pub co2e_grams: i64,
    pub mode: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentChoice {
    /// `bank_transfer`, `cash_on_delivery` or `card`.
    pub method: String,
    pub fee: Money,
}

/// One tax rate's share of an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxLine {
    /// Parts per million.
    pub rate_ppm: u32,
    pub amount: Money,
}

/// A discount on an order: its code (empty for an automatic one) and what it took off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountLine {
    pub code: String,
    pub amount: Money,
}

/// The money of an order, as charged: every figure the review page and the order show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Goods as shown (gross where prices include tax), before discounts.
    pub subtotal: Money,
    /// Off the goods, before tax.
    #[serde(default)]
    pub discounts: Vec<DiscountLine>,
    pub shipping: Money,
    /// The payment method's fee (cash on delivery).
    pub fee: Money,
    /// All tax: included in the figures above, or added to them.
    pub tax: Money,
    pub taxes: Vec<TaxLine>,
    pub inclusive: bool,
    /// Import duties collected at checkout (DDP), included in the total.
    pub duty: Money,
    pub total: Money,
}

/// What crossing the border adds to an order (see `checkout::duty`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Landed {
    /// The goods' own value, before tax and shipping.
    pub value: Money,
    /// Worth more than the market's de minimis: duties apply.
    pub above_de_minimis: bool,
    /// Duties are collected at checkout (DDP); else the courier collects them (DAP).
    pub collected: bool,
    /// The duties reckoned (collected or to be paid on delivery).
    pub duty: Money,
    /// The shop's IOSS number when the import VAT is collected at checkout.
    pub ioss: Option<String>,
}

/// The checkout page: the cart, the form as last submitted with its errors, and, once the
/// address is known, what shipping and payment cost there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutPage {
    pub cart: CartView,
    pub draft: Draft,
    pub errors: Vec<FieldError>,
    /// Countries this market delivers to (ISO codes).
    pub countries: Vec<String>,
    pub shipping: Vec<ShippingChoice>,
    pub payment: Vec<PaymentChoice>,
    /// Known once the address is valid and a shipping rate and payment method are chosen.
    pub totals: Option<Totals>,
    /// Duties and import VAT, where the market reckons them.
    pub landed: Option<Landed>,
}

impl CheckoutPage {
    /// Everything needed to place the order is there.
    pub fn ready(&self) -> bool {
        self.draft.submitted
            && self.errors.is_empty()
            && self.totals.is_some()
            && self.cart.orderable()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineView {
    pub title: String,
    pub sku: String,
    pub quantity: i64,
    pub unit: Money,
    pub total: Money,
}

/// An order as its status page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub number: String,
    pub status: String,
    pub email: String,
    pub address: Draft,
    pub lines: Vec<OrderLineView>,
    pub totals: Totals,
    pub shipping: String,
    pub payment_method: String,
    /// What a bank transfer needs (account holder, IBAN…), as the merchant wrote it.
    pub payment_details: String,
    pub days_min: i32,
    pub days_max: i32,
    pub landed: Option<Landed>,
    /// RFC 3339.
    pub placed_at: String,
    /// What has been paid back, oldest first.
    #[serde(default)]
    pub refunds: Vec<RefundView>,
    /// The slip of a voucher payment, once Stripe made it.
    #[serde(default)]
    pub voucher: Option<Voucher>,
}

/// A voucher's slip, as Stripe made it: what the shopper takes to the till or their bank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voucher {
    /// Stripe's page of the slip, to print or show (every store's numbers for konbini, the
    /// QR code for Pix).
    pub url: String,
    /// The number the till asks for (OXXO), or the code pasted into a banking app (Pix);
    /// empty when the slip has one per store chain (konbini).
    pub reference: String,
    /// The last day it can be paid, `YYYY-MM-DD`.
    pub expires_on: String,
}

/// A refund as the shopper sees it: the amount (the reason is the merchant's note).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundView {
    pub amount: Money,
}

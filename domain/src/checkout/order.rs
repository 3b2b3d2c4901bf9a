//! The checkout form, placing an order, and what happens to it after: one transaction
//! writes the order, its lines, money breakdown, stock reservations, payment, history and
//! confirmation email, or nothing at all.

use super::address::{self, Draft, FieldError};
use super::cart::{Priced, summarize};
use super::discount;
use super::duty;
use super::email::{self, EmailKind};
use super::totals::{TaxRounding, totals};
use super::view::{
    CheckoutPage, DiscountLine, OrderLineView, OrderView, PaymentChoice, RefundView,
    ShippingChoice, Totals,
};
use super::{Checkout, CheckoutError};
use crate::entity::discount as entity_discount;
use crate::entity::{
    cart, discount_use, email_outbox, import_rule, order_event, order_line, payment,
    payment_option, refund, reservation, shop_order, stock_level, warehouse,
};
use crate::error::DomainError;
use crate::locale::Locale;
use crate::market::Market;
use crate::money::{Money, MoneyStyle};
use crate::tax::TaxClass;
use chrono::Utc;
use sea_orm::PaginatorTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};

/// Where an order stands. Every change is recorded in `order_event` with its time and actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    PartiallyFulfilled,
    Fulfilled,
    PartiallyRefunded,
    Refunded,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 7] = [
        Self::PendingPayment,
        Self::Paid,
        Self::PartiallyFulfilled,
        Self::Fulfilled,
        Self::PartiallyRefunded,
        Self::Refunded,
        Self::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::PendingPayment => "pending_payment",
            Self::Paid => "paid",
            Self::PartiallyFulfilled => "partially_fulfilled",
            Self::Fulfilled => "fulfilled",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The moves the status machine allows.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (PendingPayment, Paid | Cancelled)
                | (
                    Paid,
                    PartiallyFulfilled | Fulfilled | PartiallyRefunded | Refunded | Cancelled
                )
                | (
                    PartiallyFulfilled,
                    PartiallyFulfilled | Fulfilled | PartiallyRefunded | Refunded
                )
                | (Fulfilled, PartiallyRefunded | Refunded)
                // Part paid back before shipping: the rest still ships, or is cancelled.
                | (
                    PartiallyRefunded,
                    PartiallyRefunded | Refunded | PartiallyFulfilled | Fulfilled | Cancelled
                )
        )
    }
}

/// What `order` was charged, as kept when it was placed.
fn breakdown_of(order: &shop_order::Model) -> Result<Breakdown, CheckoutError> {
    serde_json::from_str(&order.breakdown)
        .map_err(|e| DomainError::Corrupt(format!("order breakdown: {e}")).into())
}

/// `order`'s totals as charged (what a provider is asked to take).
pub(crate) fn totals_of(order: &shop_order::Model) -> Result<super::view::Totals, CheckoutError> {
    Ok(breakdown_of(order)?.totals)
}

/// A manual payment method: the shopper pays outside the store and the merchant confirms.
pub const MANUAL_METHODS: [&str; 2] = ["bank_transfer", "cash_on_delivery"];

/// What the order was charged, kept as computed at the time.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Breakdown {
    totals: Totals,
    shipping: ShippingChoice,
    payment: PaymentChoice,
    payment_details: String,
    /// The reservations made, `(variant, warehouse, units)`.
    reserved: Vec<(i32, i32, i32)>,
    /// Duties reckoned, and the IOSS number the import VAT was collected under.
    #[serde(default)]
    landed: Option<super::view::Landed>,
}

/// A checkout worked out: the page, its priced lines and the discounts that apply.
struct Prepared {
    page: CheckoutPage,
    priced: Vec<Priced>,
    discounts: Vec<discount::Applied>,
}

/// An order placed (or found already placed for the same cart).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub number: String,
    /// The status page's secret part.
    pub token: String,
    /// False when the cart had been ordered already (a double click, a reload).
    pub new: bool,
    /// The payment method chosen (PayPal's sends the shopper to PayPal).
    pub method: String,
}

fn parse_draft(cart: &cart::Model) -> Draft {
    serde_json::from_str(&cart.draft).unwrap_or_default()
}

/// An order's status as stored; one no code writes is corruption.
pub(crate) fn status_of(order: &shop_order::Model) -> Result<OrderStatus, DomainError> {
    OrderStatus::from_code(&order.status)
        .ok_or_else(|| DomainError::Corrupt(format!("order status {}", order.status)))
}

/// An order's currency as stored; one the store does not know is corruption.
pub(crate) fn currency_of(
    order: &shop_order::Model,
) -> Result<crate::money::Currency, DomainError> {
    crate::money::Currency::from_code(&order.currency)
        .ok_or_else(|| DomainError::Corrupt(format!("order currency {}", order.currency)))
}

fn money_err(e: crate::money::MoneyError) -> CheckoutError {
    CheckoutError::Domain(DomainError::Corrupt(e.to_string()))
}

impl Checkout {
    /// The checkout page: the cart priced for where the form says it goes, the form with
    /// its errors (once submitted), the shipping and payment choices, and the totals when
    /// everything is chosen.
    pub async fn checkout_page(
        &self,
        cart: &cart::Model,
        locale: Locale,
        market: &Market,
        country: &str,
    ) -> Result<CheckoutPage, CheckoutError> {
        Ok(self.prepare(cart, locale, market, country).await?.page)
    }

    async fn prepare(
        &self,
        cart: &cart::Model,
        locale: Locale,
        market: &Market,
        country: &str,
    ) -> Result<Prepared, CheckoutError> {
        let mut draft = parse_draft(cart);
        if draft.country.is_empty() {
            draft.country = country.to_owned();
        }
        let (clean, mut errors) = address::validate(&draft, |c| market.ships_to(c));
        let destination = if market.ships_to(&clean.country) {
            clean.country.clone()
        } else {
            country.to_owned()
        };
        // Where a state sets its own tax (US sales tax), the state is part of the place taxed.
        let taxed_at = match address::region_codes(&destination) {
            Some(_) if !clean.region.is_empty() && !errors.iter().any(|e| e.field == "region") => {
                format!("{destination}-{}", clean.region)
            }
            _ => destination.clone(),
        };
        let priced = self.cart_lines(cart, locale, market, &taxed_at).await?;
        let rule = import_rule::Entity::find_by_id(market.id)
            .one(self.db())
            .await?;
        let landed = duty::landed(self.db(), rule.as_ref(), &priced).await?;
        let rounding = rule.as_ref().map_or(TaxRounding::PerLine, |r| {
            TaxRounding::from_code(&r.tax_rounding)
        });
        let view = summarize(&priced, locale, market, cart.market_id != market.id);
        let (applied, refused) =
            discount::applicable(self.db(), &draft.code, &clean.email, market, view.subtotal)
                .await?;
        if let Some(why) = refused {
            errors.push(FieldError {
                field: "code".into(),
                code: format!("code-{why}"),
            });
        }
        let mut shipping = self
            .shipping_choices(market, &destination, view.weight_grams, view.subtotal)
            .await?;
        // A free-shipping discount frees the cheapest service; a faster one still costs
        // what it costs (as shops commonly offer it).
        if applied.iter().any(|a| a.free_shipping)
            && let Some(cheapest) = shipping.iter().map(|s| s.price.minor).min()
        {
            for s in shipping.iter_mut().filter(|s| s.price.minor == cheapest) {
                s.price = Money::zero(s.price.currency);
                s.free = true;
            }
        }
        if draft.shipping.is_empty() {
            draft.shipping = shipping.first().map(|s| s.code.clone()).unwrap_or_default();
        }
        let chosen_shipping = shipping.iter().find(|s| s.code == draft.shipping).cloned();
        if shipping.is_empty() {
            errors.push(FieldError {
                field: "shipping".into(),
                code: "no-shipping".into(),
            });
        } else if chosen_shipping.is_none() {
            errors.push(FieldError {
                field: "shipping".into(),
                code: "shipping".into(),
            });
        }
        let ship_price = chosen_shipping
            .as_ref()
            .map_or(Money::zero(market.currency()), |s| s.price);
        let order_value = view.subtotal.checked_add(ship_price).map_err(money_err)?;
        let quotes: Vec<_> = priced.iter().map(|p| p.quote).collect();
        // VAT and GST apply to delivery; US states mostly leave a separately stated delivery
        // charge untaxed, so markets that add tax on top do too.
        let services = if market.tax_inclusive {
            self.catalog
                .price_book()
                .tax_rate(&taxed_at, TaxClass::Standard)
        } else {
            crate::tax::TaxRate::ZERO
        };
        let off: Vec<DiscountLine> = applied
            .iter()
            .filter(|a| a.amount.minor != 0)
            .map(|a| DiscountLine {
                code: a.code.clone(),
                amount: a.amount,
            })
            .collect();
        // What the order comes to with shipping `ship` and a payment fee `fee`.
        let reckon = |ship: Money, fee: Money| -> Result<super::view::Totals, CheckoutError> {
            let mut t = totals(
                &quotes,
                &off,
                ship,
                fee,
                services,
                market.tax_inclusive,
                rounding,
            )
            .map_err(money_err)?;
            if let Some(l) = landed
                .as_ref()
                .filter(|l| l.above_de_minimis && l.collected)
            {
                t = t.with_duty(l.duty).map_err(money_err)?;
            }
            Ok(t)
        };
        // What a provider would be asked to take (providers add no fee): the same total the
        // review checks, so a method offered here is one that can be placed.
        let charge = match &chosen_shipping {
            Some(s) if !priced.is_empty() => reckon(s.price, Money::zero(market.currency()))?.total,
            _ => order_value,
        };
        let payment: Vec<PaymentChoice> = self
            .payment_choices(market, order_value, charge)
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        if draft.payment.is_empty() {
            draft.payment = payment
                .first()
                .map(|p| p.method.clone())
                .unwrap_or_default();
        }
        let chosen_payment = payment.iter().find(|p| p.method == draft.payment).cloned();
        if chosen_payment.is_none() {
            errors.push(FieldError {
                field: "payment".into(),
                code: "payment".into(),
            });
        }
        let totals = match (&chosen_shipping, &chosen_payment) {
            (Some(s), Some(p)) if errors.is_empty() && !priced.is_empty() => {
                Some(reckon(s.price, p.fee)?)
            }
            _ => None,
        };
        // A card, a voucher or PayPal pays the total, after discounts, tax and duty: one the
        // provider cannot charge (nothing, under Stripe's minimum or a voucher's limits, a
        // dinar total not ending in 0) asks for another method.
        let uncharged = |t: &super::view::Totals| match draft.payment.as_str() {
            method if super::at_stripe(method) => !crate::payments::stripe::takes(method, t.total),
            super::PAYPAL => crate::payments::paypal::to_paypal(t.total).is_none(),
            _ => false,
        };
        let totals = match totals {
            Some(t) if uncharged(&t) => {
                errors.push(FieldError {
                    field: "payment".into(),
                    code: "payment".into(),
                });
                None
            }
            other => other,
        };
        let shown = if draft.submitted {
            Draft {
                shipping: draft.shipping,
                payment: draft.payment,
                ..clean
            }
        } else {
            draft
        };
        let page = CheckoutPage {
            cart: view,
            errors: if shown.submitted { errors } else { Vec::new() },
            draft: shown,
            countries: market.countries.clone(),
            shipping,
            payment,
            totals,
            landed,
        };
        Ok(Prepared {
            page,
            priced,
            discounts: applied,
        })
    }

    /// Saves the checkout form as submitted (even when it has errors, so nothing typed is
    /// lost) and records the cart's current prices as seen. Returns the page to show next.
    pub async fn save_draft(
        &self,
        cart: &cart::Model,
        mut draft: Draft,
        locale: Locale,
        market: &Market,
        country: &str,
    ) -> Result<CheckoutPage, CheckoutError> {
        draft.submitted = true;
        let json = serde_json::to_string(&draft)
            .map_err(|e| DomainError::Corrupt(format!("draft: {e}")))?;
        // The draft, the time and the market in one write.
        cart::Entity::update_many()
            .col_expr(cart::Column::Draft, Expr::value(json.clone()))
            .col_expr(cart::Column::UpdatedAt, Expr::value(Utc::now()))
            .col_expr(cart::Column::MarketId, Expr::value(market.id))
            .filter(cart::Column::Id.eq(&cart.id))
            .exec(self.db())
            .await?;
        let saved = cart::Model {
            draft: json,
            ..cart.clone()
        };
        // Prepared as the cart was (a change of market is said on the page), then moved.
        let prepared = self.prepare(&saved, locale, market, country).await?;
        let moved = cart::Model {
            market_id: market.id,
            ..saved
        };
        self.accept_prices(&moved, market, &prepared.priced).await?;
        Ok(prepared.page)
    }

    /// The order already placed from this cart, if any.
    pub async fn order_of_cart(&self, cart_id: &str) -> Result<Option<Placed>, CheckoutError> {
        Ok(shop_order::Entity::find()
            .filter(shop_order::Column::CartId.eq(cart_id))
            .one(self.db())
            .await?
            .map(|o| Placed {
                number: o.number,
                token: o.token,
                new: false,
                method: o.payment_method,
            }))
    }

    /// Places the cart's order. `expected_total` is the total the shopper saw on the review
    /// page: if the money changed since, nothing is placed and the page shows the new figures.
    /// Placing a cart twice returns the first order.
    pub async fn place_order(
        &self,
        cart_id: &str,
        locale: Locale,
        market: &Market,
        country: &str,
        expected_total: Option<Money>,
    ) -> Result<Placed, CheckoutError> {
        if let Some(placed) = self.order_of_cart(cart_id).await? {
            return Ok(placed);
        }
        let Some(cart) = self.open_cart(cart_id).await? else {
            return Err(CheckoutError::Empty);
        };
        let prepared = self.prepare(&cart, locale, market, country).await?;
        let (page, priced) = (&prepared.page, &prepared.priced);
        if page.cart.is_empty() {
            return Err(CheckoutError::Empty);
        }
        // The page's lines are the priced ones, in the same order.
        let stuck = page
            .cart
            .lines
            .iter()
            .zip(priced)
            .find(|(l, _)| !l.orderable());
        if let Some((_, p)) = stuck {
            return Err(if !p.active {
                CheckoutError::Unavailable
            } else if p.available > 0 {
                CheckoutError::NotEnough {
                    available: p.available,
                }
            } else {
                CheckoutError::SoldOut {
                    title: p.title.clone(),
                }
            });
        }
        let Some(totals) = page.totals.clone().filter(|_| page.ready()) else {
            return Err(CheckoutError::Incomplete);
        };
        if expected_total != Some(totals.total) {
            self.accept_prices(&cart, market, priced).await?;
            return Err(CheckoutError::PriceChanged);
        }
        let txn = crate::txn::begin_write(self.db()).await?;
        // Claims the cart first: on PostgreSQL a second attempt waits here and then finds it
        // taken (on SQLite the transaction holds the write lock from its start).
        let claimed = cart::Entity::update_many()
            .col_expr(cart::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(cart::Column::Id.eq(cart_id))
            .filter(cart::Column::OrderId.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 0 {
            txn.rollback().await?;
            return self
                .order_of_cart(cart_id)
                .await?
                .ok_or(CheckoutError::Empty);
        }
        let placed = self
            .write_order(&txn, &cart, &prepared, totals, locale, market)
            .await?;
        txn.commit().await?;
        Ok(placed)
    }

    async fn write_order(
        &self,
        txn: &DatabaseTransaction,
        cart: &cart::Model,
        prepared: &Prepared,
        totals: Totals,
        locale: Locale,
        market: &Market,
    ) -> Result<Placed, CheckoutError> {
        let (page, priced) = (&prepared.page, &prepared.priced);
        let now = Utc::now();
        let draft = &page.draft;
        let shipping = page
            .shipping
            .iter()
            .find(|s| s.code == draft.shipping)
            .cloned()
            .ok_or(CheckoutError::Incomplete)?;
        let payment = page
            .payment
            .iter()
            .find(|p| p.method == draft.payment)
            .cloned()
            .ok_or(CheckoutError::Incomplete)?;
        let details = payment_option::Entity::find()
            .filter(payment_option::Column::MarketId.eq(market.id))
            .filter(payment_option::Column::Method.eq(&payment.method))
            .one(txn)
            .await?
            .map(|o| o.details)
            .unwrap_or_default();
        let token = crate::keys::random_token(24)?;
        let address_json = serde_json::to_string(&Draft {
            email: String::new(),
            shipping: String::new(),
            payment: String::new(),
            ..draft.clone()
        })
        .map_err(|e| DomainError::Corrupt(e.to_string()))?;
        let mut reserved = Vec::new();
        for p in priced {
            reserved.extend(self.reserve(txn, p, &draft.country).await?);
        }
        let breakdown = Breakdown {
            totals: totals.clone(),
            shipping: shipping.clone(),
            payment: payment.clone(),
            payment_details: details,
            reserved: reserved.clone(),
            landed: page.landed.clone(),
        };
        let inserted = shop_order::Entity::insert(shop_order::ActiveModel {
            number: Set(format!("pending-{}", cart.id)),
            token: Set(token.clone()),
            cart_id: Set(cart.id.clone()),
            market_id: Set(market.id),
            locale: Set(locale.code().to_owned()),
            country: Set(draft.country.clone()),
            currency: Set(market.currency().code().to_owned()),
            email: Set(draft.email.clone()),
            marketing_consent: Set(draft.consent),
            consent_at: Set(draft.consent.then_some(now)),
            consent_source: Set(if draft.consent {
                "checkout".into()
            } else {
                String::new()
            }),
            address: Set(address_json),
            shipping_code: Set(shipping.code.clone()),
            payment_method: Set(payment.method.clone()),
            status: Set(OrderStatus::PendingPayment.code().to_owned()),
            tax_inclusive: Set(totals.inclusive),
            subtotal_minor: Set(totals.subtotal.minor),
            discount_minor: Set(totals.discounts.iter().map(|d| d.amount.minor).sum::<i64>()),
            shipping_minor: Set(totals.shipping.minor),
            fee_minor: Set(totals.fee.minor),
            tax_minor: Set(totals.tax.minor),
            duty_minor: Set(totals.duty.minor),
            total_minor: Set(totals.total.minor),
            breakdown: Set(serde_json::to_string(&breakdown)
                .map_err(|e| DomainError::Corrupt(e.to_string()))?),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        let order_id = inserted.last_insert_id;
        // A short number per shop, for people: TW-10001, TW-10002…
        let number = format!("TW-{}", 10_000 + i64::from(order_id));
        shop_order::Entity::update_many()
            .col_expr(shop_order::Column::Number, Expr::value(number.clone()))
            .filter(shop_order::Column::Id.eq(order_id))
            .exec(txn)
            .await?;
        let lines: Vec<order_line::ActiveModel> = priced
            .iter()
            .map(|p| {
                let title = if p.options.is_empty() {
                    p.title.clone()
                } else {
                    format!("{} ({})", p.title, p.options)
                };
                order_line::ActiveModel {
                    order_id: Set(order_id),
                    variant_id: Set(p.variant.id),
                    sku: Set(p.variant.sku.clone()),
                    title: Set(title),
                    quantity: Set(p.line.quantity),
                    unit_minor: Set(p.quote.unit.minor),
                    total_minor: Set(if p.quote.inclusive {
                        p.quote.gross.minor
                    } else {
                        p.quote.net.minor
                    }),
                    tax_minor: Set(p.quote.tax.minor),
                    tax_rate_ppm: Set(i64::from(p.quote.rate.ppm)),
                    ..Default::default()
                }
            })
            .collect();
        order_line::Entity::insert_many(lines).exec(txn).await?;
        for (variant_id, warehouse_id, quantity) in &reserved {
            reservation::Entity::insert(reservation::ActiveModel {
                order_id: Set(order_id),
                variant_id: Set(*variant_id),
                warehouse_id: Set(*warehouse_id),
                quantity: Set(*quantity),
                released_at: Set(None),
                ..Default::default()
            })
            .exec(txn)
            .await?;
        }
        let manual = MANUAL_METHODS.contains(&payment.method.as_str());
        payment::Entity::insert(payment::ActiveModel {
            order_id: Set(order_id),
            method: Set(payment.method.clone()),
            status: Set("pending".into()),
            amount_minor: Set(totals.total.minor),
            currency: Set(market.currency().code().to_owned()),
            provider: Set(None),
            provider_ref: Set(None),
            // Manual methods hold their stock until the merchant confirms or cancels.
            expires_at: Set(
                (!manual).then(|| now + chrono::Duration::minutes(self.settings.payment_minutes))
            ),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        self.redeem(txn, &prepared.discounts, order_id, &draft.email)
            .await?;
        record(
            txn,
            order_id,
            None,
            OrderStatus::PendingPayment,
            "shopper",
            "",
        )
        .await?;
        let order = self.order_view_in(txn, order_id).await?;
        self.queue_email(
            txn,
            EmailKind::OrderConfirmation,
            order_id,
            &order,
            &token,
            locale,
        )
        .await?;
        cart::Entity::update_many()
            .col_expr(cart::Column::OrderId, Expr::value(order_id))
            .filter(cart::Column::Id.eq(&cart.id))
            .exec(txn)
            .await?;
        Ok(Placed {
            number,
            token,
            new: true,
            method: payment.method.clone(),
        })
    }

    /// Counts each discount's use. A limited one is taken only while uses remain, so two
    /// orders cannot both have its last use: the later one sees the new figures instead.
    async fn redeem(
        &self,
        txn: &DatabaseTransaction,
        applied: &[discount::Applied],
        order_id: i32,
        email: &str,
    ) -> Result<(), CheckoutError> {
        for a in applied {
            let taken = entity_discount::Entity::update_many()
                .col_expr(
                    entity_discount::Column::Used,
                    Expr::col(entity_discount::Column::Used).add(1),
                )
                .filter(entity_discount::Column::Id.eq(a.id))
                .filter(
                    sea_orm::Condition::any()
                        .add(entity_discount::Column::UsageLimit.is_null())
                        .add(
                            Expr::col(entity_discount::Column::Used)
                                .lt(Expr::col(entity_discount::Column::UsageLimit)),
                        ),
                )
                .exec(txn)
                .await?;
            if taken.rows_affected != 1 {
                return Err(CheckoutError::PriceChanged);
            }
            // Counted after the update above: on PostgreSQL it holds the discount's row until
            // this transaction ends, so two orders by one email cannot both see a free use.
            let limit = entity_discount::Entity::find_by_id(a.id)
                .one(txn)
                .await?
                .and_then(|d| d.per_email_limit);
            if let Some(limit) = limit {
                let used = discount_use::Entity::find()
                    .filter(discount_use::Column::DiscountId.eq(a.id))
                    .filter(discount_use::Column::Email.eq(email.to_lowercase()))
                    .count(txn)
                    .await?;
                if used >= u64::try_from(limit).unwrap_or(0) {
                    return Err(CheckoutError::PriceChanged);
                }
            }
            discount_use::Entity::insert(discount_use::ActiveModel {
                discount_id: Set(a.id),
                order_id: Set(order_id),
                email: Set(email.to_lowercase()),
                at: Set(Utc::now()),
                ..Default::default()
            })
            .exec(txn)
            .await?;
        }
        Ok(())
    }

    /// Holds a line's units in the warehouses that have them (those in the destination
    /// country first). Each hold is one conditional update: it succeeds only while enough
    /// units are free, so two buyers can never both take the last one.
    async fn reserve(
        &self,
        txn: &DatabaseTransaction,
        p: &Priced,
        country: &str,
    ) -> Result<Vec<(i32, i32, i32)>, CheckoutError> {
        let variant_id = p.variant.id;
        let mut remaining = p.line.quantity;
        let mut held = Vec::new();
        let warehouses: Vec<warehouse::Model> = warehouse::Entity::find()
            .order_by_asc(warehouse::Column::Id)
            .all(txn)
            .await?;
        let near = |id: i32| {
            warehouses
                .iter()
                .find(|w| w.id == id)
                .is_some_and(|w| w.country == country)
        };
        for _pass in 0..3 {
            let mut levels = stock_level::Entity::find()
                .filter(stock_level::Column::VariantId.eq(variant_id))
                .all(txn)
                .await?;
            levels.sort_by_key(|l| (!near(l.warehouse_id), l.warehouse_id));
            for level in levels {
                let take = remaining.min(level.on_hand - level.reserved);
                if take <= 0 {
                    continue;
                }
                let done = stock_level::Entity::update_many()
                    .col_expr(
                        stock_level::Column::Reserved,
                        Expr::col(stock_level::Column::Reserved).add(take),
                    )
                    .filter(stock_level::Column::VariantId.eq(variant_id))
                    .filter(stock_level::Column::WarehouseId.eq(level.warehouse_id))
                    .filter(
                        Expr::expr(
                            Expr::col(stock_level::Column::OnHand)
                                .sub(Expr::col(stock_level::Column::Reserved)),
                        )
                        .gte(take),
                    )
                    .exec(txn)
                    .await?;
                if done.rows_affected == 1 {
                    held.push((variant_id, level.warehouse_id, take));
                    remaining -= take;
                }
                if remaining == 0 {
                    return Ok(held);
                }
            }
        }
        Err(CheckoutError::SoldOut {
            title: p.title.clone(),
        })
    }

    /// Moves an order to `to` if the status machine allows it, recording who did it.
    /// Cancelling releases its stock; a confirmed payment sends the "payment received" email.
    pub async fn transition(
        &self,
        number: &str,
        to: OrderStatus,
        actor: &str,
        note: &str,
    ) -> Result<(), CheckoutError> {
        let txn = crate::txn::begin_write(self.db()).await?;
        let Some(order) = shop_order::Entity::find()
            .filter(shop_order::Column::Number.eq(number))
            .one(&txn)
            .await?
        else {
            return Err(DomainError::NotFound.into());
        };
        self.transition_in(&txn, &order, to, actor, note).await?;
        txn.commit().await?;
        if to == OrderStatus::Cancelled {
            // A card payment under way must not go through now.
            self.cancel_card_intent(order.id).await;
        }
        Ok(())
    }

    /// `transition` inside a caller's transaction (a payment event's, say).
    pub(crate) async fn transition_in(
        &self,
        txn: &DatabaseTransaction,
        order: &shop_order::Model,
        to: OrderStatus,
        actor: &str,
        note: &str,
    ) -> Result<(), CheckoutError> {
        let number = &order.number;
        let from = status_of(order)?;
        if !from.can_become(to) {
            return Err(DomainError::Conflict(format!(
                "order {number} is {} and cannot become {}",
                from.code(),
                to.code()
            ))
            .into());
        }
        let now = Utc::now();
        let changed = shop_order::Entity::update_many()
            .col_expr(shop_order::Column::Status, Expr::value(to.code()))
            .col_expr(shop_order::Column::UpdatedAt, Expr::value(now))
            .filter(shop_order::Column::Id.eq(order.id))
            .filter(shop_order::Column::Status.eq(from.code()))
            .exec(txn)
            .await?;
        if changed.rows_affected != 1 {
            return Err(DomainError::Conflict(format!("order {number} changed meanwhile")).into());
        }
        record(txn, order.id, Some(from), to, actor, note).await?;
        let payment_status = match to {
            OrderStatus::Paid => Some("paid"),
            OrderStatus::Cancelled if from == OrderStatus::PendingPayment => Some("cancelled"),
            _ => None,
        };
        if let Some(status) = payment_status {
            payment::Entity::update_many()
                .col_expr(payment::Column::Status, Expr::value(status))
                .col_expr(payment::Column::UpdatedAt, Expr::value(now))
                .filter(payment::Column::OrderId.eq(order.id))
                .filter(payment::Column::Status.eq("pending"))
                .exec(txn)
                .await?;
        }
        // The stock comes back when nothing will ship: cancelled, or refunded in full before
        // anything left the warehouse.
        let ships_nothing = to == OrderStatus::Cancelled
            || (to == OrderStatus::Refunded && !shipped_any(txn, order.id).await?);
        if ships_nothing {
            release(txn, order.id).await?;
        }
        if to == OrderStatus::Paid {
            self.queue_order_email(txn, EmailKind::PaymentReceived, order)
                .await?;
        }
        Ok(())
    }

    /// Adds a note to an order's history without moving it (`status` is where it stays).
    pub(crate) async fn note_on(
        &self,
        txn: &DatabaseTransaction,
        order: &shop_order::Model,
        status: OrderStatus,
        actor: &str,
        note: &str,
    ) -> Result<(), CheckoutError> {
        record(txn, order.id, Some(status), status, actor, note).await
    }

    /// Cancels orders whose payment was not completed in time, releasing their stock. A card
    /// payment already tried at Stripe is left to `sweep_card_payments`, and a PayPal one
    /// with a PayPal order to `sweep_paypal_payments`, which ask the provider first: it may
    /// have succeeded.
    pub async fn release_unpaid(&self) -> Result<usize, CheckoutError> {
        let mut late = payment::Entity::find()
            .filter(payment::Column::Status.eq("pending"))
            .filter(payment::Column::ExpiresAt.lte(Utc::now()));
        // A payment that reached its provider is the provider's sweep's to settle: it may
        // have succeeded. Without the provider set up (turned off since) nothing can be
        // asked: released too.
        let providers = super::stripe_methods()
            .map(|m| (m, self.stripe().is_some()))
            .chain([(super::PAYPAL, self.paypal().is_some())]);
        for (method, set_up) in providers {
            if set_up {
                late = late.filter(
                    sea_orm::Condition::any()
                        .add(payment::Column::Method.ne(method))
                        .add(payment::Column::ProviderRef.is_null()),
                );
            }
        }
        let late: Vec<i32> = late
            .all(self.db())
            .await?
            .into_iter()
            .map(|p| p.order_id)
            .collect();
        let orders = shop_order::Entity::find()
            .filter(shop_order::Column::Id.is_in(late))
            .filter(shop_order::Column::Status.eq(OrderStatus::PendingPayment.code()))
            .all(self.db())
            .await?;
        let mut done = 0;
        for o in orders {
            // A try may have reached the provider since: then its sweep asks it first.
            let reached = payment::Entity::find()
                .filter(payment::Column::OrderId.eq(o.id))
                .filter(payment::Column::ProviderRef.is_not_null())
                .one(self.db())
                .await?
                .is_some_and(|p| match p.method.as_str() {
                    super::PAYPAL => self.paypal().is_some(),
                    m if super::at_stripe(m) => self.stripe().is_some(),
                    _ => false,
                });
            if reached {
                continue;
            }
            match self
                .transition(
                    &o.number,
                    OrderStatus::Cancelled,
                    "system",
                    "payment not completed in time",
                )
                .await
            {
                Ok(()) => done += 1,
                Err(e) => {
                    tracing::warn!(order = %o.number, error = %e, "unpaid order not released")
                }
            }
        }
        Ok(done)
    }

    /// The newest orders, for the operator: number, status, total, email, when.
    pub async fn recent_orders(&self, limit: u64) -> Result<Vec<shop_order::Model>, CheckoutError> {
        use sea_orm::QuerySelect;
        Ok(shop_order::Entity::find()
            .order_by_desc(shop_order::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// The order behind a status-page link.
    pub async fn order_by_token(&self, token: &str) -> Result<Option<OrderView>, CheckoutError> {
        let Some(order) = self.order_row_by_token(token).await? else {
            return Ok(None);
        };
        Ok(Some(self.order_view_in(self.db(), order.id).await?))
    }

    /// The order row behind a status-page link.
    pub(crate) async fn order_row_by_token(
        &self,
        token: &str,
    ) -> Result<Option<shop_order::Model>, CheckoutError> {
        Ok(shop_order::Entity::find()
            .filter(shop_order::Column::Token.eq(token))
            .one(self.db())
            .await?)
    }

    async fn order_view_in(
        &self,
        db: &impl ConnectionTrait,
        order_id: i32,
    ) -> Result<OrderView, CheckoutError> {
        let order = shop_order::Entity::find_by_id(order_id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound)?;
        let currency = currency_of(&order)?;
        let breakdown = breakdown_of(&order)?;
        let lines = order_line::Entity::find()
            .filter(order_line::Column::OrderId.eq(order_id))
            .order_by_asc(order_line::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|l| OrderLineView {
                title: l.title,
                sku: l.sku,
                quantity: i64::from(l.quantity),
                unit: Money::new(l.unit_minor, currency),
                total: Money::new(l.total_minor, currency),
            })
            .collect();
        let address: Draft = serde_json::from_str(&order.address).unwrap_or_default();
        let voucher = if super::is_voucher(&order.payment_method) {
            payment::Entity::find()
                .filter(payment::Column::OrderId.eq(order_id))
                .one(db)
                .await?
        } else {
            None
        };
        let refunds = refund::Entity::find()
            .filter(refund::Column::OrderId.eq(order_id))
            .filter(refund::Column::Status.eq("succeeded"))
            .order_by_asc(refund::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|r| RefundView {
                amount: Money::new(r.amount_minor, currency),
            })
            .collect();
        Ok(OrderView {
            number: order.number,
            status: order.status,
            email: order.email,
            address,
            lines,
            totals: breakdown.totals,
            shipping: order.shipping_code,
            payment_method: order.payment_method,
            payment_details: breakdown.payment_details,
            days_min: breakdown.shipping.days_min,
            days_max: breakdown.shipping.days_max,
            landed: breakdown.landed,
            placed_at: order.created_at.to_rfc3339(),
            refunds,
            voucher: voucher.as_ref().and_then(crate::payments::voucher::slip_on),
        })
    }

    /// Queues email `kind` about `order` (as it stands in `txn`) to its shopper.
    pub(crate) async fn queue_order_email(
        &self,
        txn: &DatabaseTransaction,
        kind: EmailKind,
        order: &shop_order::Model,
    ) -> Result<(), CheckoutError> {
        let view = self.order_view_in(txn, order.id).await?;
        let locale = order.locale.parse().unwrap_or(Locale::DEFAULT);
        self.queue_email(txn, kind, order.id, &view, &order.token, locale)
            .await
    }

    async fn queue_email(
        &self,
        txn: &DatabaseTransaction,
        kind: EmailKind,
        order_id: i32,
        order: &OrderView,
        token: &str,
        locale: Locale,
    ) -> Result<(), CheckoutError> {
        let style = MoneyStyle::of(locale, &order.address.country);
        let link = format!("{}/{}/orders/{token}", self.public_url, locale.code());
        let message = email::render(kind, order, locale, style, &link);
        let now = Utc::now();
        email_outbox::Entity::insert(email_outbox::ActiveModel {
            kind: Set(kind.code().to_owned()),
            order_id: Set(Some(order_id)),
            to_address: Set(order.email.clone()),
            locale: Set(locale.code().to_owned()),
            subject: Set(message.subject),
            text_body: Set(message.text),
            html_body: Set(message.html),
            created_at: Set(now),
            attempts: Set(0),
            next_attempt_at: Set(now),
            claimed_until: Set(None),
            sent_at: Set(None),
            last_error: Set(None),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        Ok(())
    }
}

async fn record(
    txn: &DatabaseTransaction,
    order_id: i32,
    from: Option<OrderStatus>,
    to: OrderStatus,
    actor: &str,
    note: &str,
) -> Result<(), CheckoutError> {
    order_event::Entity::insert(order_event::ActiveModel {
        order_id: Set(order_id),
        at: Set(Utc::now()),
        from_status: Set(from.map(|s| s.code().to_owned())),
        to_status: Set(to.code().to_owned()),
        actor: Set(actor.to_owned()),
        note: Set(note.to_owned()),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(())
}

/// Gives an order's held units back to stock.
/// Whether any of the order has shipped (its history went through a fulfilled status).
async fn shipped_any(txn: &DatabaseTransaction, order_id: i32) -> Result<bool, CheckoutError> {
    let shipped = [
        OrderStatus::PartiallyFulfilled.code(),
        OrderStatus::Fulfilled.code(),
    ];
    Ok(order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(order_id))
        .filter(order_event::Column::ToStatus.is_in(shipped))
        .count(txn)
        .await?
        > 0)
}

async fn release(txn: &DatabaseTransaction, order_id: i32) -> Result<(), CheckoutError> {
    let held = reservation::Entity::find()
        .filter(reservation::Column::OrderId.eq(order_id))
        .filter(reservation::Column::ReleasedAt.is_null())
        .all(txn)
        .await?;
    for r in held {
        stock_level::Entity::update_many()
            .col_expr(
                stock_level::Column::Reserved,
                Expr::col(stock_level::Column::Reserved).sub(r.quantity),
            )
            .filter(stock_level::Column::VariantId.eq(r.variant_id))
            .filter(stock_level::Column::WarehouseId.eq(r.warehouse_id))
            .exec(txn)
            .await?;
        reservation::Entity::update_many()
            .col_expr(reservation::Column::ReleasedAt, Expr::value(Utc::now()))
            .filter(reservation::Column::Id.eq(r.id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::OrderStatus::*;

    #[test]
    fn the_status_machine_moves_forward_only() {
        assert!(PendingPayment.can_become(Paid));
        assert!(PendingPayment.can_become(Cancelled));
        assert!(!PendingPayment.can_become(Fulfilled));
        assert!(Paid.can_become(PartiallyFulfilled));
        assert!(PartiallyFulfilled.can_become(Fulfilled));
        assert!(Fulfilled.can_become(Refunded));
        assert!(!Fulfilled.can_become(Cancelled));
        assert!(!Cancelled.can_become(Paid));
        assert!(!Refunded.can_become(PartiallyRefunded));
        for s in super::OrderStatus::ALL {
            assert_eq!(super::OrderStatus::from_code(s.code()), Some(s));
        }
    }
}

//! The cart: lines of variants, priced afresh from the database on every read.

use super::view::{CartLine, CartView, LineFlag};
use super::{Checkout, CheckoutError, MAX_QUANTITY};
use crate::catalog::{group_by_owner, pick, product_path};
use crate::entity::{
    cart, cart_line, option_value, price_override, product, product_translation, stock_level,
    variant,
};
use crate::error::DomainError;
use crate::locale::Locale;
use crate::market::{Localized, Market};
use crate::money::Money;
use crate::price_book::{PriceRequest, Quote};
use crate::tax::TaxClass;
use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::HashMap;

/// A cart line with what it costs now and whether it can be bought.
#[derive(Clone, Debug)]
pub(crate) struct Priced {
    pub line: cart_line::Model,
    pub variant: variant::Model,
    pub title: String,
    pub options: String,
    pub slug: String,
    /// The whole line.
    pub quote: Quote,
    /// Units on hand and not reserved, over every warehouse.
    pub available: i64,
    pub active: bool,
}

impl Priced {
    pub fn view(&self, locale: Locale) -> CartLine {
        let mut flags = Vec::new();
        let quantity = i64::from(self.line.quantity);
        if !self.active {
            flags.push(LineFlag::Unavailable);
        } else if self.available <= 0 {
            flags.push(LineFlag::SoldOut);
        } else if self.available < quantity {
            flags.push(LineFlag::Fewer {
                available: self.available,
            });
        }
        if self.line.seen_unit_minor != self.quote.unit.minor {
            flags.push(LineFlag::PriceChanged {
                was: Money::new(self.line.seen_unit_minor, self.quote.unit.currency),
            });
        }
        let v = &self.variant;
        CartLine {
            variant_id: v.id,
            title: self.title.clone(),
            options: self.options.clone(),
            sku: v.sku.clone(),
            path: product_path(locale, &self.slug),
            quantity,
            unit: self.quote.unit,
            total: if self.quote.inclusive {
                self.quote.gross
            } else {
                self.quote.net
            },
            weight_grams: i64::from(v.weight_grams).saturating_mul(quantity),
            packaging: v
                .packaging_material
                .clone()
                .filter(|m| !m.is_empty())
                .map(|m| (m, v.packaging_recyclable)),
            flags,
        }
    }
}

fn quantity(q: i64) -> Result<i32, CheckoutError> {
    if (1..=MAX_QUANTITY).contains(&q) {
        i32::try_from(q).map_err(|_| CheckoutError::Quantity)
    } else {
        Err(CheckoutError::Quantity)
    }
}

impl Checkout {
    /// A new, empty cart in `market`; its id goes in the shopper's session.
    pub async fn create_cart(&self, market: &Market) -> Result<String, CheckoutError> {
        let id = crate::keys::random_token(16)?;
        let now = Utc::now();
        cart::Entity::insert(cart::ActiveModel {
            id: Set(id.clone()),
            market_id: Set(market.id),
            draft: Set("{}".into()),
            order_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            expires_at: Set(now + Duration::days(self.settings.cart_days)),
        })
        .exec(self.db())
        .await?;
        Ok(id)
    }

    /// The cart under `id` if it can still be filled: it exists, has not expired and has not
    /// become an order.
    pub async fn open_cart(&self, id: &str) -> Result<Option<cart::Model>, CheckoutError> {
        Ok(cart::Entity::find_by_id(id.to_owned())
            .filter(cart::Column::OrderId.is_null())
            .filter(cart::Column::ExpiresAt.gt(Utc::now()))
            .one(self.db())
            .await?)
    }

    async fn touch(&self, id: &str) -> Result<(), CheckoutError> {
        let now = Utc::now();
        cart::Entity::update_many()
            .col_expr(cart::Column::UpdatedAt, Expr::value(now))
            .col_expr(
                cart::Column::ExpiresAt,
                Expr::value(now + Duration::days(self.settings.cart_days)),
            )
            .filter(cart::Column::Id.eq(id))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Adds `quantity` units of a variant (to what the line already holds), if the product is
    /// for sale and that many are in stock.
    pub async fn add_line(
        &self,
        cart_id: &str,
        market: &Market,
        country: &str,
        variant_id: i32,
        quantity: i64,
    ) -> Result<(), CheckoutError> {
        let quantity = self::quantity(quantity)?;
        let existing = cart_line::Entity::find_by_id((cart_id.to_owned(), variant_id))
            .one(self.db())
            .await?
            .map_or(0, |l| l.quantity);
        let total = self::quantity(i64::from(existing) + i64::from(quantity))?;
        self.put_line(cart_id, market, country, variant_id, total)
            .await
    }

    /// Sets a line to `quantity` units.
    pub async fn set_quantity(
        &self,
        cart_id: &str,
        market: &Market,
        country: &str,
        variant_id: i32,
        quantity: i64,
    ) -> Result<(), CheckoutError> {
        let quantity = self::quantity(quantity)?;
        self.put_line(cart_id, market, country, variant_id, quantity)
            .await
    }

    async fn put_line(
        &self,
        cart_id: &str,
        market: &Market,
        country: &str,
        variant_id: i32,
        quantity: i32,
    ) -> Result<(), CheckoutError> {
        let Some(v) = variant::Entity::find_by_id(variant_id)
            .one(self.db())
            .await?
        else {
            return Err(CheckoutError::UnknownVariant);
        };
        let line = cart_line::Model {
            cart_id: cart_id.to_owned(),
            variant_id,
            quantity,
            seen_unit_minor: 0,
            added_at: Utc::now(),
        };
        let priced = self
            .price(
                self.db(),
                vec![(line.clone(), v)],
                Locale::DEFAULT,
                market,
                country,
            )
            .await?;
        let Some(p) = priced.first() else {
            return Err(CheckoutError::UnknownVariant);
        };
        if !p.active {
            return Err(CheckoutError::Unavailable);
        }
        if p.available <= 0 {
            return Err(CheckoutError::SoldOut {
                title: p.title.clone(),
            });
        }
        if p.available < i64::from(quantity) {
            return Err(CheckoutError::NotEnough {
                available: p.available,
            });
        }
        cart_line::Entity::insert(cart_line::ActiveModel {
            seen_unit_minor: Set(p.quote.unit.minor),
            ..cart_line::ActiveModel::from(line)
        })
        .on_conflict(
            OnConflict::columns([cart_line::Column::CartId, cart_line::Column::VariantId])
                .update_columns([
                    cart_line::Column::Quantity,
                    cart_line::Column::SeenUnitMinor,
                ])
                .to_owned(),
        )
        .exec(self.db())
        .await?;
        self.touch(cart_id).await
    }

    pub async fn remove_line(&self, cart_id: &str, variant_id: i32) -> Result<(), CheckoutError> {
        cart_line::Entity::delete_by_id((cart_id.to_owned(), variant_id))
            .exec(self.db())
            .await?;
        self.touch(cart_id).await
    }

    /// How many units the cart holds (the header's count).
    pub async fn item_count(&self, cart_id: &str) -> Result<i64, CheckoutError> {
        let count: Option<Option<i64>> = cart_line::Entity::find()
            .select_only()
            .column_as(cart_line::Column::Quantity.sum(), "n")
            .filter(cart_line::Column::CartId.eq(cart_id))
            .into_tuple()
            .one(self.db())
            .await?;
        Ok(count.flatten().unwrap_or(0))
    }

    /// The cart as the shopper sees it now. A cart filled in another market (the shopper
    /// changed country) moves to this one and is re-priced; `repriced` says so.
    pub async fn cart_view(
        &self,
        cart: &cart::Model,
        locale: Locale,
        market: &Market,
        country: &str,
    ) -> Result<CartView, CheckoutError> {
        let repriced = cart.market_id != market.id;
        let priced = self.cart_lines(cart, locale, market, country).await?;
        if repriced {
            self.accept_prices(cart, market, &priced).await?;
            return Ok(summarize(
                priced
                    .into_iter()
                    .map(|mut p| {
                        p.line.seen_unit_minor = p.quote.unit.minor;
                        p
                    })
                    .collect::<Vec<_>>()
                    .as_slice(),
                locale,
                market,
                true,
            ));
        }
        Ok(summarize(&priced, locale, market, false))
    }

    /// The cart's lines, priced for `market` and `country`.
    pub(crate) async fn cart_lines(
        &self,
        cart: &cart::Model,
        locale: Locale,
        market: &Market,
        country: &str,
    ) -> Result<Vec<Priced>, CheckoutError> {
        let lines = cart_line::Entity::find()
            .filter(cart_line::Column::CartId.eq(&cart.id))
            .all(self.db())
            .await?;
        let variants: HashMap<i32, variant::Model> = variant::Entity::find()
            .filter(variant::Column::Id.is_in(lines.iter().map(|l| l.variant_id)))
            .all(self.db())
            .await?
            .into_iter()
            .map(|v| (v.id, v))
            .collect();
        let mut rows = Vec::new();
        for line in lines {
            match variants.get(&line.variant_id).cloned() {
                Some(v) => rows.push((line, v)),
                // The variant was deleted: the line goes with it.
                None => {
                    cart_line::Entity::delete_by_id((line.cart_id, line.variant_id))
                        .exec(self.db())
                        .await?;
                }
            }
        }
        rows.sort_by_key(|(l, _)| (l.added_at, l.variant_id));
        self.price(self.db(), rows, locale, market, country).await
    }

    /// Records the current prices as the ones the shopper has seen (the cart's market too).
    pub(crate) async fn accept_prices(
        &self,
        cart: &cart::Model,
        market: &Market,
        priced: &[Priced],
    ) -> Result<(), CheckoutError> {
        for p in priced
            .iter()
            .filter(|p| p.line.seen_unit_minor != p.quote.unit.minor)
        {
            cart_line::Entity::update_many()
                .col_expr(
                    cart_line::Column::SeenUnitMinor,
                    Expr::value(p.quote.unit.minor),
                )
                .filter(cart_line::Column::CartId.eq(&cart.id))
                .filter(cart_line::Column::VariantId.eq(p.line.variant_id))
                .exec(self.db())
                .await?;
        }
        if cart.market_id != market.id {
            cart::Entity::update_many()
                .col_expr(cart::Column::MarketId, Expr::value(market.id))
                .filter(cart::Column::Id.eq(&cart.id))
                .exec(self.db())
                .await?;
        }
        Ok(())
    }

    /// Prices lines with the price book, with their product's title and stock.
    pub(crate) async fn price(
        &self,
        db: &impl ConnectionTrait,
        rows: Vec<(cart_line::Model, variant::Model)>,
        locale: Locale,
        market: &Market,
        country: &str,
    ) -> Result<Vec<Priced>, CheckoutError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let variant_ids: Vec<i32> = rows.iter().map(|(_, v)| v.id).collect();
        let product_ids: Vec<i32> = rows.iter().map(|(_, v)| v.product_id).collect();
        let products: HashMap<i32, product::Model> = product::Entity::find()
            .filter(product::Column::Id.is_in(product_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let texts = group_by_owner(
            product_translation::Entity::find()
                .filter(product_translation::Column::ProductId.is_in(product_ids))
                .all(db)
                .await?,
        );
        let fixed: HashMap<i32, i64> = price_override::Entity::find()
            .filter(price_override::Column::MarketId.eq(market.id))
            .filter(price_override::Column::VariantId.is_in(variant_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.variant_id, o.amount_minor))
            .collect();
        let mut available: HashMap<i32, i64> = HashMap::new();
        for s in stock_level::Entity::find()
            .filter(stock_level::Column::VariantId.is_in(variant_ids))
            .all(db)
            .await?
        {
            *available.entry(s.variant_id).or_default() +=
                i64::from(s.on_hand) - i64::from(s.reserved);
        }
        let value_ids: Vec<i32> = rows
            .iter()
            .flat_map(|(_, v)| [v.option1, v.option2, v.option3])
            .flatten()
            .collect();
        let values: HashMap<i32, String> = option_value::Entity::find()
            .filter(option_value::Column::Id.is_in(value_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, Localized::from_json(&o.label).get(locale).to_owned()))
            .collect();
        let base = self.catalog.base_currency();
        let book = self.catalog.price_book();
        let mut out = Vec::with_capacity(rows.len());
        for (line, v) in rows {
            let product = products.get(&v.product_id);
            let text = texts.get(&v.product_id).and_then(|t| pick(t, locale));
            let class = product
                .and_then(|p| TaxClass::from_code(&p.tax_class))
                .unwrap_or(TaxClass::Standard);
            let quote = book
                .quote(PriceRequest {
                    market,
                    country,
                    base: Money::new(v.price_minor, base),
                    fixed: fixed.get(&v.id).copied(),
                    quantity: i64::from(line.quantity),
                    tax_class: class,
                })
                .map_err(|e| DomainError::Corrupt(format!("variant {}: {e}", v.id)))?;
            let options = [v.option1, v.option2, v.option3]
                .into_iter()
                .flatten()
                .filter_map(|id| values.get(&id).cloned())
                .collect::<Vec<_>>()
                .join(" / ");
            out.push(Priced {
                title: text
                    .map(|t| t.title.clone())
                    .unwrap_or_else(|| v.sku.clone()),
                slug: text.map(|t| t.slug.clone()).unwrap_or_default(),
                options,
                quote,
                available: available.get(&v.id).copied().unwrap_or(0),
                active: product.is_some_and(|p| p.status == "active"),
                line,
                variant: v,
            });
        }
        Ok(out)
    }

    /// Removes carts whose time is up (a guest's after `cart_days` without a change).
    pub async fn remove_expired_carts(&self) -> Result<u64, CheckoutError> {
        let expired: Vec<String> = cart::Entity::find()
            .select_only()
            .column(cart::Column::Id)
            .filter(cart::Column::ExpiresAt.lte(Utc::now()))
            .limit(1000)
            .into_tuple()
            .all(self.db())
            .await?;
        if expired.is_empty() {
            return Ok(0);
        }
        cart_line::Entity::delete_many()
            .filter(cart_line::Column::CartId.is_in(expired.clone()))
            .exec(self.db())
            .await?;
        let gone = cart::Entity::delete_many()
            .filter(cart::Column::Id.is_in(expired))
            .exec(self.db())
            .await?;
        Ok(gone.rows_affected)
    }
}

pub(crate) fn summarize(
    priced: &[Priced],
    locale: Locale,
    market: &Market,
    repriced: bool,
) -> CartView {
    let lines: Vec<CartLine> = priced.iter().map(|p| p.view(locale)).collect();
    let currency = market.currency();
    let subtotal = lines
        .iter()
        .try_fold(Money::zero(currency), |sum, l| sum.checked_add(l.total))
        .unwrap_or(Money::zero(currency));
    CartView {
        count: lines.iter().map(|l| l.quantity).sum(),
        weight_grams: lines.iter().map(|l| l.weight_grams).sum(),
        subtotal,
        tax_inclusive: market.tax_inclusive,
        lines,
        repriced,
    }
}

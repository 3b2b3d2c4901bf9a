//! Shipping rates by zone and weight band, free shipping above a threshold, a CO2e estimate
//! per parcel; and the payment methods a market offers.

use super::view::{PaymentChoice, ShippingChoice};
use super::{CARD, PAYPAL, VOUCHERS};
use super::{Checkout, CheckoutError};
use crate::entity::{emission_factor, payment_option, shipping_rate, shipping_zone};
use crate::market::Market;
use crate::money::Money;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeMap, HashMap};

/// Grams of CO2e for carrying `weight_grams` over `distance_km` at `grams_per_tonne_km`:
/// tonnes × kilometres × factor. The method is the GLEC framework's, with the factors in
/// the `emission_factor` table.
pub fn co2e_grams(weight_grams: i64, distance_km: i64, grams_per_tonne_km: i64) -> i64 {
    let tonne_km_millis = weight_grams.saturating_mul(distance_km);
    tonne_km_millis.saturating_mul(grams_per_tonne_km) / 1_000_000
}

/// The band of each rate code that takes a parcel of `weight`: the lightest band at least
/// that heavy, an open-ended band last.
fn bands_for(rates: Vec<shipping_rate::Model>, weight: i64) -> Vec<shipping_rate::Model> {
    let mut best: BTreeMap<(i32, String), shipping_rate::Model> = BTreeMap::new();
    for r in rates {
        if r.max_weight_grams
            .is_some_and(|max| i64::from(max) < weight)
        {
            continue;
        }
        let key = (r.position, r.code.clone());
        let lighter = |a: &shipping_rate::Model| a.max_weight_grams.unwrap_or(i32::MAX);
        match best.get(&key) {
            Some(b) if lighter(b) <= lighter(&r) => {}
            _ => {
                best.insert(key, r);
            }
        }
    }
    best.into_values().collect()
}

impl Checkout {
    /// The ways to ship `weight_grams` of goods worth `goods` to `country`.
    pub(crate) async fn shipping_choices(
        &self,
        market: &Market,
        country: &str,
        weight_grams: i64,
        goods: Money,
    ) -> Result<Vec<ShippingChoice>, CheckoutError> {
        let zones: Vec<i32> = shipping_zone::Entity::find()
            .all(self.db())
            .await?
            .into_iter()
            .filter(|z| z.countries.split(',').any(|c| c.trim() == country))
            .map(|z| z.id)
            .collect();
        let rates = shipping_rate::Entity::find()
            .filter(shipping_rate::Column::MarketId.eq(market.id))
            .filter(shipping_rate::Column::ZoneId.is_in(zones))
            .all(self.db())
            .await?;
        let factors: HashMap<String, i64> = emission_factor::Entity::find()
            .all(self.db())
            .await?
            .into_iter()
            .map(|f| (f.mode, i64::from(f.grams_per_tonne_km)))
            .collect();
        let currency = market.currency();
        Ok(bands_for(rates, weight_grams)
            .into_iter()
            .map(|r| {
                let free = r.free_above_minor.is_some_and(|t| goods.minor >= t);
                ShippingChoice {
                    price: Money::new(if free { 0 } else { r.price_minor }, currency),
                    free,
                    days_min: r.days_min,
                    days_max: r.days_max,
                    co2e_grams: co2e_grams(
                        weight_grams,
                        i64::from(r.distance_km),
                        factors.get(&r.mode).copied().unwrap_or(0),
                    ),
                    mode: r.mode,
                    code: r.code,
                }
            })
            .collect())
    }

    /// The payment methods of `market` open to an order worth `order_value` (cash on
    /// delivery has a ceiling), with their rows; the providers' ones where they take
    /// `charge`, the total they would be asked for.
    pub(crate) async fn payment_choices(
        &self,
        market: &Market,
        order_value: Money,
        charge: Money,
    ) -> Result<Vec<(payment_option::Model, PaymentChoice)>, CheckoutError> {
        let currency = market.currency();
        let mut choices: Vec<_> = payment_option::Entity::find()
            .filter(payment_option::Column::MarketId.eq(market.id))
            .order_by_asc(payment_option::Column::Position)
            .all(self.db())
            .await?
            .into_iter()
            .filter(|o| o.max_order_minor.is_none_or(|max| order_value.minor <= max))
            .map(|o| {
                let choice = PaymentChoice {
                    method: o.method.clone(),
                    fee: Money::new(o.fee_minor, currency),
                };
                (o, choice)
            })
            .collect();
        // The providers' methods, after the merchant's own: PayPal wherever it is set up
        // and takes the currency (it needs no JavaScript: the shopper is sent to PayPal and
        // back), then cards wherever Stripe is set up, last because a browser without
        // JavaScript cannot pay by card (the first method is chosen by default). Nothing to
        // charge, or an amount the provider cannot express or take (a dinar total not ending
        // in 0, under Stripe's minimum): not offered. A voucher where Stripe takes its
        // currency, between the two: it needs no JavaScript.
        let at_stripe =
            |method| self.stripe().is_some() && crate::payments::stripe::takes(method, charge);
        let vouchers = VOUCHERS
            .iter()
            .filter(|v| v.currency == currency.code())
            .map(|v| (v.method, at_stripe(v.method)));
        let providers = std::iter::once((
            PAYPAL,
            self.paypal().is_some() && crate::payments::paypal::to_paypal(charge).is_some(),
        ))
        .chain(vouchers)
        .chain([(CARD, at_stripe(CARD))]);
        for (method, offered) in providers {
            if !offered || choices.iter().any(|(o, _)| o.method == method) {
                continue;
            }
            let option = payment_option::Model {
                id: 0,
                market_id: market.id,
                method: method.to_owned(),
                fee_minor: 0,
                max_order_minor: None,
                details: String::new(),
                position: i32::MAX,
            };
            let choice = PaymentChoice {
                method: method.to_owned(),
                fee: Money::zero(currency),
            };
            choices.push((option, choice));
        }
        Ok(choices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(code: &str, max: Option<i32>, price: i64) -> shipping_rate::Model {
        shipping_rate::Model {
            id: 0,
            zone_id: 1,
            market_id: 1,
            code: code.into(),
            max_weight_grams: max,
            price_minor: price,
            free_above_minor: None,
            days_min: 3,
            days_max: 5,
            mode: "road".into(),
            distance_km: 800,
            position: 0,
        }
    }

    #[test]
    fn a_parcel_takes_the_lightest_band_that_fits() {
        let rates = || {
            vec![
                rate("standard", Some(2000), 990),
                rate("standard", Some(500), 490),
                rate("standard", None, 1990),
                rate("express", Some(1000), 1490),
            ]
        };
        let prices = |w| -> Vec<(String, i64)> {
            bands_for(rates(), w)
                .into_iter()
                .map(|r| (r.code, r.price_minor))
                .collect()
        };
        assert_eq!(
            prices(300),
            [("express".into(), 1490), ("standard".into(), 490)]
        );
        assert_eq!(prices(1500), [("standard".to_owned(), 990)]);
        assert_eq!(prices(9000), [("standard".to_owned(), 1990)]);
    }

    #[test]
    fn co2e_is_weight_times_distance_times_factor() {
        // 1.2 kg over 800 km by road at 105 g/t·km: 0.0012 t × 800 km × 105 = 100.8 g.
        assert_eq!(co2e_grams(1200, 800, 105), 100);
        // 500 g flown 9,000 km at 602 g/t·km: 2,709 g.
        assert_eq!(co2e_grams(500, 9000, 602), 2709);
        assert_eq!(co2e_grams(0, 9000, 602), 0);
    }
}

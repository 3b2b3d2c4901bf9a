//! An order's money: goods, discounts, shipping, the payment fee and tax, added up one way
//! for every market. Tax is computed per line (by the price book, on the whole line, after
//! its share of the discounts) and for shipping and fees at the destination's standard rate;
//! in a tax-inclusive market it is taken out of the prices, elsewhere added on top.

use super::discount::take_off;
use super::view::{DiscountLine, TaxLine, Totals};
use crate::money::{Money, MoneyError};
use crate::price_book::Quote;
use crate::tax::TaxRate;
use std::collections::BTreeMap;

/// Where tax is rounded: on each line (the price book's quote) or once per rate on the
/// whole order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaxRounding {
    #[default]
    PerLine,
    OnTotal,
}

impl TaxRounding {
    pub fn from_code(code: &str) -> Self {
        if code == "total" {
            Self::OnTotal
        } else {
            Self::PerLine
        }
    }
}

/// Adds up priced lines less their discounts, shipping and a fee (both as shown in the
/// market: gross where prices include tax). `services` is the rate shipping and fees are
/// taxed at.
pub fn totals(
    lines: &[Quote],
    discounts: &[DiscountLine],
    shipping: Money,
    fee: Money,
    services: TaxRate,
    inclusive: bool,
    rounding: TaxRounding,
) -> Result<Totals, MoneyError> {
    let currency = shipping.currency;
    let zero = Money::zero(currency);
    let mut by_rate: BTreeMap<u32, Money> = BTreeMap::new();
    let mut add_tax = |rate: TaxRate, tax: Money| -> Result<(), MoneyError> {
        let slot = by_rate.entry(rate.ppm).or_insert(zero);
        *slot = slot.checked_add(tax)?;
        Ok(())
    };
    let mut subtotal = zero;
    for q in lines {
        subtotal = subtotal.checked_add(if inclusive { q.gross } else { q.net })?;
    }
    let off = discounts
        .iter()
        .try_fold(zero, |sum, d| sum.checked_add(d.amount))?;
    let off = Money::new(off.minor.clamp(0, subtotal.minor.max(0)), currency);
    let discounted = take_off(lines, off)?;
    match rounding {
        TaxRounding::PerLine => {
            for q in &discounted {
                add_tax(q.rate, q.tax)?;
            }
        }
        TaxRounding::OnTotal => {
            let mut bases: BTreeMap<u32, (TaxRate, Money)> = BTreeMap::new();
            for q in &discounted {
                let (_, base) = bases.entry(q.rate.ppm).or_insert((q.rate, zero));
                *base = base.checked_add(if inclusive { q.gross } else { q.net })?;
            }
            for (rate, base) in bases.into_values() {
                let tax = if inclusive {
                    rate.included_in(base)?
                } else {
                    rate.on(base)?
                };
                add_tax(rate, tax)?;
            }
        }
    }
    let charges = shipping.checked_add(fee)?;
    let charges_tax = if inclusive {
        services.included_in(charges)?
    } else {
        services.on(charges)?
    };
    if charges.minor != 0 {
        add_tax(services, charges_tax)?;
    }
    let taxes: Vec<TaxLine> = by_rate
        .into_iter()
        .filter(|(_, amount)| amount.minor != 0)
        .map(|(rate_ppm, amount)| TaxLine { rate_ppm, amount })
        .collect();
    let tax = taxes
        .iter()
        .try_fold(zero, |sum, t| sum.checked_add(t.amount))?;
    let mut total = subtotal.checked_sub(off)?.checked_add(charges)?;
    if !inclusive {
        total = total.checked_add(tax)?;
    }
    Ok(Totals {
        subtotal,
        discounts: discounts.to_vec(),
        shipping,
        fee,
        tax,
        taxes,
        inclusive,
        duty: zero,
        total,
    })
}

impl Totals {
    /// The same with import duties collected at checkout added.
    pub fn with_duty(self, duty: Money) -> Result<Totals, MoneyError> {
        Ok(Totals {
            total: self.total.checked_add(duty)?,
            duty,
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::price_book::PriceSource;

    fn rate(percent: &str) -> TaxRate {
        percent.parse().unwrap_or_default()
    }

    /// A line of `quantity` at `unit`, taxed at `percent`, priced as the price book does.
    fn line(unit: i64, quantity: i64, percent: &str, c: Currency, inclusive: bool) -> Quote {
        let r = rate(percent);
        let unit = Money::new(unit, c);
        let amount = unit.checked_mul(quantity).unwrap_or(unit);
        let (net, tax, gross) = if inclusive {
            let tax = r.included_in(amount).unwrap_or(unit);
            (amount.checked_sub(tax).unwrap_or(unit), tax, amount)
        } else {
            let tax = r.on(amount).unwrap_or(unit);
            (amount, tax, amount.checked_add(tax).unwrap_or(unit))
        };
        Quote {
            unit,
            net,
            tax,
            gross,
            rate: r,
            inclusive,
            source: PriceSource::Fixed,
        }
    }

    #[test]
    fn germany_vat_is_taken_out_of_goods_and_shipping() {
        // 2 × €44.99 and 1 × €12.90 (books, 7 %), €4.90 shipping, all with VAT inside.
        let eur = Currency::Eur;
        let t = totals(
            &[
                line(4499, 2, "19", eur, true),
                line(1290, 1, "7", eur, true),
            ],
            &[],
            Money::new(490, eur),
            Money::zero(eur),
            rate("19"),
            true,
            TaxRounding::PerLine,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.subtotal.minor, 10288);
        assert_eq!(t.total.minor, 10778);
        // 89.98 × 19/119 = 14.37; 12.90 × 7/107 = 0.84; 4.90 × 19/119 = 0.78.
        assert_eq!(
            t.taxes,
            vec![
                TaxLine {
                    rate_ppm: 70_000,
                    amount: Money::new(84, eur)
                },
                TaxLine {
                    rate_ppm: 190_000,
                    amount: Money::new(1437 + 78, eur)
                },
            ]
        );
        assert_eq!(t.tax.minor, 1599);
    }

    #[test]
    fn japan_has_no_minor_units() {
        let jpy = Currency::Jpy;
        let t = totals(
            &[line(2980, 3, "10", jpy, true)],
            &[],
            Money::new(800, jpy),
            Money::zero(jpy),
            rate("10"),
            true,
            TaxRounding::PerLine,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        // ¥8,940 with ¥813 inside; ¥800 shipping with ¥73 inside.
        assert_eq!(t.total.minor, 9740);
        assert_eq!(t.tax.minor, 813 + 73);
    }

    #[test]
    fn cash_on_delivery_fee_is_taxed_like_shipping() {
        // Vietnam: ₫450,000 goods, ₫30,000 shipping, ₫20,000 COD fee, 10 % VAT inside.
        let vnd = Currency::Vnd;
        let t = totals(
            &[line(450_000, 1, "10", vnd, true)],
            &[],
            Money::new(30_000, vnd),
            Money::new(20_000, vnd),
            rate("10"),
            true,
            TaxRounding::PerLine,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.total.minor, 500_000);
        // 450,000/11 = 40,909; 50,000/11 = 4,545.
        assert_eq!(t.tax.minor, 40_909 + 4_545);
    }

    #[test]
    fn tax_is_added_where_prices_exclude_it() {
        // Bahrain-style three decimals: BHD 12.500 × 2 at 10 % added, BHD 1.750 shipping.
        let bhd = Currency::Bhd;
        let t = totals(
            &[line(12_500, 2, "10", bhd, false)],
            &[],
            Money::new(1_750, bhd),
            Money::zero(bhd),
            rate("10"),
            false,
            TaxRounding::PerLine,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.subtotal.minor, 25_000);
        assert_eq!(t.tax.minor, 2_500 + 175);
        assert_eq!(t.total.minor, 25_000 + 1_750 + 2_675);
        // The United States without a sales tax rate: nothing added.
        let usd = Currency::Usd;
        let t = totals(
            &[line(2499, 1, "0", usd, false)],
            &[],
            Money::new(599, usd),
            Money::zero(usd),
            rate("0"),
            false,
            TaxRounding::PerLine,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.tax.minor, t.total.minor), (0, 3098));
        assert!(t.taxes.is_empty());
    }

    #[test]
    fn a_discount_comes_off_before_tax() {
        // €44.99 with 19 % inside, 10 % off (€4.50), €4.90 shipping: the VAT is taken out of
        // €40.49, not €44.99.
        let eur = Currency::Eur;
        let t = totals(
            &[line(4499, 1, "19", eur, true)],
            &[DiscountLine {
                code: "WELCOME10".into(),
                amount: Money::new(450, eur),
            }],
            Money::new(490, eur),
            Money::zero(eur),
            rate("19"),
            true,
            TaxRounding::PerLine,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.subtotal.minor, 4499);
        assert_eq!(t.total.minor, 4499 - 450 + 490);
        // 40.49 × 19/119 = 6.46; 4.90 × 19/119 = 0.78.
        assert_eq!(t.tax.minor, 646 + 78);
        // Where tax is added, it is added to the discounted price: $20 - $5 at 8.875 %.
        let usd = Currency::Usd;
        let t = totals(
            &[line(2000, 1, "8.875", usd, false)],
            &[DiscountLine {
                code: "SAVE5".into(),
                amount: Money::new(500, usd),
            }],
            Money::zero(usd),
            Money::zero(usd),
            rate("0"),
            false,
            TaxRounding::PerLine,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.tax.minor, t.total.minor), (133, 1633));
    }

    #[test]
    fn japan_rounds_once_per_rate() {
        // Two ¥1,005 lines with 10 % inside: 91 + 91 line by line, 183 on the total.
        let jpy = Currency::Jpy;
        let lines = [
            line(1005, 1, "10", jpy, true),
            line(1005, 1, "10", jpy, true),
        ];
        let tax = |rounding| {
            totals(
                &lines,
                &[],
                Money::zero(jpy),
                Money::zero(jpy),
                rate("10"),
                true,
                rounding,
            )
            .map(|t| t.tax.minor)
            .unwrap_or_default()
        };
        assert_eq!(tax(TaxRounding::PerLine), 182);
        assert_eq!(tax(TaxRounding::OnTotal), 183);
    }

    #[test]
    fn mixing_currencies_is_refused() {
        let r = totals(
            &[line(100, 1, "10", Currency::Eur, true)],
            &[],
            Money::new(100, Currency::Usd),
            Money::zero(Currency::Usd),
            rate("10"),
            true,
            TaxRounding::PerLine,
        );
        assert!(r.is_err());
    }
}

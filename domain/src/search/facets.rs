//! Facets as the search page shows them: price ranges in the market's currency, option
//! values grouped under their option's name, labels in the shopper's language.

use super::FacetLabels;
use super::collect::FacetCounts;
use super::query::{price_bounds as bounds_of, price_buckets};
use crate::catalog::view::{FacetGroup, FacetKind, FacetValue};
use crate::error::{DomainError, Result};
use crate::locale::Locale;
use crate::market::Market;
use crate::money::{Currency, Money, MoneyStyle};
use crate::price_book::PriceBook;
use std::collections::HashMap;

/// Where price ranges start, in the base currency's minor units ($25, $50, $100); each
/// market gets them converted at its rate.
pub const PRICE_THRESHOLDS: [i64; 3] = [2_500, 5_000, 10_000];

/// The price range bounds of `market`, in its minor units.
pub fn price_bounds(book: &PriceBook, market: &Market, base: Currency) -> Result<Vec<i64>> {
    let converted = PRICE_THRESHOLDS
        .iter()
        .map(|t| book.threshold(market, Money::new(*t, base)))
        .collect::<Result<Vec<i64>, _>>()
        .map_err(|e| DomainError::Corrupt(format!("market {}: {e}", market.code)))?;
    Ok(bounds_of(&converted, |t| t))
}

/// A price range from the URL, `from-to` in minor units (`to` may be empty).
pub fn parse_price(value: &str) -> Option<(i64, Option<i64>)> {
    let (from, to) = value.split_once('-')?;
    let from = from.parse().ok()?;
    let to = if to.is_empty() {
        None
    } else {
        Some(to.parse().ok()?)
    };
    Some((from, to))
}

/// Values by count, most first, then by name.
fn sorted(counts: &HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.iter().map(|(k, n)| (k.clone(), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// The facet groups of a results page, in the order the page shows them; groups with
/// nothing to count are left out.
pub fn groups(
    locale: Locale,
    style: MoneyStyle,
    market: &Market,
    bounds: &[i64],
    facets: &FacetCounts,
    labels: &FacetLabels,
) -> Vec<FacetGroup> {
    let plain = |kind, counts: &HashMap<String, u64>, label: &dyn Fn(&str) -> String| FacetGroup {
        kind,
        title: None,
        values: sorted(counts)
            .into_iter()
            .map(|(value, count)| FacetValue {
                label: label(&value),
                value,
                count,
            })
            .collect(),
    };
    let mut out = vec![plain(FacetKind::Collection, &facets.collection, &|h| {
        labels
            .collections
            .get(h)
            .map(|l| l.get(locale).to_owned())
            .unwrap_or_else(|| h.to_owned())
    })];
    // One group per option name, in the order names first appear.
    let mut by_name: Vec<(String, Vec<FacetValue>)> = Vec::new();
    for (key, count) in sorted(&facets.option) {
        let (name, value) = match labels.options.get(&key) {
            Some((n, v)) => (n.get(locale).to_owned(), v.get(locale).to_owned()),
            None => (
                key.split('=').next().unwrap_or_default().to_owned(),
                key.clone(),
            ),
        };
        let entry = FacetValue {
            value: key,
            label: value,
            count,
        };
        match by_name.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(entry),
            None => by_name.push((name, vec![entry])),
        }
    }
    out.extend(by_name.into_iter().map(|(name, values)| FacetGroup {
        kind: FacetKind::Option,
        title: Some(name),
        values,
    }));
    let currency = market.currency();
    let price_values = price_buckets(bounds)
        .into_iter()
        .zip(&facets.price)
        .filter(|(_, n)| **n > 0)
        .map(|(b, n)| {
            let from = Money::new(b.from, currency).format(style);
            let label = match b.to {
                Some(to) => format!("{from} – {}", Money::new(to, currency).format(style)),
                None => format!("{from} +"),
            };
            FacetValue {
                value: format!(
                    "{}-{}",
                    b.from,
                    b.to.map(|t| t.to_string()).unwrap_or_default()
                ),
                label,
                count: *n,
            }
        })
        .collect();
    out.push(FacetGroup {
        kind: FacetKind::Price,
        title: None,
        values: price_values,
    });
    out.push(FacetGroup {
        kind: FacetKind::Stock,
        title: None,
        values: vec![FacetValue {
            value: "1".into(),
            label: String::new(),
            count: facets.in_stock,
        }],
    });
    out.push(plain(FacetKind::Vendor, &facets.vendor, &|v| v.to_owned()));
    out.push(plain(FacetKind::Kind, &facets.kind, &|v| v.to_owned()));
    out.push(plain(FacetKind::Tag, &facets.tag, &|v| v.to_owned()));
    out.retain(|g| g.values.iter().any(|v| v.count > 0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_ranges_parse_from_the_url() {
        assert_eq!(parse_price("2500-5000"), Some((2500, Some(5000))));
        assert_eq!(parse_price("10000-"), Some((10000, None)));
        for bad in ["", "x-1", "1-x", "2500"] {
            assert_eq!(parse_price(bad), None, "{bad}");
        }
    }
}

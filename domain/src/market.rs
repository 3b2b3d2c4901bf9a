//! Markets: where the store sells, in which currency and language, at which prices.

use crate::entity::market;
use crate::error::{DomainError, Result};
use crate::locale::Locale;
use crate::money::Currency;
use crate::pricing::{ExchangeRate, PriceRule, RoundingRule};
use crate::tax::GrossPolicy;
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Short text in several locales, stored as a JSON map `{tag: text}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Localized(pub BTreeMap<String, String>);

impl Localized {
    pub fn from_json(value: &serde_json::Value) -> Self {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    /// The text for `locale` following its fallback chain, then any text at all, so a
    /// label is never blank.
    pub fn get(&self, locale: Locale) -> &str {
        locale
            .fallback_chain()
            .into_iter()
            .find_map(|tag| self.0.get(tag))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Market {
    pub id: i32,
    pub code: String,
    pub name: Localized,
    /// Shoppers browsing in these locales get this market unless they chose another.
    pub locales: Vec<Locale>,
    pub countries: Vec<String>,
    /// The country whose tax rate its prices are set with (for `GrossPolicy::FollowRate`)
    /// and where a shopper is taken to be until they say.
    pub home_country: String,
    pub tax_inclusive: bool,
    pub gross_policy: GrossPolicy,
    pub price_rule: PriceRule,
    pub rate_date: chrono::NaiveDate,
}

impl Market {
    pub fn currency(&self) -> Currency {
        self.price_rule.currency
    }

    fn from_row(row: market::Model) -> Result<Self> {
        let corrupt = |what: &str| DomainError::Corrupt(format!("market {}: {what}", row.code));
        let currency = Currency::from_code(&row.currency).ok_or_else(|| corrupt("currency"))?;
        let rounding = row
            .rounding
            .parse::<RoundingRule>()
            .map_err(|_| corrupt("rounding"))?;
        rounding
            .check(currency)
            .map_err(|e| corrupt(&e.to_string()))?;
        let countries: Vec<String> = row
            .countries
            .split(',')
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        let home_country = if row.home_country.is_empty() {
            countries
                .first()
                .cloned()
                .ok_or_else(|| corrupt("no countries"))?
        } else {
            row.home_country.clone()
        };
        Ok(Self {
            id: row.id,
            name: Localized::from_json(&row.name),
            locales: row
                .locales
                .split(',')
                .map(|l| l.trim().parse::<Locale>().map_err(|_| corrupt("locales")))
                .collect::<Result<_>>()?,
            countries,
            home_country,
            tax_inclusive: row.tax_inclusive,
            gross_policy: GrossPolicy::from_code(&row.gross_policy)
                .ok_or_else(|| corrupt("gross policy"))?,
            price_rule: PriceRule {
                currency,
                rate: ExchangeRate::from_scaled(row.rate_scaled)
                    .map_err(|e| corrupt(&e.to_string()))?,
                rounding,
            },
            rate_date: row.rate_date,
            code: row.code,
        })
    }
}

/// The enabled markets, loaded once: every page needs them and they change rarely.
#[derive(Clone, Debug, Default)]
pub struct Markets {
    all: Vec<Market>,
}

impl Markets {
    /// The enabled markets. One whose settings cannot be used (an unknown currency, a
    /// rounding rule the currency cannot take) is left out with an error in the log, so the
    /// rest of the store keeps selling.
    pub async fn load(db: &DatabaseConnection) -> Result<Self> {
        let rows = market::Entity::find()
            .order_by_asc(market::Column::Position)
            .all(db)
            .await?;
        let mut all = Vec::new();
        for row in rows.into_iter().filter(|m| m.enabled) {
            match Market::from_row(row) {
                Ok(m) => all.push(m),
                Err(e) => tracing::error!(error = %e, "market left out until it is fixed"),
            }
        }
        Ok(Self { all })
    }

    pub fn all(&self) -> &[Market] {
        &self.all
    }

    pub fn by_code(&self, code: &str) -> Option<&Market> {
        self.all.iter().find(|m| m.code.eq_ignore_ascii_case(code))
    }

    /// The market that sells to `country` (ISO 3166 alpha-2).
    pub fn by_country(&self, country: &str) -> Option<&Market> {
        self.all.iter().find(|m| m.ships_to(country))
    }

    /// The market a shopper sees: the one they chose, else the one whose default locale
    /// they browse in, else the first.
    pub fn pick(&self, chosen: Option<&str>, locale: Locale) -> Option<&Market> {
        chosen
            .and_then(|c| self.by_code(c))
            .or_else(|| self.all.iter().find(|m| m.locales.contains(&locale)))
            .or_else(|| self.all.first())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localized_text_follows_the_chain_and_is_never_blank() {
        let l = Localized(BTreeMap::from([
            ("en".to_owned(), "Colour".to_owned()),
            ("pt".to_owned(), "Cor".to_owned()),
        ]));
        assert_eq!(l.get(Locale::PtBr), "Cor");
        assert_eq!(l.get(Locale::Ja), "Colour");
        let only_de = Localized(BTreeMap::from([("de".to_owned(), "Farbe".to_owned())]));
        assert_eq!(only_de.get(Locale::Ja), "Farbe");
        assert_eq!(Localized::default().get(Locale::En), "");
    }
}

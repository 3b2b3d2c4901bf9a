//! Tradewind's domain: money, locales, markets and the catalog, with no web framework.
//!
//! The browser build uses only the shared types (`money`, `locale`, `pricing`,
//! `catalog::view`, `i18n`); everything that touches the database sits behind `server`.

/// Serializes a closed set of values by its stable code (`code()`) rather than by the
/// variant's position, which postcard and other compact formats would otherwise store.
#[macro_export]
macro_rules! serde_as_code {
    ($ty:ty, $expecting:literal, $parse:expr) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Code;
                impl serde::de::Visitor<'_> for Code {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        let parse = $parse;
                        parse(v)
                            .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
                    }
                }
                d.deserialize_str(Code)
            }
        }
    };
}

pub mod catalog;
pub mod checkout;
pub mod html;
pub mod i18n;
pub mod locale;
pub mod money;
pub mod pricing;
pub mod tax;

#[cfg(feature = "server")]
pub mod entity;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod keys;
#[cfg(feature = "server")]
pub mod market;
#[cfg(feature = "server")]
pub mod media;
#[cfg(feature = "server")]
pub mod outbox;
#[cfg(feature = "server")]
pub mod payments;
#[cfg(feature = "server")]
pub mod price_book;
#[cfg(feature = "server")]
pub mod search;
#[cfg(feature = "server")]
pub mod seed;
#[cfg(feature = "server")]
pub mod stock;
#[cfg(feature = "server")]
pub mod txn;

pub use locale::Locale;
pub use money::{Currency, Money, MoneyStyle};

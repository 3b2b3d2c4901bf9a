//! Tradewind's domain: money, locales, markets and the catalog, with no web framework.
//!
//! The browser build uses only the shared types (`money`, `locale`, `pricing`,
//! `catalog::view`, `i18n`); everything that touches the database sits behind `server`.

pub mod catalog;
pub mod i18n;
pub mod locale;
pub mod money;
pub mod pricing;

#[cfg(feature = "server")]
pub mod entity;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod market;
#[cfg(feature = "server")]
pub mod media;
#[cfg(feature = "server")]
pub mod search;
#[cfg(feature = "server")]
pub mod seed;

pub use locale::Locale;
pub use money::{Currency, Money};

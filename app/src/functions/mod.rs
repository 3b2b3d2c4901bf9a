//! Server functions: parse, call the domain, map the error. One resource per file.

pub mod catalog;
pub mod checkout;
pub mod payments;
pub mod search;

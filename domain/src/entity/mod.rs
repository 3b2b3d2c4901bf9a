//! sea-orm entities: one file per table, mirroring `migrations/`.
//!
//! Enums are stored as text and timestamps in UTC. Short per-locale labels (option names,
//! option values, image alt text) are JSON maps `{locale: text}`; long text with its own
//! slug lives in the `*_translation` tables.

pub mod cart;
pub mod cart_line;
pub mod collection;
pub mod collection_product;
pub mod collection_translation;
pub mod discount;
pub mod discount_use;
pub mod duty_rate;
pub mod email_outbox;
pub mod emission_factor;
pub mod import_rule;
pub mod market;
pub mod option_value;
pub mod order_event;
pub mod order_line;
pub mod payment;
pub mod payment_event;
pub mod payment_option;
pub mod price_override;
pub mod product;
pub mod product_image;
pub mod product_option;
pub mod product_translation;
pub mod refund;
pub mod reservation;
pub mod search_query;
pub mod session;
pub mod shipping_rate;
pub mod shipping_zone;
pub mod shop;
pub mod shop_order;
pub mod site_key;
pub mod stock_level;
pub mod tax_rate;
pub mod variant;
pub mod warehouse;

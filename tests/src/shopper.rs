//! A browser without JavaScript for router tests: its cookies, the CSRF token its pages
//! carry, and the forms it sends; and a variant to buy.

use crate::{PUBLIC_URL, Page, TestStore};
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use tradewind_domain::entity::{product, stock_level, variant};

/// The checkout form filled in for Berlin, by bank transfer.
pub const BERLIN: [(&str, &str); 9] = [
    ("email", "max@example.de"),
    ("name", "Max Müller"),
    ("line1", "Hauptstraße 1"),
    ("city", "Berlin"),
    ("postcode", "10115"),
    ("country", "DE"),
    ("phone", "030 1234567"),
    ("shipping", "standard"),
    ("payment", "bank_transfer"),
];

/// A browser: its cookies and the CSRF token its pages carry.
pub struct Shopper<'a> {
    pub store: &'a TestStore,
    pub locale: String,
    pub cookies: HashMap<String, String>,
    pub token: String,
}

impl<'a> Shopper<'a> {
    pub async fn new(store: &'a TestStore, locale: &str) -> Self {
        let (csrf, token) = store.csrf(&format!("/{locale}")).await;
        let mut cookies = HashMap::new();
        if let Some((k, v)) = csrf.split_once('=') {
            cookies.insert(k.to_owned(), v.to_owned());
        }
        Self {
            store,
            locale: locale.to_owned(),
            cookies,
            token,
        }
    }

    /// A browser that chose `country` with the country switcher.
    pub async fn in_country(store: &'a TestStore, locale: &str, country: &str) -> Self {
        let mut b = Self::new(store, locale).await;
        b.submit(
            &format!("/{locale}/country"),
            &[("country", country), ("return", "/")],
        )
        .await;
        b
    }

    /// Adds `quantity` of a variant to the cart, as the product page's form does.
    pub async fn add(&mut self, variant: i32, quantity: &str) -> String {
        let locale = self.locale.clone();
        self.submit(
            &format!("/{locale}/cart/add"),
            &[("variant", &variant.to_string()), ("quantity", quantity)],
        )
        .await
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, page: &Page) {
        if let Some(c) = page.set_cookie("session") {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let page = self
            .store
            .request(path, &[("cookie", &self.cookie_header())])
            .await;
        self.keep(&page);
        page
    }

    /// A form POST with this browser's token; returns the response (a 303 normally).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut body = format!("csrf={}", self.token);
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", urlencode(v)));
        }
        let page = self
            .store
            .post(
                path,
                &[("cookie", &self.cookie_header()), ("origin", PUBLIC_URL)],
                &body,
            )
            .await;
        self.keep(&page);
        page
    }

    /// POSTs, expects 303, and returns where it points.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> String {
        let page = self.post(path, fields).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}: {}", page.body);
        page.header("location").to_owned()
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// An active product's variant with at least `units` in stock.
pub async fn variant_in_stock(s: &TestStore, units: i32) -> variant::Model {
    let active: Vec<i32> = product::Entity::find()
        .filter(product::Column::Status.eq("active"))
        .all(&s.db)
        .await
        .expect("products")
        .into_iter()
        .map(|p| p.id)
        .collect();
    let levels = stock_level::Entity::find()
        .order_by_asc(stock_level::Column::VariantId)
        .all(&s.db)
        .await
        .expect("stock");
    let mut free: HashMap<i32, i32> = HashMap::new();
    for l in levels {
        *free.entry(l.variant_id).or_default() += l.on_hand - l.reserved;
    }
    for v in variant::Entity::find()
        .order_by_asc(variant::Column::Id)
        .all(&s.db)
        .await
        .expect("variants")
    {
        if active.contains(&v.product_id) && free.get(&v.id).copied().unwrap_or(0) >= units {
            return v;
        }
    }
    panic!("no variant with {units} in stock");
}

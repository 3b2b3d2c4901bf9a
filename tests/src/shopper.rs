//! A browser without JavaScript for router tests: its cookies, the CSRF token its pages
//! carry, and the forms it sends; a variant to buy, and an order placed through the forms.

use crate::{PUBLIC_URL, Page, TestStore, attr_near};
use http::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use tradewind_domain::entity::{
    email_outbox, order_event, payment, product, reservation, shop_order, stock_level, variant,
};

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

/// The checkout form filled in for Tokyo (shipping and payment chosen by the test).
pub const TOKYO: [(&str, &str); 8] = [
    ("email", "mai@example.jp"),
    ("name", "山田 舞"),
    ("line1", "丸の内1-1"),
    ("city", "千代田区"),
    ("region", "東京都"),
    ("postcode", "100-0005"),
    ("country", "JP"),
    ("phone", "090-1234-5678"),
];

/// The checkout form filled in for Mexico City (shipping and payment chosen by the test).
pub const MEXICO_CITY: [(&str, &str); 8] = [
    ("email", "ana@example.mx"),
    ("name", "Ana López"),
    ("line1", "Av. Paseo de la Reforma 222"),
    ("city", "Ciudad de México"),
    ("region", "CDMX"),
    ("postcode", "06600"),
    ("country", "MX"),
    ("phone", "55 1234 5678"),
];

/// The checkout form filled in for São Paulo (shipping and payment chosen by the test).
pub const SAO_PAULO: [(&str, &str); 8] = [
    ("email", "joao@example.com.br"),
    ("name", "João Silva"),
    ("line1", "Av. Paulista, 1000"),
    ("city", "São Paulo"),
    ("region", "SP"),
    ("postcode", "01310-100"),
    ("country", "BR"),
    ("phone", "11 91234-5678"),
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

/// An order placed through the forms, and what the browser saw on the way.
pub struct Placed<'a> {
    pub order: shop_order::Model,
    pub browser: Shopper<'a>,
    /// The checkout form's page, before it was filled in.
    pub checkout: Page,
    /// The review page, with the place-order form.
    pub review: Page,
    /// Where placing the order sent the browser.
    pub location: String,
}

/// One unit of a variant in stock, ordered in `locale` by a shopper at `address` (a checkout
/// form such as `BERLIN`), by standard shipping and payment `method`.
pub async fn place_order<'a>(
    s: &'a TestStore,
    locale: &str,
    address: &[(&str, &str)],
    method: &str,
) -> Placed<'a> {
    let country = address
        .iter()
        .find(|(k, _)| *k == "country")
        .map(|(_, v)| *v)
        .expect("a country");
    let v = variant_in_stock(s, 1).await;
    let mut browser = Shopper::in_country(s, locale, country).await;
    browser.add(v.id, "1").await;
    let checkout = browser.get(&format!("/{locale}/checkout")).await;
    let mut form: Vec<_> = address
        .iter()
        .filter(|(k, _)| !matches!(*k, "shipping" | "payment"))
        .copied()
        .collect();
    form.extend([("shipping", "standard"), ("payment", method)]);
    let review_path = format!("/{locale}/checkout/review");
    assert_eq!(
        browser.submit(&format!("/{locale}/checkout"), &form).await,
        review_path
    );
    let review = browser.get(&review_path).await;
    let total = attr_near(&review.body, r#"name="total""#, "value").expect("place form");
    let location = browser
        .submit(
            &format!("/{locale}/checkout/place"),
            &[("total", total.as_str())],
        )
        .await;
    let order = newest_order(s).await;
    assert_eq!(order.payment_method, method);
    Placed {
        order,
        browser,
        checkout,
        review,
        location,
    }
}

/// The order placed last.
pub async fn newest_order(s: &TestStore) -> shop_order::Model {
    shop_order::Entity::find()
        .order_by_desc(shop_order::Column::Id)
        .one(&s.db)
        .await
        .expect("read")
        .expect("an order")
}

/// `order` as it is now.
pub async fn reload(s: &TestStore, order: &shop_order::Model) -> shop_order::Model {
    shop_order::Entity::find_by_id(order.id)
        .one(&s.db)
        .await
        .expect("read")
        .expect("order")
}

/// `order`'s payment as it is now.
pub async fn payment_of(s: &TestStore, order: &shop_order::Model) -> payment::Model {
    payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order.id))
        .one(&s.db)
        .await
        .expect("read")
        .expect("payment")
}

/// `order` is paid, and was made paid once: one entry in its history, one "payment
/// received" email, however many ways the store heard of the payment.
pub async fn paid_once(s: &TestStore, order: &shop_order::Model) {
    assert_eq!(reload(s, order).await.status, "paid");
    let paid_events = order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(order.id))
        .filter(order_event::Column::ToStatus.eq("paid"))
        .count(&s.db)
        .await
        .expect("count");
    let emails = email_outbox::Entity::find()
        .filter(email_outbox::Column::OrderId.eq(order.id))
        .filter(email_outbox::Column::Kind.eq("payment-received"))
        .count(&s.db)
        .await
        .expect("count");
    assert_eq!((paid_events, emails), (1, 1));
}

/// The merchant refunds paid `order` in two: 10.00 (a scratched lid), then the rest; then it
/// is refunded, and a cent more is refused.
pub async fn refund_in_two(s: &TestStore, order: &shop_order::Model) {
    let checkout = &s.state.app.checkout;
    let part = checkout
        .refund(&order.number, Some("10.00"), "scratched lid", "merchant")
        .await
        .expect("a partial refund");
    assert_eq!(part.amount.minor, 1000);
    let rest = checkout
        .refund(&order.number, None, "returned", "merchant")
        .await
        .expect("the rest");
    assert_eq!(rest.left.minor, 0);
    assert_eq!(reload(s, order).await.status, "refunded");
    assert!(
        checkout
            .refund(&order.number, Some("0.01"), "again", "merchant")
            .await
            .is_err()
    );
}

/// The payment windows of `orders` ended a minute ago.
pub async fn expire_payments(s: &TestStore, orders: &[&shop_order::Model]) {
    payment::Entity::update_many()
        .col_expr(
            payment::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .filter(payment::Column::OrderId.is_in(orders.iter().map(|o| o.id)))
        .exec(&s.db)
        .await
        .expect("expire");
}

/// `order` is cancelled and holds no stock any more.
pub async fn cancelled_and_released(s: &TestStore, order: &shop_order::Model) {
    assert_eq!(reload(s, order).await.status, "cancelled");
    let held = reservation::Entity::find()
        .filter(reservation::Column::OrderId.eq(order.id))
        .filter(reservation::Column::ReleasedAt.is_null())
        .count(&s.db)
        .await
        .expect("count");
    assert_eq!(held, 0, "the cancelled order's stock is released");
}

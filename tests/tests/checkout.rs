//! Buying, through the router as a browser without JavaScript would: cart forms, the
//! checkout form with its errors, review, placing the order, its status page and email;
//! every bad input; and a race of a thousand buyers for ten units. SQLite and PostgreSQL.

use http::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use tradewind_domain::Locale;
use tradewind_domain::checkout::address::Draft;
use tradewind_domain::checkout::{Checkout, CheckoutError};
use tradewind_domain::entity::{
    cart, cart_line, email_outbox, order_event, product, shop_order, stock_level, variant,
};
use tradewind_tests::peer::ScriptPeer;
use tradewind_tests::shopper::{BERLIN, Shopper, variant_in_stock};
use tradewind_tests::{PUBLIC_URL, Page, TestStore, attr_near, on_both_backends};

async fn reserved(s: &TestStore, variant_id: i32) -> i32 {
    stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.eq(variant_id))
        .all(&s.db)
        .await
        .expect("stock")
        .iter()
        .map(|l| l.reserved)
        .sum()
}

/// Adds `variant` and fills in the form for Berlin; returns the review page.
async fn ready_to_place(b: &mut Shopper<'_>, variant: i32, quantity: &str) -> Page {
    assert_eq!(b.add(variant, quantity).await, "/de/cart?error=added");
    let to = b.submit("/de/checkout", &BERLIN).await;
    assert_eq!(to, "/de/checkout/review");
    b.get("/de/checkout/review").await
}

async fn a_guest_buys_with_a_bank_transfer(s: &TestStore) {
    let v = variant_in_stock(s, 3).await;
    let before = reserved(s, v.id).await;
    let mut b = Shopper::new(s, "de").await;
    let cart = b.get("/de/cart?error=added").await;
    assert!(
        cart.body.contains("Dein Warenkorb ist leer"),
        "{}",
        cart.body
    );
    let review = ready_to_place(&mut b, v.id, "2").await;
    assert_eq!(review.status, StatusCode::OK);
    assert!(review.body.contains("Max Müller"), "the address is shown");
    assert!(
        review.body.contains("Inkl. 19\u{a0}%"),
        "VAT is itemized: {}",
        review.body
    );
    assert!(
        review
            .body
            .contains(r#"<meta name="robots" content="noindex">"#)
    );
    let total = attr_near(&review.body, r#"name="total""#, "value").expect("the place form");
    // The header counts what is in the cart.
    assert!(review.body.contains("Warenkorb (2)"), "{}", review.body);

    let to = b
        .submit("/de/checkout/place", &[("total", total.as_str())])
        .await;
    assert!(to.starts_with("/de/orders/"), "{to}");
    // A double click, a reload: the same order.
    let again = b
        .submit("/de/checkout/place", &[("total", total.as_str())])
        .await;
    assert_eq!(again, to);
    assert_eq!(
        shop_order::Entity::find()
            .count(&s.db)
            .await
            .expect("count"),
        1
    );

    let order = shop_order::Entity::find()
        .one(&s.db)
        .await
        .expect("order")
        .expect("one order");
    assert!(order.number.starts_with("TW-1"), "{}", order.number);
    assert_eq!(order.status, "pending_payment");
    assert_eq!(order.total_minor.to_string(), total);
    assert_eq!(order.currency, "EUR");
    assert!(!order.marketing_consent, "consent is never assumed");
    assert_eq!(reserved(s, v.id).await, before + 2, "the units are held");
    let events = order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(order.id))
        .all(&s.db)
        .await
        .expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor, "shopper");

    let page = b.get(&to).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&order.number));
    assert!(page.body.contains("IBAN"), "transfer details are shown");
    // The link is the only key: anyone else gets not found.
    let other = s.get("/de/orders/not-a-real-token").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    let mail = email_outbox::Entity::find()
        .all(&s.db)
        .await
        .expect("outbox");
    assert_eq!(mail.len(), 1, "one confirmation waits to be sent");
    assert_eq!(mail[0].to_address, "max@example.de");
    assert_eq!(mail[0].locale, "de");
    assert!(mail[0].subject.contains(&order.number));
    assert!(mail[0].text_body.contains(&format!("{PUBLIC_URL}{to}")));

    // After the order the cart is empty again.
    let cart = b.get("/de/cart").await;
    assert!(cart.body.contains("Dein Warenkorb ist leer"));
}

async fn bad_cart_input_gets_a_message(s: &TestStore) {
    let v = variant_in_stock(s, 1).await;
    let id = v.id.to_string();
    let mut b = Shopper::new(s, "en").await;
    for q in ["0", "-1", "1000000000", "abc", "1.5"] {
        let to = b
            .submit("/en/cart/add", &[("variant", &id), ("quantity", q)])
            .await;
        assert_eq!(to, "/en/cart?error=quantity", "quantity {q}");
    }
    let page = b.get("/en/cart?error=quantity").await;
    assert!(page.body.contains("from 1 to 999"), "{}", page.body);
    for bad in ["999999", "x", ""] {
        let to = b
            .submit("/en/cart/add", &[("variant", bad), ("quantity", "1")])
            .await;
        assert_eq!(to, "/en/cart?error=unknown-variant", "variant {bad:?}");
    }
    // More than there is.
    let to = b
        .submit("/en/cart/add", &[("variant", &id), ("quantity", "900")])
        .await;
    assert!(to.starts_with("/en/cart?error=not-enough&count="), "{to}");
    let page = b.get(&to).await;
    assert!(page.body.contains("left in stock"), "{}", page.body);
    // An archived product cannot be bought.
    product::Entity::update_many()
        .col_expr(product::Column::Status, Expr::value("archived"))
        .filter(product::Column::Id.eq(v.product_id))
        .exec(&s.db)
        .await
        .expect("archive");
    let to = b
        .submit("/en/cart/add", &[("variant", &id), ("quantity", "1")])
        .await;
    assert_eq!(to, "/en/cart?error=unavailable");
    // Nothing in the cart: no checkout.
    let to = b.submit("/en/checkout", &BERLIN).await;
    assert_eq!(to, "/en/cart?error=empty");
    let to = b.submit("/en/checkout/place", &[("total", "1")]).await;
    assert_eq!(to, "/en/cart?error=empty");
    // A form from elsewhere, or with another browser's token.
    let forged = s
        .post(
            "/en/cart/add",
            &[("cookie", "csrf=someone-else"), ("origin", PUBLIC_URL)],
            &format!("csrf={}&variant={id}", b.token),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let cross = s
        .post(
            "/en/cart/add",
            &[
                ("cookie", &b.cookie_header()),
                ("origin", "https://evil.example"),
            ],
            &format!("csrf={}&variant={id}", b.token),
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert_eq!(
        cart_line::Entity::find().count(&s.db).await.expect("lines"),
        0,
        "nothing was added"
    );
}

async fn a_tampered_cart_cookie_is_no_cart(s: &TestStore) {
    let v = variant_in_stock(s, 1).await;
    let mut b = Shopper::new(s, "en").await;
    b.add(v.id, "1").await;
    let session = b.cookies.get("session").cloned().expect("a session");
    // Another value under the same signature, or a cookie signed by another store.
    let mut forged = session.clone();
    forged.replace_range(0..1, if forged.starts_with('A') { "B" } else { "A" });
    for bad in [forged, "AAAA".to_owned()] {
        let page = s
            .request("/en/cart", &[("cookie", &format!("session={bad}; csrf=x"))])
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Your cart is empty"), "{bad}");
    }
    let page = b.get("/en/cart").await;
    assert!(!page.body.contains("Your cart is empty"));
}

async fn the_form_keeps_what_was_typed_and_says_what_is_wrong(s: &TestStore) {
    let v = variant_in_stock(s, 1).await;
    let mut b = Shopper::new(s, "de").await;
    b.add(v.id, "1").await;
    let mut form: Vec<(&str, &str)> = BERLIN.to_vec();
    form.retain(|(k, _)| *k != "postcode" && *k != "email");
    form.push(("postcode", "1011"));
    form.push(("email", "max at example"));
    let to = b.submit("/de/checkout", &form).await;
    assert_eq!(to, "/de/checkout");
    let page = b.get("/de/checkout").await;
    assert!(
        page.body.contains(r#"value="1011""#),
        "the postcode is kept"
    );
    assert!(
        page.body.contains(r#"value="max at example""#),
        "the email is kept"
    );
    assert!(page.body.contains(r#"value="Max Müller""#));
    assert!(page.body.contains("error-summary"));
    assert!(page.body.contains("Postleitzahl"), "{}", page.body);
    let review = b.get("/de/checkout/review").await;
    assert!(
        !review.body.contains("checkout/place"),
        "no order without an address"
    );
    // A country this market does not deliver to.
    let mut form: Vec<(&str, &str)> = BERLIN.to_vec();
    form.retain(|(k, _)| *k != "country");
    form.push(("country", "JP"));
    assert_eq!(b.submit("/de/checkout", &form).await, "/de/checkout");
    let page = b.get("/de/checkout").await;
    assert!(page.body.contains("field-country"));
    assert!(page.body.contains("liefern"), "{}", page.body);
    // Sold out meanwhile: the form sends the shopper to the cart, which says what.
    stock_level::Entity::update_many()
        .col_expr(
            stock_level::Column::OnHand,
            Expr::col(stock_level::Column::Reserved).into(),
        )
        .filter(stock_level::Column::VariantId.eq(v.id))
        .exec(&s.db)
        .await
        .expect("sell out");
    assert_eq!(
        b.submit("/de/checkout", &BERLIN).await,
        "/de/cart?error=incomplete"
    );
    let cart = b.get("/de/cart?error=incomplete").await;
    assert!(cart.body.contains("line-flag"), "{}", cart.body);
}

async fn a_changed_price_is_shown_before_it_is_charged(s: &TestStore) {
    let v = variant_in_stock(s, 1).await;
    let mut b = Shopper::new(s, "de").await;
    let review = ready_to_place(&mut b, v.id, "1").await;
    let total = attr_near(&review.body, r#"name="total""#, "value").expect("place form");
    variant::Entity::update_many()
        .col_expr(
            variant::Column::PriceMinor,
            Expr::value(v.price_minor + 500),
        )
        .filter(variant::Column::Id.eq(v.id))
        .exec(&s.db)
        .await
        .expect("reprice");
    let to = b
        .submit("/de/checkout/place", &[("total", total.as_str())])
        .await;
    assert_eq!(to, "/de/checkout/review?error=price-changed");
    let page = b.get(&to).await;
    let new_total = attr_near(&page.body, r#"name="total""#, "value").expect("place form");
    assert_ne!(new_total, total, "the review shows the new total");
    assert!(page.body.contains("Preise"), "{}", page.body);
    assert_eq!(shop_order::Entity::find().count(&s.db).await.expect("n"), 0);
    let to = b
        .submit("/de/checkout/place", &[("total", new_total.as_str())])
        .await;
    assert!(to.starts_with("/de/orders/"), "{to}");
}

async fn changing_country_reprices_the_cart(s: &TestStore) {
    let v = variant_in_stock(s, 1).await;
    let mut b = Shopper::new(s, "en").await;
    b.add(v.id, "1").await;
    let page = b.get("/en/cart").await;
    assert!(page.body.contains('$'), "{}", page.body);
    b.submit("/en/country", &[("country", "JP"), ("return", "/en/cart")])
        .await;
    let page = b.get("/en/cart").await;
    assert!(page.body.contains("priced in JPY"), "{}", page.body);
    assert!(page.body.contains('¥'));
    // Said once.
    let page = b.get("/en/cart").await;
    assert!(!page.body.contains("priced in JPY"));
}

async fn cash_on_delivery_to_the_emirates(s: &TestStore) {
    let v = variant_in_stock(s, 1).await;
    let mut b = Shopper::in_country(s, "ar", "AE").await;
    b.add(v.id, "1").await;
    let form = [
        ("email", "fatima@example.ae"),
        ("name", "فاطمة الزهراء"),
        ("line1", "شارع الشيخ زايد ١"),
        ("city", "دبي"),
        ("region", "DU"),
        ("country", "AE"),
        ("phone", "050 123 4567"),
        ("shipping", "standard"),
        ("payment", "cash_on_delivery"),
    ];
    assert_eq!(b.submit("/ar/checkout", &form).await, "/ar/checkout/review");
    let review = b.get("/ar/checkout/review").await;
    assert!(review.body.contains(r#"dir="rtl""#));
    let total = attr_near(&review.body, r#"name="total""#, "value").expect("place form");
    let to = b
        .submit("/ar/checkout/place", &[("total", total.as_str())])
        .await;
    assert!(to.starts_with("/ar/orders/"), "{to}");
    let order = shop_order::Entity::find()
        .one(&s.db)
        .await
        .expect("order")
        .expect("placed");
    assert_eq!(order.payment_method, "cash_on_delivery");
    assert_eq!(order.fee_minor, 1500, "the COD fee");
    assert_eq!(order.currency, "AED");
    assert_eq!(order.country, "AE");
    assert!(
        order.address.contains("شارع الشيخ زايد"),
        "any script is kept"
    );
    assert!(order.address.contains("+971501234567"), "{}", order.address);
    let mail = email_outbox::Entity::find()
        .one(&s.db)
        .await
        .expect("mail")
        .expect("queued");
    assert!(mail.html_body.contains(r#"dir="rtl""#));
}

async fn cancelling_gives_the_stock_back(s: &TestStore) {
    let v = variant_in_stock(s, 2).await;
    let before = reserved(s, v.id).await;
    let mut b = Shopper::new(s, "de").await;
    let review = ready_to_place(&mut b, v.id, "2").await;
    let total = attr_near(&review.body, r#"name="total""#, "value").expect("place form");
    b.submit("/de/checkout/place", &[("total", total.as_str())])
        .await;
    assert_eq!(reserved(s, v.id).await, before + 2);
    let order = shop_order::Entity::find()
        .one(&s.db)
        .await
        .expect("order")
        .expect("placed");
    let checkout = &s.state.app.checkout;
    use tradewind_domain::checkout::OrderStatus;
    let refused = checkout
        .transition(&order.number, OrderStatus::Fulfilled, "staff:ana", "")
        .await;
    assert!(refused.is_err(), "unpaid orders do not ship");
    checkout
        .transition(
            &order.number,
            OrderStatus::Cancelled,
            "staff:ana",
            "asked by phone",
        )
        .await
        .expect("cancel");
    assert_eq!(reserved(s, v.id).await, before);
    let again = checkout
        .transition(&order.number, OrderStatus::Paid, "staff:ana", "")
        .await;
    assert!(again.is_err(), "a cancelled order stays cancelled");
    let events = order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(order.id))
        .all(&s.db)
        .await
        .expect("events");
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].actor, "staff:ana");
    assert_eq!(events[1].from_status.as_deref(), Some("pending_payment"));
}

async fn sales_tax_follows_the_state(s: &TestStore) {
    let v = variant_in_stock(s, 1).await;
    let mut b = Shopper::in_country(s, "en", "US").await;
    b.add(v.id, "1").await;
    let california = [
        ("email", "ada@example.com"),
        ("name", "Ada Lovelace"),
        ("line1", "1 Market St"),
        ("city", "San Francisco"),
        ("region", "CA"),
        ("postcode", "94103"),
        ("country", "US"),
        ("phone", "(415) 555-0100"),
        ("shipping", "standard"),
        ("payment", "bank_transfer"),
    ];
    assert_eq!(
        b.submit("/en/checkout", &california).await,
        "/en/checkout/review"
    );
    let review = b.get("/en/checkout/review").await;
    assert!(review.body.contains("Tax 7.25%"), "{}", review.body);
    // Oregon has no sales tax.
    let mut oregon = california.to_vec();
    oregon.retain(|(k, _)| *k != "region" && *k != "postcode");
    oregon.push(("region", "OR"));
    oregon.push(("postcode", "97201"));
    assert_eq!(
        b.submit("/en/checkout", &oregon).await,
        "/en/checkout/review"
    );
    let review = b.get("/en/checkout/review").await;
    assert!(!review.body.contains("Tax "), "{}", review.body);
    assert_eq!(
        b.submit("/en/checkout", &california).await,
        "/en/checkout/review"
    );
    let review = b.get("/en/checkout/review").await;
    let total = attr_near(&review.body, r#"name="total""#, "value").expect("place form");
    b.submit("/en/checkout/place", &[("total", total.as_str())])
        .await;
    let order = shop_order::Entity::find()
        .one(&s.db)
        .await
        .expect("order")
        .expect("placed");
    // Tax on the goods only; the delivery charge is not taxed.
    let expected = (order.subtotal_minor * 725 + 5_000) / 10_000;
    assert_eq!(order.tax_minor, expected);
    // No de minimis any more: the goods, from China, pay duty, collected at checkout.
    assert!(order.duty_minor > 0, "{}", order.breakdown);
    assert_eq!(
        order.total_minor,
        order.subtotal_minor + order.shipping_minor + order.tax_minor + order.duty_minor
    );
}

async fn discount_codes_apply_or_say_why_not(s: &TestStore) {
    let v = variant_in_stock(s, 2).await;
    let mut b = Shopper::new(s, "de").await;
    ready_to_place(&mut b, v.id, "2").await;
    let with_code = |code: &'static str| {
        let mut form = BERLIN.to_vec();
        form.push(("code", code));
        form
    };
    for (code, message) in [("NOPE", "code-unknown"), ("SUMMER25", "code-expired")] {
        assert_eq!(
            b.submit("/de/checkout", &with_code(code)).await,
            "/de/checkout"
        );
        let page = b.get("/de/checkout").await;
        assert!(
            page.body.contains(&format!(r#"value="{code}""#)),
            "the code is kept"
        );
        assert!(page.body.contains("field-code"), "{message}");
        assert!(page.body.contains("error-code"), "{message}: {}", page.body);
    }
    let before = b.get("/de/checkout/review").await;
    assert!(
        !before.body.contains("checkout/place"),
        "no order with a bad code"
    );
    assert_eq!(
        b.submit("/de/checkout", &with_code("welcome10")).await,
        "/de/checkout/review"
    );
    let review = b.get("/de/checkout/review").await;
    assert!(review.body.contains("WELCOME10"), "{}", review.body);
    let total = attr_near(&review.body, r#"name="total""#, "value").expect("place form");
    b.submit("/de/checkout/place", &[("total", total.as_str())])
        .await;
    let order = shop_order::Entity::find()
        .one(&s.db)
        .await
        .expect("order")
        .expect("placed");
    let goods = order.subtotal_minor;
    assert_eq!(order.discount_minor, (goods * 1000 + 5_000) / 10_000);
    assert_eq!(
        order.total_minor,
        goods - order.discount_minor + order.shipping_minor
    );
    // Once per email: the same shopper cannot use it again.
    let mut again = Shopper::new(s, "de").await;
    again.add(v.id, "1").await;
    assert_eq!(
        again.submit("/de/checkout", &with_code("WELCOME10")).await,
        "/de/checkout"
    );
    let page = again.get("/de/checkout").await;
    assert!(page.body.contains("error-code"), "{}", page.body);
}

/// A tariff change made with `tradewind duty` shows on the next review; a refused change
/// writes nothing.
async fn duties_change_from_the_command_line(s: &TestStore) {
    use tradewind_domain::checkout::duty::{RuleChange, set_duty_rate, set_import_rule};
    let v = variant_in_stock(s, 1).await;
    let mut b = Shopper::in_country(s, "en", "GB").await;
    b.add(v.id, "1").await;
    let london = [
        ("email", "ada@example.co.uk"),
        ("name", "Ada Lovelace"),
        ("line1", "10 Downing Street"),
        ("city", "London"),
        ("postcode", "SW1A 2AA"),
        ("country", "GB"),
        ("phone", "020 7946 0000"),
        ("shipping", "standard"),
        ("payment", "bank_transfer"),
    ];
    assert_eq!(
        b.submit("/en/checkout", &london).await,
        "/en/checkout/review"
    );
    let review = b.get("/en/checkout/review").await;
    assert!(!review.body.contains("Import duties"), "below £135");
    assert!(
        review.body.contains("Import VAT is included"),
        "{}",
        review.body
    );
    let refused = RuleChange {
        de_minimis: Some("none".into()),
        duty_mode: Some("maybe".into()),
        ..Default::default()
    };
    assert!(set_import_rule(&s.db, "UK", refused).await.is_err());
    assert!(set_duty_rate(&s.db, "UK", "*", None, "-3").await.is_err());
    let review = b.get("/en/checkout/review").await;
    assert!(
        !review.body.contains("Import duties"),
        "nothing was changed"
    );
    let every_parcel = RuleChange {
        de_minimis: Some("none".into()),
        ..Default::default()
    };
    set_import_rule(&s.db, "uk", every_parcel)
        .await
        .expect("rule");
    set_duty_rate(&s.db, "UK", "*", Some("cn"), "10")
        .await
        .expect("rate");
    let review = b.get("/en/checkout/review").await;
    assert!(review.body.contains("Import duties"), "{}", review.body);
}

/// FREESHIP frees the cheapest service; express keeps its price.
async fn free_shipping_frees_the_cheapest_service(s: &TestStore) {
    let v = variant_in_stock(s, 4).await;
    for (service, free) in [("express", false), ("standard", true)] {
        let mut b = Shopper::new(s, "de").await;
        assert_eq!(b.add(v.id, "2").await, "/de/cart?error=added");
        let mut form = BERLIN.to_vec();
        form.retain(|(k, _)| *k != "shipping");
        form.extend([("shipping", service), ("code", "FREESHIP")]);
        assert_eq!(b.submit("/de/checkout", &form).await, "/de/checkout/review");
        let review = b.get("/de/checkout/review").await;
        let total = attr_near(&review.body, r#"name="total""#, "value").expect("place form");
        b.submit("/de/checkout/place", &[("total", total.as_str())])
            .await;
        let order = shop_order::Entity::find()
            .filter(shop_order::Column::ShippingCode.eq(service))
            .one(&s.db)
            .await
            .expect("order")
            .expect("placed");
        assert!(order.subtotal_minor >= 3000, "FREESHIP's minimum is met");
        assert_eq!(order.shipping_minor == 0, free, "{service}");
    }
}

async fn parcels_above_150_euros_pay_duties(s: &TestStore) {
    // Porcelain (HS 6911, 12 % duty into the EU): enough of it to pass 150 € before VAT.
    let porcelain: Vec<variant::Model> = variant::Entity::find()
        .filter(variant::Column::HsCode.starts_with("6911"))
        .all(&s.db)
        .await
        .expect("variants");
    let mut b = Shopper::new(s, "fr").await;
    let mut lines = 0;
    for v in &porcelain {
        let free: i32 = stock_level::Entity::find()
            .filter(stock_level::Column::VariantId.eq(v.id))
            .all(&s.db)
            .await
            .expect("stock")
            .iter()
            .map(|l| l.on_hand - l.reserved)
            .sum();
        let active = product::Entity::find_by_id(v.product_id)
            .one(&s.db)
            .await
            .expect("product")
            .is_some_and(|p| p.status == "active");
        if free >= 2 && active {
            b.add(v.id, "2").await;
            lines += 1;
        }
        if lines == 5 {
            break;
        }
    }
    let paris = [
        ("email", "chloe@example.fr"),
        ("name", "Chloé Martin"),
        ("line1", "12 rue de Rivoli"),
        ("city", "Paris"),
        ("postcode", "75001"),
        ("country", "FR"),
        ("phone", "01 23 45 67 89"),
        ("shipping", "standard"),
        ("payment", "bank_transfer"),
    ];
    assert_eq!(
        b.submit("/fr/checkout", &paris).await,
        "/fr/checkout/review"
    );
    let review = b.get("/fr/checkout/review").await;
    let total = attr_near(&review.body, r#"name="total""#, "value").expect("place form");
    b.submit("/fr/checkout/place", &[("total", total.as_str())])
        .await;
    let order = shop_order::Entity::find()
        .one(&s.db)
        .await
        .expect("order")
        .expect("placed");
    assert!(order.duty_minor > 0, "duties collected: {}", review.body);
    assert!(order.breakdown.contains("above_de_minimis\":true"));
    assert_eq!(
        order.total_minor,
        order.subtotal_minor + order.shipping_minor + order.duty_minor
    );

    // One small item stays under 150 €: no duty, import VAT paid under the shop's IOSS number.
    let v = variant_in_stock(s, 1).await;
    let mut small = Shopper::new(s, "fr").await;
    small.add(v.id, "1").await;
    assert_eq!(
        small.submit("/fr/checkout", &paris).await,
        "/fr/checkout/review"
    );
    let review = small.get("/fr/checkout/review").await;
    assert!(
        review.body.contains("class=\"notice landed\""),
        "{}",
        review.body
    );
    let total = attr_near(&review.body, r#"name="total""#, "value").expect("place form");
    small
        .submit("/fr/checkout/place", &[("total", total.as_str())])
        .await;
    let order = shop_order::Entity::find()
        .order_by_desc(shop_order::Column::Id)
        .one(&s.db)
        .await
        .expect("order")
        .expect("placed");
    assert_eq!(order.duty_minor, 0);
    assert!(
        order.breakdown.contains("IM2760000001"),
        "{}",
        order.breakdown
    );
}

on_both_backends!(
    a_guest_buys_with_a_bank_transfer,
    bad_cart_input_gets_a_message,
    a_tampered_cart_cookie_is_no_cart,
    the_form_keeps_what_was_typed_and_says_what_is_wrong,
    a_changed_price_is_shown_before_it_is_charged,
    changing_country_reprices_the_cart,
    cash_on_delivery_to_the_emirates,
    cancelling_gives_the_stock_back,
    order_email_reaches_an_smtp_server,
    sales_tax_follows_the_state,
    discount_codes_apply_or_say_why_not,
    free_shipping_frees_the_cheapest_service,
    duties_change_from_the_command_line,
    parcels_above_150_euros_pay_duties,
);

/// A thousand buyers, each with a cart holding the same variant, place their orders at once
/// for the ten units there are: exactly ten orders, the rest are told it sold out, and no
/// stock goes negative.
async fn a_thousand_buyers_race_for_ten_units(s: &TestStore) {
    const BUYERS: usize = 1000;
    let v = variant_in_stock(s, 1).await;
    stock_level::Entity::update_many()
        .col_expr(stock_level::Column::OnHand, Expr::value(0))
        .col_expr(stock_level::Column::Reserved, Expr::value(0))
        .filter(stock_level::Column::VariantId.eq(v.id))
        .exec(&s.db)
        .await
        .expect("empty the shelves");
    stock_level::Entity::update_many()
        .col_expr(stock_level::Column::OnHand, Expr::value(10))
        .filter(stock_level::Column::VariantId.eq(v.id))
        .filter(stock_level::Column::WarehouseId.eq(1))
        .exec(&s.db)
        .await
        .expect("ten units");
    let checkout: Checkout = s.state.app.checkout.clone();
    let market = s.market("EU");
    let draft = Draft {
        submitted: true,
        ..BERLIN.iter().fold(Draft::default(), |d, (k, v)| {
            let v = (*v).to_owned();
            match *k {
                "email" => Draft { email: v, ..d },
                "name" => Draft { name: v, ..d },
                "line1" => Draft { line1: v, ..d },
                "city" => Draft { city: v, ..d },
                "postcode" => Draft { postcode: v, ..d },
                "country" => Draft { country: v, ..d },
                "phone" => Draft { phone: v, ..d },
                "shipping" => Draft { shipping: v, ..d },
                _ => Draft { payment: v, ..d },
            }
        })
    };
    let first = checkout.create_cart(&market).await.expect("cart");
    checkout
        .add_line(&first, &market, "DE", v.id, 1)
        .await
        .expect("line");
    let cart_row = checkout
        .open_cart(&first)
        .await
        .expect("read")
        .expect("open");
    let page = checkout
        .save_draft(&cart_row, draft.clone(), Locale::De, &market, "DE")
        .await
        .expect("draft");
    let total = page.totals.expect("a ready checkout").total;
    let cart_row = checkout
        .open_cart(&first)
        .await
        .expect("read")
        .expect("open");
    let template = cart_line::Entity::find()
        .one(&s.db)
        .await
        .expect("line")
        .expect("one line");
    // The other 999 carts, as copies of the first, in two statements.
    let now = chrono::Utc::now();
    let ids: Vec<String> = (1..BUYERS).map(|i| format!("race-{i:04}")).collect();
    for chunk in ids.chunks(200) {
        cart::Entity::insert_many(chunk.iter().map(|id| cart::ActiveModel {
            id: sea_orm::Set(id.clone()),
            market_id: sea_orm::Set(market.id),
            draft: sea_orm::Set(cart_row.draft.clone()),
            order_id: sea_orm::Set(None),
            created_at: sea_orm::Set(now),
            updated_at: sea_orm::Set(now),
            expires_at: sea_orm::Set(cart_row.expires_at),
        }))
        .exec(&s.db)
        .await
        .expect("carts");
        cart_line::Entity::insert_many(chunk.iter().map(|id| cart_line::ActiveModel {
            cart_id: sea_orm::Set(id.clone()),
            ..cart_line::ActiveModel::from(template.clone())
        }))
        .exec(&s.db)
        .await
        .expect("lines");
    }
    let mut buyers = tokio::task::JoinSet::new();
    for id in std::iter::once(first).chain(ids) {
        let checkout = checkout.clone();
        let market = market.clone();
        buyers.spawn(async move {
            checkout
                .place_order(&id, Locale::De, &market, "DE", Some(total))
                .await
        });
    }
    let (mut placed, mut sold_out) = (0, 0);
    while let Some(done) = buyers.join_next().await {
        match done.expect("no panic") {
            Ok(_) => placed += 1,
            Err(CheckoutError::SoldOut { .. }) => sold_out += 1,
            Err(e) => panic!("a buyer got {e} instead of an order or sold out"),
        }
    }
    assert_eq!((placed, sold_out), (10, BUYERS - 10));
    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.eq(v.id))
        .all(&s.db)
        .await
        .expect("stock");
    for l in &levels {
        assert!(l.reserved <= l.on_hand && l.reserved >= 0, "{l:?}");
    }
    assert_eq!(levels.iter().map(|l| l.reserved).sum::<i32>(), 10);
    assert_eq!(
        shop_order::Entity::find().count(&s.db).await.expect("n"),
        10
    );
}

mod race {
    use tradewind_tests::{Backend, TestStore};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        if let Some(s) = TestStore::new(Backend::Sqlite).await {
            super::a_thousand_buyers_race_for_ten_units(&s).await;
            s.finish().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(s) = TestStore::new(Backend::Postgres).await {
            super::a_thousand_buyers_race_for_ten_units(&s).await;
            s.finish().await;
        }
    }
}

/// The SMTP server email is tested against (`scripts/smtp-sink.py`, PyPI aiosmtpd): it
/// keeps each message as a file, decoded beside it as JSON.
struct Sink {
    peer: ScriptPeer,
    dir: std::path::PathBuf,
}

impl Sink {
    fn start() -> Self {
        static SINKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SINKS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("tradewind-mail-{}-{n}", std::process::id()));
        // Dropping the sink stops (and waits for) the process, however the test ends.
        let peer = ScriptPeer::python("smtp-sink.py", &[dir.clone().into()], "aiosmtpd");
        Self { peer, dir }
    }

    /// The decoded messages received so far.
    fn messages(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        files
            .iter()
            .map(|p| {
                serde_json::from_str(&std::fs::read_to_string(p).expect("read"))
                    .expect("decoded message")
            })
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn order_email_reaches_an_smtp_server(s: &TestStore) {
    use tradewind_server::config::MailConfig;
    use tradewind_server::jobs::outbox::{Mailer, send_due};
    let sink = Sink::start();
    let v = variant_in_stock(s, 1).await;
    let mut b = Shopper::in_country(s, "ja", "JP").await;
    b.add(v.id, "1").await;
    let form = [
        ("email", "mai@example.jp"),
        ("name", "山田 舞"),
        ("line1", "丸の内1-1"),
        ("city", "千代田区"),
        ("region", "東京都"),
        ("postcode", "〒100-0005"),
        ("country", "JP"),
        ("phone", "090-1234-5678"),
        ("shipping", "standard"),
        ("payment", "bank_transfer"),
    ];
    assert_eq!(b.submit("/ja/checkout", &form).await, "/ja/checkout/review");
    let review = b.get("/ja/checkout/review").await;
    let total = attr_near(&review.body, r#"name="total""#, "value").expect("place form");
    let link = b
        .submit("/ja/checkout/place", &[("total", total.as_str())])
        .await;
    let order = shop_order::Entity::find()
        .one(&s.db)
        .await
        .expect("order")
        .expect("placed");
    let mailer = Mailer::from_config(&MailConfig {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: Some(sink.peer.port),
        smtp_tls: "none".into(),
        mail_from: "Tradewind <orders@shop.example.com>".into(),
        ..MailConfig::default()
    })
    .expect("settings")
    .expect("a mailer");
    assert_eq!(send_due(&s.db, &mailer).await, 1);
    // Sent once: the next pass finds nothing to send.
    assert_eq!(send_due(&s.db, &mailer).await, 0);
    let mut messages = sink.messages();
    for _ in 0..50 {
        if !messages.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        messages = sink.messages();
    }
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m["to"][0], "mai@example.jp");
    let subject = m["subject"].as_str().unwrap_or_default();
    assert!(
        subject.contains(&order.number) && subject.contains("ご注文"),
        "{subject}"
    );
    let text = m["text"].as_str().unwrap_or_default();
    assert!(text.contains(&format!("{PUBLIC_URL}{link}")), "{text}");
    assert!(text.contains('￥') || text.contains('¥'), "yen: {text}");
    assert!(
        text.contains(&format!("{}", order.total_minor))
            || text.contains(&group(order.total_minor)),
        "{text}"
    );
    let html = m["html"].as_str().unwrap_or_default();
    assert!(html.contains(r#"lang="ja""#), "{html}");
    let sent = email_outbox::Entity::find()
        .one(&s.db)
        .await
        .expect("outbox")
        .expect("a message");
    assert!(sent.sent_at.is_some());
}

/// 12345 as Japan writes it: 12,345.
fn group(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

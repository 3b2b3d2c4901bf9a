//! Paying through PayPal, without JavaScript: a store whose PayPal is Prism mocking PayPal's
//! own OpenAPI files (every request the store sends is checked against them), an order
//! placed through the checkout forms, the shopper's step at PayPal (approve or cancel), the
//! return and the capture, PayPal's webhook, and refunds. SQLite and PostgreSQL.

use http::StatusCode;
use serde_json::{Value, json};
use tradewind_domain::Locale;
use tradewind_domain::entity::shop_order;
use tradewind_domain::i18n::t;
use tradewind_tests::paypal_peer::PaypalPeer;
use tradewind_tests::shopper::{
    BERLIN, Shopper, TOKYO, cancelled_and_released, expire_payments, paid_once, payment_of,
    place_order, refund_in_two, reload, variant_in_stock,
};
use tradewind_tests::{PUBLIC_URL, TestStore, attr_near, on_both_backends_with_paypal};

/// An order placed to pay with PayPal by a shopper at `address`: the order, the browser,
/// where placing it sent them (PayPal's page), and the PayPal order.
async fn paypal_order<'a>(
    s: &'a TestStore,
    locale: &str,
    address: &[(&str, &str)],
) -> (shop_order::Model, Shopper<'a>, String, String) {
    let placed = place_order(s, locale, address, "paypal").await;
    // PayPal is offered to every browser: it needs no JavaScript.
    let choice =
        attr_near(&placed.checkout.body, r#"value="paypal""#, "id").expect("a PayPal choice");
    assert_eq!(choice, "pay-paypal");
    // Placing the order ends at PayPal: the CSP lets the form go there.
    let peer = PaypalPeer::shared();
    let csp = placed.review.header("content-security-policy");
    let form_action = csp
        .split(';')
        .find(|d| d.trim().starts_with("form-action"))
        .unwrap_or_default();
    assert!(form_action.contains(&peer.base()), "form-action in {csp}");
    assert!(
        placed
            .location
            .starts_with(&format!("{}/checkoutnow?token=", peer.base())),
        "{}",
        placed.location
    );
    let pp = payment_of(s, &placed.order)
        .await
        .provider_ref
        .expect("the PayPal order");
    (placed.order, placed.browser, placed.location, pp)
}

/// The path of an address on the store, as the browser follows it.
fn on_store(url: &str) -> String {
    url.strip_prefix(PUBLIC_URL)
        .unwrap_or_else(|| panic!("{url} is not the store's"))
        .to_owned()
}

async fn no_violations() {
    let found = PaypalPeer::shared().violations().await;
    assert!(
        found.is_empty(),
        "requests against PayPal's spec: {found:?}"
    );
}

async fn paypal_pays_once_without_javascript_and_refunds_go_through_it(s: &TestStore) {
    let peer = PaypalPeer::shared();
    let (order, mut b, to_paypal, pp) = paypal_order(s, "de", &BERLIN).await;
    // The PayPal order: the total in euros with its breakdown, linked to the store's order.
    let held = peer.order(&pp).await;
    let unit = &held["request"]["purchase_units"][0];
    assert_eq!(unit["custom_id"], order.number.as_str());
    assert_eq!(unit["amount"]["currency_code"], "EUR");
    let total = tradewind_domain::Money::new(order.total_minor, tradewind_domain::Currency::Eur);
    assert_eq!(unit["amount"]["value"], total.decimal().as_str());
    assert!(
        unit["amount"]["breakdown"]["item_total"].is_object(),
        "{unit}"
    );
    assert_eq!(
        held["request"]["payment_source"]["paypal"]["experience_context"]["locale"],
        "de-DE"
    );

    // Approved at PayPal, back to the store: captured, paid, once however often reloaded.
    let back = peer.decide(&to_paypal, true).await;
    let page = format!("/de/orders/{}", order.token);
    assert_eq!(b.get(&on_store(&back)).await.header("location"), page);
    paid_once(s, &order).await;
    assert_eq!(b.get(&on_store(&back)).await.header("location"), page);
    paid_once(s, &order).await;
    assert_eq!(peer.order(&pp).await["status"], "COMPLETED");
    let shown = b.get(&page).await;
    assert!(
        !shown.body.contains("/paypal\""),
        "a paid order has no PayPal button"
    );

    // Refunds through PayPal, part then the rest; more than is left is refused.
    refund_in_two(s, &order).await;
    assert_eq!(peer.order(&pp).await["refunded"], order.total_minor);
    no_violations().await;
}

async fn a_shopper_who_cancels_at_paypal_pays_later_in_yen(s: &TestStore) {
    let peer = PaypalPeer::shared();
    let (order, mut b, to_paypal, pp) = paypal_order(s, "ja", &TOKYO).await;
    assert_eq!(order.currency, "JPY");
    // Yen without decimals, for the store and for PayPal.
    let amount = &peer.order(&pp).await["request"]["purchase_units"][0]["amount"];
    assert_eq!(amount["value"], order.total_minor.to_string().as_str());

    // Cancelled at PayPal: back on the order's page, which says so and offers PayPal again.
    let back = peer.decide(&to_paypal, false).await;
    let page = b.get(&on_store(&back)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&t(Locale::Ja, "paypal-error-cancelled")));
    assert_eq!(reload(s, &order).await.status, "pending_payment");
    let again = b
        .submit(&format!("/ja/orders/{}/paypal", order.token), &[])
        .await;
    // The same PayPal order, not a second one.
    assert_eq!(again, to_paypal);
    // Coming back without approving captures nothing.
    let skipped = b.get(&format!("/ja/orders/{}/paypal", order.token)).await;
    assert!(skipped.header("location").ends_with("?paypal=cancelled"));
    assert_eq!(reload(s, &order).await.status, "pending_payment");

    let back = peer.decide(&again, true).await;
    b.get(&on_store(&back)).await;
    paid_once(s, &order).await;

    // A forged button pays nothing and says the form expired.
    let forged = s
        .post(
            &format!("/ja/orders/{}/paypal", order.token),
            &[("cookie", &b.cookie_header()), ("origin", PUBLIC_URL)],
            "csrf=forged",
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    no_violations().await;
}

/// A webhook delivery as PayPal makes it: signed by the peer, posted to the store.
async fn deliver(
    s: &TestStore,
    event: &Value,
    headers: &[(String, String)],
) -> (StatusCode, String) {
    let mut all: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.push(("content-type", "application/json"));
    let page = s.post("/webhooks/paypal", &all, &event.to_string()).await;
    (page.status, page.body)
}

async fn the_webhook_pays_an_order_whose_shopper_closed_the_tab(s: &TestStore) {
    let peer = PaypalPeer::shared();
    let (order, mut b, to_paypal, pp) = paypal_order(s, "de", &BERLIN).await;
    let back = peer.decide(&to_paypal, true).await;
    let approved = json!({
        "id": format!("WH-APPROVED-{pp}"),
        "event_version": "1.0",
        "resource_type": "checkout-order",
        "event_type": "CHECKOUT.ORDER.APPROVED",
        "resource": { "id": pp, "status": "APPROVED", "intent": "CAPTURE" },
    });

    // Not PayPal's: refused, nothing happens. A certificate from elsewhere is refused
    // without asking PayPal.
    for (header, forged) in [
        ("paypal-transmission-sig", "Zm9yZ2Vk"),
        ("paypal-cert-url", "https://evil.example/cert"),
    ] {
        let mut headers = peer.sign(&approved).await;
        for (k, v) in &mut headers {
            if k == header {
                *v = forged.into();
            }
        }
        assert_eq!(
            deliver(s, &approved, &headers).await.0,
            StatusCode::BAD_REQUEST,
            "{header}"
        );
    }
    assert_eq!(deliver(s, &approved, &[]).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(reload(s, &order).await.status, "pending_payment");

    // PayPal's own: the store captures; the same event again changes nothing.
    let signed = peer.sign(&approved).await;
    assert_eq!(
        deliver(s, &approved, &signed).await,
        (StatusCode::OK, "ignored".into())
    );
    paid_once(s, &order).await;
    assert_eq!(
        deliver(s, &approved, &signed).await,
        (StatusCode::OK, "duplicate".into())
    );
    // The capture's own event, then the shopper's late return: still paid once.
    let capture = peer.order(&pp).await["purchase_units"][0]["payments"]["captures"][0].clone();
    let completed = json!({
        "id": format!("WH-COMPLETED-{pp}"),
        "event_version": "1.0",
        "resource_type": "capture",
        "event_type": "PAYMENT.CAPTURE.COMPLETED",
        "resource": {
            "id": capture["id"],
            "status": "COMPLETED",
            "amount": capture["amount"],
            "supplementary_data": { "related_ids": { "order_id": pp } },
        },
    });
    let signed = peer.sign(&completed).await;
    assert_eq!(deliver(s, &completed, &signed).await.0, StatusCode::OK);
    b.get(&on_store(&back)).await;
    paid_once(s, &order).await;

    // Events the store does not act on are acknowledged.
    let other = json!({
        "id": format!("WH-OTHER-{pp}"),
        "event_type": "CUSTOMER.DISPUTE.CREATED",
        "resource": { "dispute_id": "PP-D-1" },
    });
    let signed = peer.sign(&other).await;
    assert_eq!(
        deliver(s, &other, &signed).await,
        (StatusCode::OK, "ignored".into())
    );
    no_violations().await;
}

async fn payments_left_pending_are_settled_with_paypal(s: &TestStore) {
    let peer = PaypalPeer::shared();
    // One shopper leaves at PayPal's page; another approves and closes the tab before the
    // store hears of it (and no webhook comes).
    let (left, _, _, _) = paypal_order(s, "de", &BERLIN).await;
    let (approved, _, to_paypal, _) = paypal_order(s, "de", &BERLIN).await;
    peer.decide(&to_paypal, true).await;
    expire_payments(s, &[&left, &approved]).await;
    let checkout = &s.state.app.checkout;
    // Releasing unpaid orders leaves payments that reached PayPal alone: PayPal is asked.
    assert_eq!(checkout.release_unpaid().await.expect("release"), 0);
    let changed = checkout
        .sweep_paypal_payments(chrono::Utc::now())
        .await
        .expect("sweep");
    assert_eq!(changed, 2);
    paid_once(s, &approved).await;
    cancelled_and_released(s, &left).await;
    assert_eq!(
        checkout
            .sweep_paypal_payments(chrono::Utc::now())
            .await
            .expect("sweep"),
        0
    );
    no_violations().await;
}

async fn paypal_is_offered_only_where_it_takes_the_currency(s: &TestStore) {
    // Rupiah: PayPal does not take them.
    let v = variant_in_stock(s, 1).await;
    let mut b = Shopper::in_country(s, "id", "ID").await;
    b.add(v.id, "1").await;
    let checkout = b.get("/id/checkout").await;
    assert_eq!(checkout.status, StatusCode::OK);
    assert!(!checkout.body.contains(r#"value="paypal""#));
    // Chosen anyway (a forged form): refused at the payment field.
    let mut form: Vec<_> = vec![
        ("email", "budi@example.id"),
        ("name", "Budi Santoso"),
        ("line1", "Jl. Thamrin 1"),
        ("city", "Jakarta"),
        ("region", "DKI Jakarta"),
        ("postcode", "10350"),
        ("country", "ID"),
        ("phone", "0812-3456-7890"),
    ];
    form.extend([("shipping", "standard"), ("payment", "paypal")]);
    assert_eq!(b.submit("/id/checkout", &form).await, "/id/checkout");
}

on_both_backends_with_paypal!(
    paypal_pays_once_without_javascript_and_refunds_go_through_it,
    a_shopper_who_cancels_at_paypal_pays_later_in_yen,
    the_webhook_pays_an_order_whose_shopper_closed_the_tab,
    payments_left_pending_are_settled_with_paypal,
    paypal_is_offered_only_where_it_takes_the_currency,
);

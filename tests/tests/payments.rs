//! Stripe's webhooks through the router: only requests signed with the store's secret within
//! the tolerance are read; each event has its effect once however often it comes; events
//! out of order leave the order right. SQLite and PostgreSQL.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tradewind_domain::checkout::OrderStatus;
use tradewind_domain::checkout::address::Draft;
use tradewind_domain::entity::{
    email_outbox, order_event, payment, reservation, shop_order, stock_level, variant,
};
use tradewind_domain::payments::stripe::signature::sign;
use tradewind_domain::{Currency, Locale, Money};
use tradewind_tests::stripe_peer::{deliver, signed};
use tradewind_tests::{STRIPE_WEBHOOK_SECRET, TestStore, on_both_backends};

/// An order paid by card, as the Stripe checkout leaves it: pending, its stock reserved, its
/// payment waiting for the PaymentIntent `reference`.
async fn card_order(s: &TestStore, reference: &str) -> shop_order::Model {
    let checkout = s.state.app.checkout.clone();
    let market = s.market("EU");
    let v = variant::Entity::find()
        .one(&s.db)
        .await
        .expect("variant")
        .expect("a variant");
    stock_level::Entity::update_many()
        .col_expr(stock_level::Column::OnHand, Expr::value(50))
        .filter(stock_level::Column::VariantId.eq(v.id))
        .exec(&s.db)
        .await
        .expect("stock");
    let cart = checkout.create_cart(&market).await.expect("cart");
    checkout
        .add_line(&cart, &market, "DE", v.id, 1)
        .await
        .expect("line");
    let draft = Draft {
        email: "max@example.de".into(),
        name: "Max Müller".into(),
        line1: "Hauptstraße 1".into(),
        city: "Berlin".into(),
        postcode: "10115".into(),
        country: "DE".into(),
        phone: "030 1234567".into(),
        shipping: "standard".into(),
        payment: "bank_transfer".into(),
        submitted: true,
        ..Draft::default()
    };
    let row = checkout
        .open_cart(&cart)
        .await
        .expect("read")
        .expect("open");
    let page = checkout
        .save_draft(&row, draft, Locale::De, &market, "DE")
        .await
        .expect("draft");
    let total = page.totals.expect("ready").total;
    let placed = checkout
        .place_order(&cart, Locale::De, &market, "DE", Some(total))
        .await
        .expect("placed");
    let order = shop_order::Entity::find()
        .filter(shop_order::Column::Number.eq(&placed.number))
        .one(&s.db)
        .await
        .expect("order")
        .expect("placed");
    payment::Entity::update_many()
        .col_expr(payment::Column::Method, Expr::value("card"))
        .col_expr(payment::Column::Provider, Expr::value("stripe"))
        .col_expr(payment::Column::ProviderRef, Expr::value(reference))
        .filter(payment::Column::OrderId.eq(order.id))
        .exec(&s.db)
        .await
        .expect("card payment");
    order
}

fn event(id: &str, kind: &str, reference: &str, order: &shop_order::Model) -> String {
    let amount = order.total_minor;
    format!(
        r#"{{"id":"{id}","object":"event","type":"{kind}","data":{{"object":{{"id":"{reference}","object":"payment_intent","amount":{amount},"amount_received":{amount},"currency":"{}","metadata":{{"order":"{}"}},"last_payment_error":{{"code":"card_declined","message":"Your card was declined."}}}}}}}}"#,
        order.currency.to_ascii_lowercase(),
        order.number
    )
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn status(s: &TestStore, id: i32) -> String {
    shop_order::Entity::find_by_id(id)
        .one(&s.db)
        .await
        .expect("order")
        .expect("exists")
        .status
}

async fn payment_status(s: &TestStore, order_id: i32) -> String {
    payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order_id))
        .one(&s.db)
        .await
        .expect("payment")
        .expect("one")
        .status
}

async fn emails(s: &TestStore, id: i32, kind: &str) -> u64 {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::OrderId.eq(id))
        .filter(email_outbox::Column::Kind.eq(kind))
        .count(&s.db)
        .await
        .expect("outbox")
}

/// The same event delivered 100 times, all at once (Stripe retries while a slow answer is
/// still on its way): one effect.
async fn a_hundred_deliveries_have_one_effect(s: &TestStore) {
    use tower::ServiceExt;
    let order = card_order(s, "pi_once").await;
    let body = event("evt_once", "payment_intent.succeeded", "pi_once", &order);
    let signature = sign(body.as_bytes(), STRIPE_WEBHOOK_SECRET, now());
    let mut deliveries = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let req = http::Request::builder()
            .method("POST")
            .uri("/webhooks/stripe")
            .header("stripe-signature", &signature)
            .body(axum::body::Body::from(body.clone()))
            .expect("request");
        let router = s.router.clone();
        deliveries.spawn(async move {
            let res = router.oneshot(req).await.expect("infallible");
            let status = res.status();
            let bytes = axum::body::to_bytes(res.into_body(), 1024)
                .await
                .expect("body");
            (status, String::from_utf8_lossy(&bytes).into_owned())
        });
    }
    let mut answers = Vec::new();
    while let Some(done) = deliveries.join_next().await {
        let (status, answer) = done.expect("delivery");
        assert_eq!(status, 200, "{answer}");
        answers.push(answer);
    }
    answers.sort();
    assert_eq!(
        answers.iter().filter(|a| *a == "applied").count(),
        1,
        "{answers:?}"
    );
    assert_eq!(answers.iter().filter(|a| *a == "duplicate").count(), 99);
    assert_eq!(status(s, order.id).await, "paid");
    let paid_events = order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(order.id))
        .filter(order_event::Column::ToStatus.eq("paid"))
        .count(&s.db)
        .await
        .expect("history");
    assert_eq!(paid_events, 1);
    assert_eq!(emails(s, order.id, "payment-received").await, 1);
    // A new event about the same, already paid payment changes nothing either.
    let again = event("evt_later", "payment_intent.succeeded", "pi_once", &order);
    assert_eq!(signed(s, &again).await.body, "ignored");
    assert_eq!(emails(s, order.id, "payment-received").await, 1);
}

async fn requests_not_signed_by_stripe_are_refused(s: &TestStore) {
    let order = card_order(s, "pi_forged").await;
    let body = event(
        "evt_forged",
        "payment_intent.succeeded",
        "pi_forged",
        &order,
    );
    let good = sign(body.as_bytes(), STRIPE_WEBHOOK_SECRET, now());
    let tampered = body.replace(&order.total_minor.to_string(), "1");
    let cases = [
        ("tampered body", good.clone(), tampered),
        (
            "stale",
            sign(body.as_bytes(), STRIPE_WEBHOOK_SECRET, now() - 301),
            body.clone(),
        ),
        (
            "wrong secret",
            sign(body.as_bytes(), "whsec_someone_else", now()),
            body.clone(),
        ),
        ("malformed header", "t=soon,v1=xyz".to_owned(), body.clone()),
        ("unsigned", format!("t={}", now()), body.clone()),
        ("no header", String::new(), body.clone()),
    ];
    for (case, signature, body) in cases {
        let page = if signature.is_empty() {
            s.send(
                "POST",
                "/webhooks/stripe",
                &[("content-type", "application/json")],
                &body,
            )
            .await
        } else {
            deliver(s, &signature, &body).await
        };
        assert_eq!(page.status, 400, "{case}: {}", page.body);
    }
    assert_eq!(status(s, order.id).await, "pending_payment");
    // Signed, but not an event.
    let junk = "{\"hello\":1}";
    assert_eq!(signed(s, junk).await.status, 400);
    // The genuine one still works: none of the refused ones took its id.
    assert_eq!(deliver(s, &good, &body).await.body, "applied");
    assert_eq!(status(s, order.id).await, "paid");
}

async fn other_events_are_acknowledged(s: &TestStore) {
    let customer = r#"{"id":"evt_customer","object":"event","type":"customer.created","data":{"object":{"id":"cus_1","object":"customer"}}}"#;
    let page = signed(s, customer).await;
    assert_eq!((page.status.as_u16(), page.body.as_str()), (200, "ignored"));
    let order = card_order(s, "pi_ours").await;
    let stranger = event(
        "evt_stranger",
        "payment_intent.succeeded",
        "pi_not_ours",
        &order,
    );
    let page = signed(s, &stranger).await;
    assert_eq!(
        (page.status.as_u16(), page.body.as_str()),
        (200, "unknown-payment")
    );
    assert_eq!(status(s, order.id).await, "pending_payment");
    // Not kept: once the reference is ours (written late), the same event applies.
    payment::Entity::update_many()
        .col_expr(payment::Column::ProviderRef, Expr::value("pi_not_ours"))
        .filter(payment::Column::OrderId.eq(order.id))
        .exec(&s.db)
        .await
        .expect("reference");
    assert_eq!(signed(s, &stranger).await.body, "applied");
    assert_eq!(status(s, order.id).await, "paid");
}

async fn events_out_of_order_end_right(s: &TestStore) {
    // A declined card, then a good one: paid.
    let order = card_order(s, "pi_retry").await;
    let failed = event(
        "evt_f1",
        "payment_intent.payment_failed",
        "pi_retry",
        &order,
    );
    assert_eq!(signed(s, &failed).await.body, "applied");
    assert_eq!(status(s, order.id).await, "pending_payment");
    let ok = event("evt_s1", "payment_intent.succeeded", "pi_retry", &order);
    assert_eq!(signed(s, &ok).await.body, "applied");
    assert_eq!(status(s, order.id).await, "paid");
    // A late failure does not undo it.
    let late = event(
        "evt_f2",
        "payment_intent.payment_failed",
        "pi_retry",
        &order,
    );
    assert_eq!(signed(s, &late).await.body, "ignored");
    assert_eq!(status(s, order.id).await, "paid");

    // Cancelled at Stripe: the order is cancelled and its stock released; a success that
    // arrives after is kept for a refund, not turned into a sale of released stock.
    let order = card_order(s, "pi_expired").await;
    let cancel = event("evt_c1", "payment_intent.canceled", "pi_expired", &order);
    assert_eq!(signed(s, &cancel).await.body, "applied");
    assert_eq!(status(s, order.id).await, "cancelled");
    let late = event("evt_s2", "payment_intent.succeeded", "pi_expired", &order);
    assert_eq!(signed(s, &late).await.body, "paid-after-cancel");
    assert_eq!(status(s, order.id).await, "cancelled");
    assert_eq!(payment_status(s, order.id).await, "paid");
    let noted = order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(order.id))
        .all(&s.db)
        .await
        .expect("history");
    assert!(noted.iter().any(|e| e.note.contains("refund")), "{noted:?}");

    // Another amount than the order's: never marked paid.
    let order = card_order(s, "pi_short").await;
    let short = event("evt_short", "payment_intent.succeeded", "pi_short", &order).replace(
        &format!("\"amount_received\":{}", order.total_minor),
        "\"amount_received\":1",
    );
    assert_eq!(signed(s, &short).await.body, "amount-mismatch");
    assert_eq!(status(s, order.id).await, "pending_payment");
    // Money was taken: the payment waits for the merchant instead of expiring with the order.
    assert_eq!(payment_status(s, order.id).await, "review");
}

/// Without a secret configured, the store has no Stripe webhook.
async fn without_a_secret_there_is_no_webhook(s: &TestStore) {
    use tower::ServiceExt;
    let mut state = s.state.clone();
    state.stripe_webhook_secrets.clear();
    let body = r#"{"id":"evt_1","type":"customer.created","data":{"object":{}}}"#;
    let req = http::Request::builder()
        .method("POST")
        .uri("/webhooks/stripe")
        .header(
            "stripe-signature",
            sign(body.as_bytes(), STRIPE_WEBHOOK_SECRET, now()),
        )
        .body(axum::body::Body::from(body))
        .expect("request");
    let res = tradewind_server::router(state)
        .oneshot(req)
        .await
        .expect("infallible");
    assert_eq!(res.status(), 404);
}

/// A paid bank transfer refunded in two parts: partly refunded, then refunded; never more
/// than was paid; each refund on the order page and in an email to the shopper.
async fn refunds_pay_back_up_to_what_was_paid(s: &TestStore) {
    let checkout = s.state.app.checkout.clone();
    let order = card_order(s, "pi_unused").await;
    payment::Entity::update_many()
        .col_expr(payment::Column::Method, Expr::value("bank_transfer"))
        .filter(payment::Column::OrderId.eq(order.id))
        .exec(&s.db)
        .await
        .expect("a bank transfer");
    let refused = checkout
        .refund(&order.number, None, "too early", "cli")
        .await;
    assert!(
        refused.is_err(),
        "an unpaid order is cancelled, not refunded"
    );
    checkout
        .transition(&order.number, OrderStatus::Paid, "cli", "")
        .await
        .expect("paid");
    let total = Money::new(order.total_minor, Currency::Eur);
    for bad in ["0", "-1", "abc", "1.234"] {
        assert!(
            checkout
                .refund(&order.number, Some(bad), "x", "cli")
                .await
                .is_err(),
            "{bad}"
        );
    }
    let too_much = Money::new(total.minor + 1, Currency::Eur).decimal();
    assert!(
        checkout
            .refund(&order.number, Some(&too_much), "x", "cli")
            .await
            .is_err()
    );
    let part = checkout
        .refund(&order.number, Some("1.00"), "scratched lid", "cli")
        .await
        .expect("partial refund");
    assert_eq!(part.status, OrderStatus::PartiallyRefunded);
    assert_eq!(part.left.minor, total.minor - 100);
    assert_eq!(status(s, order.id).await, "partially_refunded");
    let rest = checkout
        .refund(&order.number, None, "returned", "cli")
        .await
        .expect("the rest");
    assert_eq!((rest.amount.minor, rest.left.minor), (total.minor - 100, 0));
    assert_eq!(status(s, order.id).await, "refunded");
    // Refunded in full before anything shipped: the stock is back on the shelf.
    let held = reservation::Entity::find()
        .filter(reservation::Column::OrderId.eq(order.id))
        .all(&s.db)
        .await
        .expect("reservations");
    assert!(!held.is_empty() && held.iter().all(|r| r.released_at.is_some()));
    assert!(
        checkout
            .refund(&order.number, Some("0.01"), "x", "cli")
            .await
            .is_err()
    );
    assert_eq!(emails(s, order.id, "refunded").await, 2);
    let mail = email_outbox::Entity::find()
        .filter(email_outbox::Column::OrderId.eq(order.id))
        .filter(email_outbox::Column::Kind.eq("refunded"))
        .all(&s.db)
        .await
        .expect("outbox");
    assert!(
        mail.iter()
            .all(|m| m.locale == "de" && m.subject.contains(&order.number))
    );
    assert!(mail[0].text_body.contains("1,00"), "{}", mail[0].text_body);
    let page = s.get(&format!("/de/orders/{}", order.token)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Erstattet"), "{}", page.body);

    // Paid, then cancelled by the merchant: the money goes back, the order stays cancelled.
    let order = card_order(s, "pi_unused_2").await;
    payment::Entity::update_many()
        .col_expr(payment::Column::Method, Expr::value("bank_transfer"))
        .filter(payment::Column::OrderId.eq(order.id))
        .exec(&s.db)
        .await
        .expect("a bank transfer");
    for to in [OrderStatus::Paid, OrderStatus::Cancelled] {
        checkout
            .transition(&order.number, to, "cli", "")
            .await
            .expect("moved");
    }
    let back = checkout
        .refund(&order.number, None, "cancelled after payment", "cli")
        .await
        .expect("refunded");
    assert_eq!((back.status, back.left.minor), (OrderStatus::Cancelled, 0));
    assert_eq!(status(s, order.id).await, "cancelled");
    assert_eq!(emails(s, order.id, "refunded").await, 1);
}

on_both_backends!(
    without_a_secret_there_is_no_webhook,
    refunds_pay_back_up_to_what_was_paid,
    a_hundred_deliveries_have_one_effect,
    requests_not_signed_by_stripe_are_refused,
    other_events_are_acknowledged,
    events_out_of_order_end_right,
);

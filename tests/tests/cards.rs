//! Paying by card and by voucher through Stripe: a store whose Stripe is a localstripe of its
//! own (over real HTTP), an order placed through the checkout forms, and the card form's two
//! calls as the island makes them, the test playing Stripe.js's part (card tokens, the 3-D
//! Secure answer). Refunds go through Stripe; payments left pending are settled by the sweep.
//! Vouchers (OXXO, konbini, Pix) need no JavaScript: the test plays the shopper at the till
//! through the peer, and Stripe's webhook. SQLite and PostgreSQL.

use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tradewind_domain::Locale;
use tradewind_domain::entity::{email_outbox, refund, shop_order, stock_level};
use tradewind_domain::i18n::t;
use tradewind_tests::shopper::{
    BERLIN, MEXICO_CITY, SAO_PAULO, Shopper, TOKYO, cancelled_and_released, expire_payments,
    paid_once, payment_of, place_order, refund_in_two, reload, urlencode, variant_in_stock,
};
use tradewind_tests::stripe_peer::{CARD_3DS, CARD_DECLINED, CARD_OK, StripePeer, signed};
use tradewind_tests::{PUBLIC_URL, TestStore, attr_near, on_both_backends_with_cards};

/// An order to pay by card, placed through the forms by a shopper at `address`; the order
/// and the browser, on its status page.
async fn card_order<'a>(
    s: &'a TestStore,
    locale: &str,
    address: &[(&str, &str)],
) -> (shop_order::Model, Shopper<'a>) {
    let placed = place_order(s, locale, address, "card").await;
    // Cards are offered, but only to browsers running the page's JavaScript.
    let choice = attr_near(&placed.checkout.body, r#"value="card""#, "id").expect("a card choice");
    assert_eq!(choice, "pay-card");
    assert!(
        placed
            .checkout
            .body
            .contains(&t(locale.parse().expect("locale"), "card-needs-js"))
    );
    assert_eq!(
        placed.location,
        format!("/{locale}/orders/{}", placed.order.token)
    );
    (placed.order, placed.browser)
}

/// The card form's call (`/api/card_step`), as the island sends it, with this browser's
/// cookies and token; its JSON answer.
async fn call(b: &Shopper<'_>, fields: &[(&str, &str)]) -> Value {
    call_with(b, &b.token, fields).await
}

async fn call_with(b: &Shopper<'_>, csrf: &str, fields: &[(&str, &str)]) -> Value {
    let mut body = format!("locale={}&csrf={csrf}", b.locale);
    for (k, v) in fields {
        body.push_str(&format!("&{k}={}", urlencode(v)));
    }
    let page = b
        .store
        .post(
            "/api/card_step",
            &[("cookie", &b.cookie_header()), ("origin", PUBLIC_URL)],
            &body,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The answer travels as one string (`CardAnswer::encode`).
    let answer: String = serde_json::from_str(&page.body).expect("a JSON string");
    match answer.split_once(':') {
        Some(("authenticate", secret)) => json!({ "Authenticate": secret }),
        Some(("say", text)) => json!({ "Say": text }),
        _ => json!(answer.as_str()),
    }
}

async fn pay(b: &Shopper<'_>, order: &shop_order::Model, method: &str) -> Value {
    call(b, &[("token", &order.token), ("payment_method", method)]).await
}

async fn result(b: &Shopper<'_>, order: &shop_order::Model) -> Value {
    call(b, &[("token", &order.token), ("payment_method", "")]).await
}

fn said(locale: Locale, id: &str) -> Value {
    json!({ "Say": t(locale, id) })
}

async fn a_card_pays_the_order_once_and_refunds_go_through_stripe(
    s: &TestStore,
    peer: &StripePeer,
) {
    let (order, mut b) = card_order(s, "de", &BERLIN).await;
    let page = b.get(&format!("/de/orders/{}", order.token)).await;
    // The card form with Stripe.js from its configured address; the CSP allows that origin.
    assert!(page.body.contains(r#"id="card-element""#));
    let js = format!("{}js.stripe.com/v3/", peer.base());
    assert!(
        page.body.contains(&format!(r#"src="{js}""#)),
        "{}",
        page.body
    );
    let origin = format!("http://127.0.0.1:{}", peer.port());
    let csp = page.header("content-security-policy");
    for directive in ["script-src", "connect-src", "frame-src"] {
        let sources = csp
            .split(';')
            .find(|d| d.trim().starts_with(directive))
            .unwrap_or_default();
        assert!(sources.contains(&origin), "{directive} in {csp}");
    }

    // Other pages allow no other origin.
    let home = b.get("/de").await;
    assert!(
        !home.header("content-security-policy").contains(&origin),
        "{}",
        home.header("content-security-policy")
    );

    let card = peer.card(CARD_OK).await;
    assert_eq!(pay(&b, &order, &card).await, json!("reload"));
    let paid = reload(s, &order).await;
    assert_eq!(paid.status, "paid");
    let p = payment_of(s, &order).await;
    assert_eq!(
        (p.status.as_str(), p.provider.as_deref()),
        ("paid", Some("stripe"))
    );
    let intent_id = p.provider_ref.clone().expect("the PaymentIntent");
    let intent = peer.intent(&intent_id).await;
    assert_eq!(intent["status"], "succeeded");
    assert_eq!(intent["amount"], order.total_minor);
    assert_eq!(intent["currency"], "eur");
    assert_eq!(intent["metadata"]["order"], order.number.as_str());

    // A second click (or the webhook, or the shopper's return) changes nothing more.
    assert_eq!(pay(&b, &order, &card).await, json!("reload"));
    assert_eq!(result(&b, &order).await, json!("reload"));
    paid_once(s, &order).await;

    // Refunds through Stripe, part then the rest; more than is left is refused.
    refund_in_two(s, &order).await;
    let made = peer.refunds(&intent_id).await;
    let amounts: i64 = made.iter().map(|r| r["amount"].as_i64().unwrap_or(0)).sum();
    assert_eq!((made.len(), amounts), (2, order.total_minor));
    let rows = refund::Entity::find()
        .filter(refund::Column::OrderId.eq(order.id))
        .all(&s.db)
        .await
        .expect("refunds");
    assert!(rows.iter().all(|r| {
        r.status == "succeeded"
            && r.provider_ref
                .as_deref()
                .is_some_and(|id| id.starts_with("re_"))
            && r.idempotency_key.is_some()
    }));
    assert_eq!(peer.refunds(&intent_id).await.len(), 2);
}

async fn a_declined_card_is_replaced_and_3d_secure_is_answered_in_yen(
    s: &TestStore,
    peer: &StripePeer,
) {
    let (order, b) = card_order(s, "ja", &TOKYO).await;
    assert_eq!(order.currency, "JPY");
    let declined = peer.card(CARD_DECLINED).await;
    assert_eq!(
        pay(&b, &order, &declined).await,
        said(Locale::Ja, "card-error-declined")
    );
    assert_eq!(reload(s, &order).await.status, "pending_payment");

    // The bank asks for 3-D Secure; the shopper fails it, then passes it with a new try.
    let secure = peer.card(CARD_3DS).await;
    let asked = pay(&b, &order, &secure).await;
    let secret = asked["Authenticate"].as_str().expect("an authentication");
    peer.authenticate(secret, false).await;
    assert_eq!(
        result(&b, &order).await,
        said(
            Locale::Ja,
            "card-error-payment_intent_authentication_failure"
        )
    );
    let secure = peer.card(CARD_3DS).await;
    let asked = pay(&b, &order, &secure).await;
    let secret = asked["Authenticate"].as_str().expect("an authentication");
    peer.authenticate(secret, true).await;
    assert_eq!(result(&b, &order).await, json!("reload"));
    assert_eq!(reload(s, &order).await.status, "paid");
    // Yen have no decimals, for the store and for Stripe.
    let intent = peer
        .intent(&payment_of(s, &order).await.provider_ref.expect("intent"))
        .await;
    assert_eq!(
        (intent["amount"].as_i64(), intent["currency"].as_str()),
        (Some(order.total_minor), Some("jpy"))
    );
}

async fn payments_left_pending_are_settled_with_stripe(s: &TestStore, peer: &StripePeer) {
    // One shopper leaves at the bank's page; another passes it and closes the tab before
    // the store hears of it (and no webhook comes).
    let (left, b1) = card_order(s, "de", &BERLIN).await;
    let asked = pay(&b1, &left, &peer.card(CARD_3DS).await).await;
    assert!(asked["Authenticate"].is_string(), "{asked}");
    let (closed, b2) = card_order(s, "de", &BERLIN).await;
    let asked = pay(&b2, &closed, &peer.card(CARD_3DS).await).await;
    peer.authenticate(asked["Authenticate"].as_str().expect("secret"), true)
        .await;
    expire_payments(s, &[&left, &closed]).await;
    let checkout = &s.state.app.checkout;
    // Releasing unpaid orders leaves payments tried at Stripe alone: they may have succeeded.
    assert_eq!(checkout.release_unpaid().await.expect("release"), 0);
    let changed = checkout
        .sweep_card_payments(chrono::Utc::now())
        .await
        .expect("sweep");
    assert_eq!(changed, 2);
    assert_eq!(reload(s, &closed).await.status, "paid");
    cancelled_and_released(s, &left).await;
    let intent = payment_of(s, &left).await.provider_ref.expect("intent");
    assert_eq!(peer.intent(&intent).await["status"], "canceled");
    // Nothing is left to do.
    assert_eq!(
        checkout
            .sweep_card_payments(chrono::Utc::now())
            .await
            .expect("sweep"),
        0
    );
}

async fn the_order_page_and_the_merchant_settle_with_stripe(s: &TestStore, peer: &StripePeer) {
    // Back from the bank's page before any webhook: the order page asks Stripe.
    let (order, mut b) = card_order(s, "de", &BERLIN).await;
    let asked = pay(&b, &order, &peer.card(CARD_3DS).await).await;
    peer.authenticate(asked["Authenticate"].as_str().expect("secret"), true)
        .await;
    assert_eq!(reload(s, &order).await.status, "pending_payment");
    // A plain view of the page does not call Stripe; the return from the bank does.
    b.get(&format!("/de/orders/{}", order.token)).await;
    assert_eq!(reload(s, &order).await.status, "pending_payment");
    let intent = payment_of(s, &order).await.provider_ref.expect("intent");
    let page = b
        .get(&format!(
            "/de/orders/{}?payment_intent={intent}&redirect_status=succeeded",
            order.token
        ))
        .await;
    assert_eq!(reload(s, &order).await.status, "paid");
    assert!(
        !page.body.contains(r#"id="card-element""#),
        "a paid order has no card form"
    );

    // The merchant cancels an order whose shopper is at the bank's page: the intent is
    // cancelled at Stripe, so that it cannot be paid any more, and the stock comes back.
    let (left, b2) = card_order(s, "de", &BERLIN).await;
    let asked = pay(&b2, &left, &peer.card(CARD_3DS).await).await;
    assert!(asked["Authenticate"].is_string(), "{asked}");
    s.state
        .app
        .checkout
        .transition(
            &left.number,
            tradewind_domain::checkout::OrderStatus::Cancelled,
            "merchant",
            "out of stock",
        )
        .await
        .expect("cancelled");
    let intent = payment_of(s, &left).await.provider_ref.expect("intent");
    assert_eq!(peer.intent(&intent).await["status"], "canceled");
    // A late try on the cancelled order charges nothing.
    assert_eq!(
        pay(&b2, &left, &peer.card(CARD_OK).await).await,
        json!("reload")
    );
    assert_eq!(peer.intent(&intent).await["status"], "canceled");
}

async fn an_order_takes_a_few_cards_not_a_list(s: &TestStore, peer: &StripePeer) {
    use tradewind_domain::payments::card::MAX_CARD_ATTEMPTS;
    let (order, b) = card_order(s, "de", &BERLIN).await;
    for _ in 0..MAX_CARD_ATTEMPTS {
        let declined = peer.card(CARD_DECLINED).await;
        assert_eq!(
            pay(&b, &order, &declined).await,
            said(Locale::De, "card-error-declined")
        );
    }
    // Then no more cards are sent to Stripe for this order, good ones included.
    assert_eq!(
        pay(&b, &order, &peer.card(CARD_OK).await).await,
        said(Locale::De, "card-error-too_many_attempts")
    );
    assert_eq!(reload(s, &order).await.status, "pending_payment");
    let intent = payment_of(s, &order).await.provider_ref.expect("intent");
    assert_eq!(
        peer.intent(&intent).await["status"],
        "requires_payment_method"
    );
}

async fn a_form_without_its_token_pays_nothing(s: &TestStore, peer: &StripePeer) {
    let (order, b) = card_order(s, "de", &BERLIN).await;
    let card = peer.card(CARD_OK).await;
    let answer = call_with(
        &b,
        "forged",
        &[("token", &order.token), ("payment_method", &card)],
    )
    .await;
    assert_eq!(answer, said(Locale::De, "form-expired"));
    assert_eq!(payment_of(s, &order).await.provider_ref, None);
    assert_eq!(reload(s, &order).await.status, "pending_payment");
    // A client sending tries as fast as it can is held back (the test's requests share one
    // client): ten, then one every few seconds.
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let page = b
            .store
            .post(
                "/api/card_step",
                &[("cookie", &b.cookie_header()), ("origin", PUBLIC_URL)],
                &format!(
                    "locale=de&csrf=forged&token={}&payment_method=",
                    order.token
                ),
            )
            .await;
        statuses.push(page.status);
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

on_both_backends_with_cards!(
    a_card_pays_the_order_once_and_refunds_go_through_stripe,
    a_declined_card_is_replaced_and_3d_secure_is_answered_in_yen,
    payments_left_pending_are_settled_with_stripe,
    the_order_page_and_the_merchant_settle_with_stripe,
    an_order_takes_a_few_cards_not_a_list,
    a_form_without_its_token_pays_nothing,
    an_oxxo_slip_is_shown_emailed_and_paid_at_the_till,
    a_konbini_slip_that_expires_releases_the_order,
    a_pix_code_left_unpaid_is_settled_by_the_sweep,
    a_voucher_stripe_refuses_cancels_the_order_and_says_why,
    a_voucher_is_offered_for_the_total_it_would_take,
);

/// An order to pay by voucher `method`, placed through the forms (no JavaScript needed): it
/// lands on its page, whose slip Stripe made; the order, the browser and the intent's id.
async fn voucher_order<'a>(
    s: &'a TestStore,
    peer: &StripePeer,
    locale: &str,
    address: &[(&str, &str)],
    method: &str,
) -> (shop_order::Model, Shopper<'a>, String) {
    let placed = place_order(s, locale, address, method).await;
    let choice = attr_near(&placed.checkout.body, &format!(r#"value="{method}""#), "id");
    assert_eq!(choice.as_deref(), Some(format!("pay-{method}").as_str()));
    let order = placed.order;
    assert_eq!(placed.location, format!("/{locale}/orders/{}", order.token));
    let pay = payment_of(s, &order).await;
    assert_eq!(pay.provider.as_deref(), Some("stripe"));
    let id = pay.provider_ref.expect("the PaymentIntent");
    let intent = peer.intent(&id).await;
    assert_eq!(intent["status"], "requires_action");
    assert_eq!(intent["amount"], order.total_minor);
    assert_eq!(intent["currency"], order.currency.to_ascii_lowercase());
    assert_eq!(intent["metadata"]["order"], order.number.as_str());
    // The stock is held while the slip can be paid, and a little longer.
    let held = pay.expires_at.expect("a window") - chrono::Utc::now();
    assert!(held > chrono::Duration::days(2), "{held}");
    (order, placed.browser, id)
}

async fn an_oxxo_slip_is_shown_emailed_and_paid_at_the_till(s: &TestStore, peer: &StripePeer) {
    let (order, mut b, id) = voucher_order(s, peer, "es", &MEXICO_CITY, "oxxo").await;
    let intent = peer.intent(&id).await;
    let slip = &intent["next_action"]["oxxo_display_details"];
    let number = slip["number"].as_str().expect("a number");
    let url = slip["hosted_voucher_url"].as_str().expect("a page");
    let page = b.get(&format!("/es/orders/{}", order.token)).await;
    assert!(page.body.contains(number), "{}", page.body);
    assert!(page.body.contains(&format!(r#"href="{url}""#)));
    // The page has no island: the bundle is not loaded for it.
    assert!(!page.body.contains(r#"as="fetch""#), "no script is needed");
    let email = email_outbox::Entity::find()
        .filter(email_outbox::Column::OrderId.eq(order.id))
        .filter(email_outbox::Column::Kind.eq("voucher"))
        .all(&s.db)
        .await
        .expect("read");
    assert_eq!(email.len(), 1);
    assert!(email[0].text_body.contains(number) && email[0].text_body.contains(url));
    assert!(email[0].html_body.contains(number));

    // Asking again (a reload, the page's button) gives the same slip.
    let again = b
        .submit(&format!("/es/orders/{}/voucher", order.token), &[])
        .await;
    assert_eq!(again, format!("/es/orders/{}", order.token));
    assert_eq!(payment_of(s, &order).await.provider_ref, Some(id.clone()));

    // Paid at the till: Stripe's webhook pays the order, once however often it comes.
    let paid = peer.voucher(&id, "paid").await;
    let event = StripePeer::event("evt_oxxo_paid", "payment_intent.succeeded", &paid);
    for _ in 0..3 {
        assert_eq!(signed(s, &event).await.status, StatusCode::OK);
    }
    paid_once(s, &order).await;
    let page = b.get(&format!("/es/orders/{}", order.token)).await;
    assert!(!page.body.contains(number), "a paid order shows no slip");
}

async fn a_konbini_slip_that_expires_releases_the_order(s: &TestStore, peer: &StripePeer) {
    let (order, mut b, id) = voucher_order(s, peer, "ja", &TOKYO, "konbini").await;
    let page = b.get(&format!("/ja/orders/{}", order.token)).await;
    let url =
        peer.intent(&id).await["next_action"]["konbini_display_details"]["hosted_voucher_url"]
            .as_str()
            .expect("a page")
            .to_owned();
    assert!(page.body.contains(&format!(r#"href="{url}""#)));
    // Never paid: Stripe says the slip expired, which ends the order.
    let expired = peer.voucher(&id, "expired").await;
    let event = StripePeer::event(
        "evt_konbini_expired",
        "payment_intent.payment_failed",
        &expired,
    );
    assert_eq!(signed(s, &event).await.status, StatusCode::OK);
    cancelled_and_released(s, &order).await;
    // An order the merchant cancels has its slip cancelled at Stripe: it can no longer be
    // paid at the till.
    let (cancelled, _, id) = voucher_order(s, peer, "ja", &TOKYO, "konbini").await;
    s.state
        .app
        .checkout
        .transition(
            &cancelled.number,
            tradewind_domain::checkout::OrderStatus::Cancelled,
            "merchant",
            "out of stock",
        )
        .await
        .expect("cancelled");
    assert_eq!(peer.intent(&id).await["status"], "canceled");
}

async fn a_pix_code_left_unpaid_is_settled_by_the_sweep(s: &TestStore, peer: &StripePeer) {
    let (unpaid, mut b, unpaid_id) = voucher_order(s, peer, "pt-BR", &SAO_PAULO, "pix").await;
    let code = peer.intent(&unpaid_id).await["next_action"]["pix_display_qr_code"]["data"]
        .as_str()
        .expect("a code")
        .to_owned();
    let page = b.get(&format!("/pt-BR/orders/{}", unpaid.token)).await;
    assert!(page.body.contains(&code), "{}", page.body);
    // Another is paid, but its webhook is lost.
    let (paid, _, paid_id) = voucher_order(s, peer, "pt-BR", &SAO_PAULO, "pix").await;
    peer.voucher(&paid_id, "paid").await;
    expire_payments(s, &[&unpaid, &paid]).await;
    let checkout = &s.state.app.checkout;
    let sweep = || checkout.sweep_card_payments(chrono::Utc::now());
    // Releasing unpaid orders leaves them to the sweep, which asks Stripe first.
    assert_eq!(checkout.release_unpaid().await.expect("release"), 0);
    assert_eq!(sweep().await.expect("sweep"), 1);
    paid_once(s, &paid).await;
    // A slip Stripe still shows as payable may have been paid on its last day: it waits.
    assert_eq!(reload(s, &unpaid).await.status, "pending_payment");
    // Stripe says it expired (its event lost): the next sweep ends it.
    peer.voucher(&unpaid_id, "expired").await;
    assert_eq!(sweep().await.expect("sweep"), 1);
    cancelled_and_released(s, &unpaid).await;
    assert_eq!(peer.intent(&unpaid_id).await["status"], "canceled");
}

async fn a_voucher_stripe_refuses_cancels_the_order_and_says_why(s: &TestStore, peer: &StripePeer) {
    peer.refuse_voucher("oxxo").await;
    let placed = place_order(s, "es", &MEXICO_CITY, "oxxo").await;
    let page_path = format!("/es/orders/{}", placed.order.token);
    assert_eq!(placed.location, format!("{page_path}?voucher=refused"));
    cancelled_and_released(s, &placed.order).await;
    let mut b = placed.browser;
    let page = b.get(&placed.location).await;
    let es: Locale = "es".parse().expect("es");
    assert!(
        page.body.contains(&t(es, "voucher-error-refused")),
        "{}",
        page.body
    );
    // Asking again changes nothing: the order is over.
    let again = b.submit(&format!("{page_path}/voucher"), &[]).await;
    assert_eq!(again, page_path);
    // A button posted without its form's token (from another site, say) is refused.
    let forged = s
        .post(
            &format!("{page_path}/voucher"),
            &[("cookie", &b.cookie_header()), ("origin", PUBLIC_URL)],
            "csrf=forged",
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

/// Stripe out of reach when a voucher order is placed: the order waits on its page, which
/// says so and has a button to ask again; nothing is half-written. SQLite and PostgreSQL.
#[tokio::test]
async fn a_voucher_order_waits_while_stripe_is_out_of_reach() {
    use tradewind_tests::Backend;
    use tradewind_tests::stripe_peer::{PUBLISHABLE_KEY, SECRET_KEY};
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(mut s) = TestStore::new(backend).await else {
            continue;
        };
        let nobody = "http://127.0.0.1:9/";
        let setup = tradewind_server::config::StripeSetup {
            secret_key: SECRET_KEY.into(),
            publishable_key: PUBLISHABLE_KEY.into(),
            api_base: nobody.into(),
            js_url: format!("{nobody}v3/"),
        };
        tradewind_server::with_stripe(&mut s.state, &setup).expect("a Stripe client");
        s.router = tradewind_server::router(s.state.clone());
        let placed = place_order(&s, "es", &MEXICO_CITY, "oxxo").await;
        let page_path = format!("/es/orders/{}", placed.order.token);
        assert_eq!(placed.location, format!("{page_path}?voucher=waiting"));
        let mut b = placed.browser;
        let page = b.get(&placed.location).await;
        let es: Locale = "es".parse().expect("es");
        assert!(
            page.body.contains(&t(es, "voucher-error-waiting")),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains(&format!(r#"action="{page_path}/voucher""#))
        );
        assert_eq!(reload(&s, &placed.order).await.status, "pending_payment");
        let pay = payment_of(&s, &placed.order).await;
        assert_eq!((pay.provider_ref, pay.voucher), (None, None));
        s.finish().await;
    }
}

/// OXXO takes MX$10,000 at most, and Mexico's import duty is collected at checkout: the
/// checkout offers it by the total with duty, the one the review checks, so a method offered
/// can always be placed.
async fn a_voucher_is_offered_for_the_total_it_would_take(s: &TestStore, _peer: &StripePeer) {
    let v = variant_in_stock(s, 1).await;
    stock_level::Entity::update_many()
        .col_expr(
            stock_level::Column::OnHand,
            sea_orm::sea_query::Expr::value(500),
        )
        .filter(stock_level::Column::VariantId.eq(v.id))
        .exec(&s.db)
        .await
        .expect("stock");
    let mut b = Shopper::in_country(s, "es", "MX").await;
    b.add(v.id, "1").await;
    let with = |payment| {
        let mut form: Vec<_> = MEXICO_CITY.to_vec();
        form.extend([("shipping", "standard"), ("payment", payment)]);
        form
    };
    assert_eq!(
        b.submit("/es/checkout", &with("card")).await,
        "/es/checkout/review"
    );
    let variant = v.id.to_string();
    let mut units = 1;
    while b
        .get("/es/checkout")
        .await
        .body
        .contains(r#"id="pay-oxxo""#)
    {
        units += 1;
        assert!(units < 500, "OXXO offered for any total");
        let quantity = units.to_string();
        let fields = [
            ("variant", variant.as_str()),
            ("quantity", quantity.as_str()),
        ];
        b.submit("/es/cart/update", &fields).await;
    }
    // Not offered: the total it would be asked for is over its limit.
    let review = b.get("/es/checkout/review").await;
    let total: i64 = attr_near(&review.body, r#"name="total""#, "value")
        .and_then(|t| t.parse().ok())
        .expect("a total");
    assert!(total > 1_000_000, "{total}");
    // One unit fewer, it is offered, and the review takes it.
    let quantity = (units - 1).to_string();
    let fields = [
        ("variant", variant.as_str()),
        ("quantity", quantity.as_str()),
    ];
    b.submit("/es/cart/update", &fields).await;
    assert_eq!(
        b.submit("/es/checkout", &with("oxxo")).await,
        "/es/checkout/review"
    );
}

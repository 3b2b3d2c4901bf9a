//! The storefront through the real router, on SQLite and on PostgreSQL.

use http::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, IntoActiveModel};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tradewind_domain::entity::{collection, collection_translation, product_translation};
use tradewind_tests::{PUBLIC_URL, TestStore, attr_near, json_ld};

tradewind_tests::on_both_backends!(
    home_and_locales,
    product_page_prices_stock_and_seo,
    markets_change_currency_and_overrides_win,
    canonical_urls_redirect_and_unknown_pages_are_404,
    variant_form_works_without_javascript,
    collections_sort_and_paginate,
    sitemap_and_robots_list_every_page,
    country_switcher_is_a_csrf_checked_post_that_never_redirects_off_site,
    forms_from_other_sites_and_oversized_bodies_are_refused,
    vat_follows_the_destination_country,
    money_is_written_as_each_country_writes_it,
    missing_translations_fall_back_visibly,
    pages_carry_security_headers,
    descriptions_render_inert_whatever_was_stored,
    featured_collections_stay_featured_when_one_lacks_a_translation,
    slugs_are_in_the_shoppers_script_and_percent_encoded,
    suggestions_are_rate_limited_per_client,
    expired_sessions_are_forgotten_and_removed,
    tax_rates_change_with_the_law_and_refuse_nonsense,
    an_older_binary_refuses_a_newer_database,
    metrics_count_requests_and_stay_off_the_shop,
    pages_render_while_other_routers_are_built,
);

async fn home_and_locales(s: &TestStore) {
    assert_eq!(s.get("/healthz").await.status, StatusCode::OK);
    let ready = s.get("/readyz").await;
    assert_eq!(
        (ready.status, ready.body.as_str()),
        (StatusCode::OK, "ready\n")
    );

    let root = s.request("/", &[("accept-language", "ja,en;q=0.8")]).await;
    assert!(root.status.is_redirection());
    assert_eq!(root.header("location"), "/ja");
    assert_eq!(s.get("/").await.header("location"), "/en");

    let en = s.get("/en").await;
    assert_eq!(en.status, StatusCode::OK);
    assert!(en.body.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(en.body.contains("Crafted in China, delivered to your door"));
    assert!(
        en.body
            .contains(&format!(r#"<link href="{PUBLIC_URL}/en" rel="canonical">"#))
    );
    assert_eq!(
        en.body.matches(r#"rel="alternate""#).count(),
        11,
        "ten locales and x-default"
    );
    assert!(en.body.contains(r#"hreflang="x-default""#));
    assert!(
        en.body.contains("/en/products/"),
        "featured products are listed"
    );

    let ar = s.get("/ar").await;
    assert!(ar.body.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(ar.body.contains("صُنع في الصين"));
    let zh = s.get("/zh-CN").await;
    assert!(zh.body.contains(r#"lang="zh-CN""#) && zh.body.contains("中国匠心制作"));
}

async fn product_page_prices_stock_and_seo(s: &TestStore) {
    let p = s.get("/en/products/lotus-teapot").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("<h1>Lotus Teapot</h1>"));
    assert!(p.body.contains("$47.99"));
    assert!(
        p.body.contains("Tax calculated at checkout."),
        "the US shows prices before tax"
    );
    // The first colour has 5 left, the second is sold out: the page opens on the first.
    assert!(p.body.contains("Only 5 left"));
    assert!(
        p.body.contains("<leptos-island"),
        "the variant picker is an island"
    );

    let blocks = json_ld(&p.body);
    let product = blocks
        .iter()
        .find(|b| b["@type"] == "Product")
        .expect("Product JSON-LD");
    assert_eq!(product["name"], "Lotus Teapot");
    let offers = product["offers"].as_array().expect("offers");
    assert_eq!(offers.len(), 3);
    assert_eq!(offers[0]["price"], "47.99");
    assert_eq!(offers[0]["priceCurrency"], "USD");
    assert_eq!(offers[0]["availability"], "https://schema.org/InStock");
    assert_eq!(offers[1]["availability"], "https://schema.org/OutOfStock");
    assert_eq!(offers[0]["gtin13"].as_str().map(str::len), Some(13));
    let crumbs = blocks
        .iter()
        .find(|b| b["@type"] == "BreadcrumbList")
        .expect("breadcrumbs");
    assert_eq!(crumbs["itemListElement"].as_array().map(Vec::len), Some(3));
    assert!(p.body.contains(r#"property="og:type" content="product""#));
    assert!(p.body.contains(&format!(
        r#"<meta property="og:image" content="{PUBLIC_URL}/media/"#
    )));
    assert_eq!(p.body.matches(r#"rel="alternate""#).count(), 11);

    let de = s.get("/de/products/teekanne-lotus").await;
    assert_eq!(de.status, StatusCode::OK);
    assert!(
        de.body.contains("44,99\u{a0}€"),
        "EU: 47.99 × 0.92 rounded up to .99"
    );
    assert!(de.body.contains("MwSt."));
}

async fn markets_change_currency_and_overrides_win(s: &TestStore) {
    let jp = s.shopper_in("JP").await;
    let jp = [("cookie", jp.as_str())];
    let teapot = s.request("/en/products/lotus-teapot", &jp).await;
    assert!(
        teapot.body.contains("¥7,200"),
        "47.99 × 150 rounded up to ¥10"
    );
    assert!(
        json_ld(&teapot.body)
            .iter()
            .any(|b| b["offers"][0]["priceCurrency"] == "JPY" && b["offers"][0]["price"] == "7200")
    );
    let mug = s.request("/en/products/lotus-mug", &jp).await;
    assert!(
        mug.body.contains("¥2,980"),
        "the fixed Japanese price wins over conversion"
    );

    // Japanese shoppers get yen without choosing; VND and IDR have no minor unit.
    let ja = s.get("/ja").await;
    assert!(ja.body.contains("￥"));
    let vi = s.get("/vi/products/am-tra-hoa-sen").await;
    assert_eq!(vi.status, StatusCode::OK);
    assert!(
        vi.body.contains("1.219.000\u{a0}₫"),
        "47.99 × 25,400 up to whole thousands"
    );
    // A session whose country no market sells to any more falls back to the locale's market.
    s.db.execute_unprepared(r#"UPDATE session SET data = '{"country":"ZZ"}'"#)
        .await
        .unwrap();
    let bogus = s.request("/en/products/lotus-teapot", &jp).await;
    assert!(bogus.body.contains("$47.99"));
}

async fn canonical_urls_redirect_and_unknown_pages_are_404(s: &TestStore) {
    // The English slug under /ja/ redirects to the Japanese one.
    let moved = s.get("/ja/products/lotus-teapot").await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    let target = moved.header("location").to_owned();
    assert!(target.starts_with("/ja/products/") && target != "/ja/products/lotus-teapot");
    let ja = s.get(&target).await;
    assert_eq!(ja.status, StatusCode::OK);
    assert!(ja.body.contains("蓮のティーポット"));

    for path in [
        "/en/products/no-such-thing",
        "/xx/products/lotus-teapot",
        "/en/nowhere",
        "/en/collections/nope",
    ] {
        let page = s.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    let fr = s.get("/fr/products/inconnu").await;
    assert!(
        fr.body.contains("Page introuvable"),
        "404 pages speak the URL's language"
    );
    assert!(
        fr.body
            .contains(r#"<meta name="robots" content="noindex">"#)
    );
    // Hostile input is just a 404, never a 500.
    let odd = s.get("/en/products/%3Cscript%3E%27%22").await;
    assert_eq!(odd.status, StatusCode::NOT_FOUND);
    let long = s.get(&format!("/en/products/{}", "a".repeat(5000))).await;
    assert_eq!(long.status, StatusCode::NOT_FOUND);
}

async fn variant_form_works_without_javascript(s: &TestStore) {
    let page = s.get("/en/products/lotus-teapot").await;
    // The option values, in order, are jade, ink, porcelain.
    let ids: Vec<String> = regex::Regex::new(r#"<option value="(\d+)""#)
        .unwrap()
        .captures_iter(page.body.split("variant-form").nth(1).unwrap_or_default())
        .map(|c| c[1].to_owned())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    let ink = s
        .get(&format!("/en/products/lotus-teapot?o1={}", ids[1]))
        .await;
    assert_eq!(ink.status, StatusCode::OK);
    assert!(ink.body.contains("Sold out"));
    assert!(ink.body.contains("TW-LOTUS-TEAPOT-INK"));
    let porcelain = s
        .get(&format!("/en/products/lotus-teapot?o1={}", ids[2]))
        .await;
    assert!(porcelain.body.contains("In stock"));
    // The chosen value is the selected option, so the form round-trips.
    assert_eq!(
        attr_near(
            &porcelain.body,
            &format!(r#"value="{}" selected"#, ids[2]),
            "value"
        ),
        Some(ids[2].clone())
    );
    // Nonsense choices fall back to the default variant.
    let junk = s.get("/en/products/lotus-teapot?o1=abc&variant=-1").await;
    assert_eq!(junk.status, StatusCode::OK);
    assert!(junk.body.contains("Only 5 left"));
}

async fn collections_sort_and_paginate(s: &TestStore) {
    let tea = s.get("/en/collections/tea-time").await;
    assert_eq!(tea.status, StatusCode::OK);
    assert!(tea.body.contains("15 products"));
    let prices = |html: &str| -> Vec<f64> {
        regex::Regex::new(r#"class="card-price">(?:From )?\$([0-9.]+)"#)
            .unwrap()
            .captures_iter(html)
            .map(|c| c[1].parse().unwrap())
            .collect()
    };
    let asc = prices(&s.get("/en/collections/tea-time?sort=price-asc").await.body);
    assert_eq!(asc.len(), 15);
    assert!(asc.windows(2).all(|w| w[0] <= w[1]), "{asc:?}");
    let desc = prices(&s.get("/en/collections/tea-time?sort=price-desc").await.body);
    assert!(desc.windows(2).all(|w| w[0] >= w[1]), "{desc:?}");
    assert_eq!(
        s.get("/en/collections/tea-time?page=2").await.status,
        StatusCode::NOT_FOUND
    );
    for huge in ["9223372036854775808", "18446744073709551615", "10001"] {
        let page = s
            .get(&format!("/en/collections/tea-time?page={huge}"))
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "page {huge}");
    }
    // Bad sort or page values show the default page rather than an error.
    assert_eq!(
        s.get("/en/collections/tea-time?sort=%3Cx%3E&page=abc")
            .await
            .status,
        StatusCode::OK
    );
    let ja = s.get("/ja/collections/tea-time").await;
    assert_eq!(ja.status, StatusCode::MOVED_PERMANENTLY);
}

async fn sitemap_and_robots_list_every_page(s: &TestStore) {
    let index = s.get("/sitemap.xml").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.header("content-type").starts_with("application/xml"));
    assert!(
        index
            .body
            .contains(&format!("<loc>{PUBLIC_URL}/sitemaps/products-0.xml</loc>"))
    );
    let products = s.get("/sitemaps/products-0.xml").await;
    assert_eq!(
        products.body.matches("<url>").count(),
        500,
        "50 products in 10 locales"
    );
    assert!(
        products
            .body
            .contains(&format!("<loc>{PUBLIC_URL}/en/products/lotus-teapot</loc>"))
    );
    let collections = s.get("/sitemaps/collections.xml").await;
    assert_eq!(collections.body.matches("<url>").count(), 50);
    assert_eq!(
        s.get("/sitemaps/products-9.xml").await.status,
        StatusCode::NOT_FOUND
    );
    let huge = s.get("/sitemaps/products-18446744073709551615.xml").await;
    assert_eq!(huge.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.get("/sitemaps/other.xml").await.status,
        StatusCode::NOT_FOUND
    );
    let robots = s.get("/robots.txt").await;
    assert!(
        robots
            .body
            .contains(&format!("Sitemap: {PUBLIC_URL}/sitemap.xml"))
    );
}

async fn country_switcher_is_a_csrf_checked_post_that_never_redirects_off_site(s: &TestStore) {
    let (cookie, token) = s.csrf("/en/products/lotus-teapot").await;
    let from_us = [("cookie", cookie.as_str()), ("origin", PUBLIC_URL)];
    let res = s
        .post(
            "/en/country",
            &from_us,
            &format!("csrf={token}&country=JP&return=/en/products/lotus-teapot"),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/en/products/lotus-teapot");
    // The choice lives in a server-side session: the cookie holds a signed id only.
    let set = res.set_cookie("session").expect("a session");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/", "Max-Age="] {
        assert!(set.contains(flag), "{set} lacks {flag}");
    }
    // (Not "JP": a random id contains those two letters about once in a hundred.)
    assert!(!set.to_lowercase().contains("country"), "{set}");
    let session = set.split(';').next().unwrap().to_owned();
    use sea_orm::PaginatorTrait;
    assert_eq!(
        tradewind_domain::entity::session::Entity::find()
            .count(&s.db)
            .await
            .unwrap(),
        1
    );
    for evil in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/%09/evil.example",
        "/%0A/x",
    ] {
        let res = s
            .post(
                "/en/country",
                &from_us,
                &format!("csrf={token}&country=JP&return={evil}"),
            )
            .await;
        assert_eq!(res.header("location"), "/en", "{evil}");
    }
    // A country no market sells to: 422 with a localized message, nothing remembered.
    let unknown = s
        .post("/de/country", &from_us, &format!("csrf={token}&country=XX"))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("liefern wir noch nicht"),
        "{}",
        unknown.body
    );
    assert!(unknown.headers.get("set-cookie").is_none());
    // No token, another browser's token, or a token without its cookie: 403, nothing set.
    let (_, other_token) = s.csrf("/en").await;
    for (headers, body) in [
        (from_us.to_vec(), "country=JP".to_owned()),
        (from_us.to_vec(), format!("csrf={other_token}&country=JP")),
        (
            vec![("origin", PUBLIC_URL)],
            format!("csrf={token}&country=JP"),
        ),
    ] {
        let res = s.post("/ja/country", &headers, &body).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{body}");
        assert!(res.body.contains("有効期限"), "localized: {}", res.body);
        assert!(res.headers.get("set-cookie").is_none());
    }
    // The switcher changes state, so it answers no GET.
    assert!(!s.get("/en/country?country=JP").await.status.is_success());
    // The chosen country picks the market, its currency and the page's switcher, and is
    // kept in the database: a restarted store (a new router) still knows it.
    let jp = s
        .request("/en/products/lotus-teapot", &[("cookie", session.as_str())])
        .await;
    assert!(jp.body.contains(r#"<option value="JP" selected"#));
    assert!(jp.body.contains("¥7,200"));
    let restarted = tradewind_server::router(s.state.clone());
    let res = tower::ServiceExt::oneshot(
        restarted,
        http::Request::builder()
            .uri("/en/products/lotus-teapot")
            .header("cookie", session.as_str())
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("¥7,200"));
    // A forged session cookie (a valid-looking id, no signature) is a new shopper.
    let forged = s
        .request(
            "/en/products/lotus-teapot",
            &[("cookie", "session=AAAAAAAAAAAAAAAAAAAAAA")],
        )
        .await;
    assert!(forged.body.contains("$47.99"));
}

async fn forms_from_other_sites_and_oversized_bodies_are_refused(s: &TestStore) {
    let (cookie, token) = s.csrf("/en").await;
    let body = format!("csrf={token}&country=JP");
    for origin in [
        Some("https://evil.example"),
        Some("https://shop.example.com.evil.example"),
        None,
    ] {
        let mut headers = vec![("cookie", cookie.as_str())];
        if let Some(o) = origin {
            headers.push(("origin", o));
        }
        let res = s.post("/en/country", &headers, &body).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{origin:?}");
        assert!(res.headers.get("set-cookie").is_none());
    }
    // A Referer from the store itself is enough when a browser sends no Origin.
    let referred = [
        ("cookie", cookie.as_str()),
        ("referer", "https://shop.example.com/en"),
    ];
    assert_eq!(
        s.post("/en/country", &referred, &body).await.status,
        StatusCode::SEE_OTHER
    );
    let huge = format!("{body}&pad={}", "x".repeat(200 * 1024));
    let from_us = [("cookie", cookie.as_str()), ("origin", PUBLIC_URL)];
    let res = s.post("/en/country", &from_us, &huge).await;
    // The body says why when it is not 413 (seen once under a loaded machine).
    assert_eq!(
        res.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{:.600}",
        res.body
    );
    // Served over https: browsers are told to stay on https.
    assert!(
        s.get("/en")
            .await
            .header("strict-transport-security")
            .starts_with("max-age=")
    );
}

async fn vat_follows_the_destination_country(s: &TestStore) {
    // A German shopper: €44.99 with 19 % MwSt. inside (7.18).
    let de = s.get("/de/products/teekanne-lotus").await;
    assert!(de.body.contains("44,99\u{a0}€"));
    assert!(
        de.body
            .contains("Inkl. 19\u{a0}% MwSt. (7,18\u{a0}€), Lieferland: Deutschland."),
        "{}",
        &de.body[de.body.find("tax-note").unwrap_or(0)..][..200]
    );
    // The same page for delivery to France: the same price, 20 % TVA inside (7.50).
    let fr = s
        .request(
            "/de/products/teekanne-lotus",
            &[("cookie", s.shopper_in("FR").await.as_str())],
        )
        .await;
    assert!(fr.body.contains("44,99\u{a0}€"));
    assert!(
        fr.body
            .contains("Inkl. 20\u{a0}% MwSt. (7,50\u{a0}€), Lieferland: Frankreich.")
    );
    let fr = s.get("/fr/products/theiere-lotus").await;
    assert!(
        fr.body.contains("TVA à 20\u{202f}% incluse (7,50\u{a0}€)"),
        "a French shopper in the EU market is in France"
    );
    // Reduced rates print with the locale's decimal mark (5,5 %).
    // US prices exclude tax: sales tax needs the state, at checkout.
    let us = s.get("/en/products/lotus-teapot").await;
    assert!(us.body.contains("$47.99"));
    assert!(us.body.contains("Tax calculated at checkout."));
    // Japan: consumption tax inside the yen price (7,200 incl. 10 % = 655).
    let ja = s.get("/ja").await;
    assert_eq!(ja.status, StatusCode::OK);
    let shopper = s.shopper_in("JP").await;
    let jp = s
        .request("/en/products/lotus-teapot", &[("cookie", shopper.as_str())])
        .await;
    assert!(
        jp.body
            .contains("Includes 10% tax (¥655) for delivery to Japan.")
    );
}

async fn money_is_written_as_each_country_writes_it(s: &TestStore) {
    // Spanish defaults to Mexico: pesos as Mexicans write them.
    let mx = s.get("/es/products/tetera-loto").await;
    assert_eq!(mx.status, StatusCode::OK);
    let price = regex::Regex::new(r#"class="amount">([^<]+)<"#).unwrap();
    let shown = |html: &str| {
        price
            .captures(html)
            .map(|c| c[1].to_owned())
            .unwrap_or_default()
    };
    let amount = shown(&mx.body);
    assert!(amount.starts_with('$') && amount.contains('.'), "{amount}");
    assert!(!amount.contains("MX$"), "{amount}");
    // Spanish in Spain: euros as Spaniards write them.
    let es = s
        .request(
            "/es/products/tetera-loto",
            &[("cookie", s.shopper_in("ES").await.as_str())],
        )
        .await;
    let amount = shown(&es.body);
    assert!(
        amount.ends_with("\u{a0}€") && amount.contains(','),
        "{amount}"
    );
}

/// The English text row of the Lotus teapot.
async fn english_teapot(s: &TestStore) -> product_translation::Model {
    product_translation::Entity::find()
        .filter(product_translation::Column::Slug.eq("lotus-teapot"))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap()
}

async fn missing_translations_fall_back_visibly(s: &TestStore) {
    let teapot = english_teapot(s).await;
    product_translation::Entity::delete_many()
        .filter(product_translation::Column::ProductId.eq(teapot.product_id))
        .filter(product_translation::Column::Locale.eq("de"))
        .exec(&s.db)
        .await
        .unwrap();
    let de = s.get("/de/products/lotus-teapot").await;
    assert_eq!(de.status, StatusCode::OK);
    assert!(
        de.body.contains("Diese Seite ist noch nicht übersetzt"),
        "the fallback is said"
    );
    assert!(
        de.body.contains("<h1>Lotus Teapot</h1>"),
        "and the English text is shown"
    );
    assert!(
        de.body.contains("Ab ") || de.body.contains("€"),
        "priced for the German shopper's market"
    );
}

async fn pages_carry_security_headers(s: &TestStore) {
    let page = s.get("/en/products/lotus-teapot").await;
    let csp = page.header("content-security-policy").to_owned();
    assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap();
    assert!(page.body.contains(&format!(r#"nonce="{nonce}""#)));
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert!(
        !page.body.contains("<!>"),
        "hydration markers are valid comments"
    );
    assert!(page.body.trim_end().ends_with("</body></html>"));
    let robots = s.get("/robots.txt").await;
    assert!(
        robots
            .header("content-security-policy")
            .contains("default-src 'none'")
    );
}

async fn descriptions_render_inert_whatever_was_stored(s: &TestStore) {
    // Written straight into the database, past every write path's own cleaning.
    let teapot = english_teapot(s).await;
    let mut row = teapot.into_active_model();
    row.description_html = Set(r#"<p>Fine <b>tea</b><script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">x</a></p>"#.to_owned());
    row.update(&s.db).await.unwrap();
    let page = s.get("/en/products/lotus-teapot").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Fine <b>tea</b>"),
        "harmless markup stays"
    );
    for bad in ["alert(1)", "onerror", "javascript:"] {
        assert!(!page.body.contains(bad), "{bad} reached the page");
    }
}

async fn featured_collections_stay_featured_when_one_lacks_a_translation(s: &TestStore) {
    let new_arrivals = collection::Entity::find()
        .filter(collection::Column::Handle.eq("new-arrivals"))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    collection_translation::Entity::delete_many()
        .filter(collection_translation::Column::CollectionId.eq(new_arrivals.id))
        .exec(&s.db)
        .await
        .unwrap();
    s.state.app.catalog.forget_navigation();
    let home = s.get("/en").await;
    assert_eq!(home.status, StatusCode::OK);
    let featured =
        regex::Regex::new(r#"<section class="featured"><h2><a href="[^"]+">([^<]+)</a>"#).unwrap();
    let titles: Vec<String> = featured
        .captures_iter(&home.body)
        .map(|c| c[1].to_owned())
        .collect();
    assert_eq!(
        titles,
        ["Tea time", "Home"],
        "the featured flags stay with their collections"
    );
}

async fn slugs_are_in_the_shoppers_script_and_percent_encoded(s: &TestStore) {
    let ja =
        "/ja/products/%E8%93%AE%E3%81%AE%E3%83%86%E3%82%A3%E3%83%BC%E3%83%9D%E3%83%83%E3%83%88";
    let page = s.get(ja).await;
    assert_eq!(page.status, StatusCode::OK, "蓮のティーポット");
    assert!(page.body.contains("<h1>蓮のティーポット</h1>"));
    assert!(
        page.body.contains(&format!(
            r#"<link href="{PUBLIC_URL}{ja}" rel="canonical">"#
        )),
        "canonical, encoded"
    );
    // The Arabic page links to it under hreflang, and the English slug redirects to it.
    let ar = s.get("/ar/products/lotus-teapot").await;
    assert_eq!(ar.status, StatusCode::MOVED_PERMANENTLY);
    let ar_path = ar.header("location").to_owned();
    assert!(
        ar_path.starts_with("/ar/products/%D8%A5%D8%A8%D8%B1%D9%8A%D9%82"),
        "{ar_path}"
    );
    let ar = s.get(&ar_path).await;
    assert_eq!(ar.status, StatusCode::OK);
    assert!(
        ar.body
            .contains(&format!(r#"hreflang="ja" href="{PUBLIC_URL}{ja}""#))
            || ar
                .body
                .contains(&format!(r#"href="{PUBLIC_URL}{ja}" hreflang="ja""#))
    );
    let sitemap = s.get("/sitemaps/products-0.xml").await;
    assert!(
        sitemap
            .body
            .contains(&format!("<loc>{PUBLIC_URL}{ja}</loc>"))
    );
}

async fn suggestions_are_rate_limited_per_client(s: &TestStore) {
    let mut limited = None;
    for n in 0..200 {
        let res = s
            .send_from([10, 0, 0, 7], "GET", "/api/suggest", &[], "")
            .await;
        if res.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((n, res));
            break;
        }
    }
    let (n, res) = limited.expect("a client asking without pause is slowed down");
    assert!(
        n >= 25,
        "a burst of typing is never limited (limited after {n})"
    );
    assert!(!res.header("retry-after").is_empty(), "{:?}", res.headers);
    // Another shopper is not affected.
    let other = s
        .send_from([10, 0, 0, 8], "GET", "/api/suggest", &[], "")
        .await;
    assert_ne!(other.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn expired_sessions_are_forgotten_and_removed(s: &TestStore) {
    use sea_orm::PaginatorTrait;
    use tower_sessions::ExpiredDeletion;
    use tradewind_domain::entity::session;
    let jp = s.shopper_in("JP").await;
    let page = s
        .request("/en/products/lotus-teapot", &[("cookie", jp.as_str())])
        .await;
    assert!(page.body.contains("¥7,200"));
    session::Entity::update_many()
        .col_expr(
            session::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::days(1)),
        )
        .exec(&s.db)
        .await
        .unwrap();
    let page = s
        .request("/en/products/lotus-teapot", &[("cookie", jp.as_str())])
        .await;
    assert!(
        page.body.contains("$47.99"),
        "an expired session is no choice"
    );
    tradewind_server::sessions::DbStore::new(s.db.clone())
        .delete_expired()
        .await
        .unwrap();
    assert_eq!(session::Entity::find().count(&s.db).await.unwrap(), 0);
}

async fn tax_rates_change_with_the_law_and_refuse_nonsense(s: &TestStore) {
    use tradewind_domain::price_book::{set_tax_rate, tax_rates};
    let rates = tax_rates(&s.db).await.unwrap();
    let de = rates
        .iter()
        .find(|r| r.country == "DE" && r.class.code() == "standard")
        .unwrap();
    assert_eq!(
        (de.rate.to_string(), de.label.as_str()),
        ("19".into(), "MwSt.")
    );
    assert!(
        rates.len() > 60,
        "standard and reduced rates of every demo country"
    );
    let set = set_tax_rate(&s.db, "de", "standard", "20", None)
        .await
        .unwrap();
    assert_eq!((set.country.as_str(), set.label.as_str()), ("DE", "MwSt."));
    let set = set_tax_rate(&s.db, "US", "standard", "7.25", Some("Sales tax"))
        .await
        .unwrap();
    assert_eq!(set.rate.to_string(), "7.25");
    let again = tax_rates(&s.db).await.unwrap();
    assert_eq!(again.len(), rates.len() + 1);
    for (country, class, rate) in [
        ("Germany", "standard", "19"),
        ("DE", "luxury", "19"),
        ("DE", "standard", "-1"),
        ("DE", "standard", "120"),
        ("DE", "standard", "19%"),
    ] {
        let err = set_tax_rate(&s.db, country, class, rate, None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "invalid", "{country} {class} {rate}");
    }
    assert_eq!(
        tax_rates(&s.db).await.unwrap(),
        again,
        "nothing half-written"
    );
}

async fn an_older_binary_refuses_a_newer_database(s: &TestStore) {
    // As if a newer release had run a migration this binary does not carry.
    s.db.execute_unprepared(
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m9999_future', 0)",
    )
    .await
    .unwrap();
    let err = tradewind_server::db::migrate(&s.db)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("m9999_future"), "{err}");
    assert!(
        err.contains(&tradewind_server::db::latest_migration()),
        "{err}"
    );
    assert!(err.contains("newer Tradewind"), "{err}");
}

async fn metrics_count_requests_and_stay_off_the_shop(s: &TestStore) {
    s.get("/en/products/lotus-teapot").await;
    s.get("/en/products/lotus-teapot").await;
    s.get("/en/search?q=tea").await;
    s.get("/en/search?q=tea").await;
    let text = tradewind_server::metrics::render(&s.state).await;
    let value = |series: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(series))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{series} missing in\n{text}"))
    };
    assert!(value(r#"tradewind_http_requests_total{kind="product",status="200"}"#) >= 2.0);
    assert!(value(r#"tradewind_http_request_duration_seconds_count{kind="search"}"#) >= 2.0);
    assert!(value("tradewind_search_queries_total") >= 1.0);
    assert!(value("tradewind_search_cache_hits_total") >= 1.0);
    assert!(value("tradewind_search_documents") >= 50.0);
    assert_eq!(value("tradewind_sessions"), 0.0);
    // Shoppers cannot read them: the shop does not serve /metrics.
    assert_eq!(s.get("/metrics").await.status, StatusCode::NOT_FOUND);
}

/// Building a router lists the app's routes, and leptos lists them by running the app with
/// resource loads switched off for the whole process: a page rendered on another thread at
/// that moment waited for ever (a rare 503 in the suite, where every test builds routers).
/// Routes are listed once per process, so routers built meanwhile leave pages alone.
async fn pages_render_while_other_routers_are_built(s: &TestStore) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let builder = {
        let (stop, state) = (stop.clone(), s.state.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async {
                while !stop.load(Ordering::Relaxed) {
                    drop(tradewind_server::router(state.clone()));
                    tokio::task::yield_now().await;
                }
            });
        })
    };
    let mut answers = Vec::new();
    for _ in 0..20 {
        let page = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            s.get("/en/products/lotus-teapot"),
        )
        .await;
        let stalled = page.is_err();
        answers.push(page.map(|p| p.status));
        if stalled {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    builder.join().expect("the router builder");
    assert!(
        answers.iter().all(|a| matches!(a, Ok(StatusCode::OK))),
        "product pages while routers were built: {answers:?}"
    );
}

/// On SQLite a transaction that reads before it writes could fail to write when another
/// connection wrote in between: "database is locked" at once, whatever the busy timeout (seen
/// as a merchant's order change failing while the store's jobs wrote). `begin_write` holds
/// the write lock from the start, so another writer waits for it instead of slipping in.
#[tokio::test]
async fn write_transactions_hold_the_lock_from_their_start_on_sqlite() {
    let Some(s) = TestStore::new(tradewind_tests::Backend::Sqlite).await else {
        return;
    };
    let bump = "UPDATE market SET position = position";
    let txn = tradewind_domain::txn::begin_write(&s.db).await.unwrap();
    let read = sea_orm::Statement::from_string(
        sea_orm::DatabaseBackend::Sqlite,
        "SELECT COUNT(*) AS n FROM market",
    );
    txn.query_one(read).await.unwrap();
    let db = s.db.clone();
    let other = tokio::spawn(async move { db.execute_unprepared(bump).await });
    // However long it is given, the other writer cannot get in before this one ends.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !other.is_finished(),
        "another connection wrote inside the transaction"
    );
    txn.execute_unprepared(bump).await.unwrap();
    txn.commit().await.unwrap();
    other.await.unwrap().unwrap();
    s.finish().await;
}

//! The storefront through the real router, on SQLite and on PostgreSQL.

use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tradewind_domain::entity::product_translation;
use tradewind_tests::{PUBLIC_URL, TestStore, attr_near, json_ld};

tradewind_tests::on_both_backends!(
    home_and_locales,
    product_page_prices_stock_and_seo,
    markets_change_currency_and_overrides_win,
    canonical_urls_redirect_and_unknown_pages_are_404,
    variant_form_works_without_javascript,
    collections_sort_and_paginate,
    sitemap_and_robots_list_every_page,
    market_switcher_sets_a_cookie_and_never_redirects_off_site,
    missing_translations_fall_back_visibly,
    pages_carry_security_headers,
);

async fn home_and_locales(s: &TestStore) {
    assert_eq!(s.get("/healthz").await.status, StatusCode::OK);

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
    assert!(de.body.contains("Inkl. MwSt."));
}

async fn markets_change_currency_and_overrides_win(s: &TestStore) {
    let jp = [("cookie", "market=JP")];
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
    // An unknown market in the cookie falls back to the locale's market.
    let bogus = s
        .request("/en/products/lotus-teapot", &[("cookie", "market=ZZ")])
        .await;
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

async fn market_switcher_sets_a_cookie_and_never_redirects_off_site(s: &TestStore) {
    let res = s
        .get("/en/market?code=JP&return=/en/products/lotus-teapot")
        .await;
    assert!(res.status.is_redirection());
    assert_eq!(res.header("location"), "/en/products/lotus-teapot");
    let cookie = res.header("set-cookie");
    assert!(cookie.starts_with("market=JP;"), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    for evil in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/%09/evil.example",
        "/%0A/x",
        "/%C3%A9",
    ] {
        let res = s.get(&format!("/en/market?code=JP&return={evil}")).await;
        assert_eq!(res.header("location"), "/en", "{evil}");
    }
    let unknown = s.get("/en/market?code=XX").await;
    assert!(unknown.headers.get("set-cookie").is_none());
    assert_eq!(s.get("/en/market").await.status, StatusCode::BAD_REQUEST);
}

async fn missing_translations_fall_back_visibly(s: &TestStore) {
    let teapot = product_translation::Entity::find()
        .filter(product_translation::Column::Slug.eq("lotus-teapot"))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
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

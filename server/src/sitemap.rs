//! `/sitemap.xml` (an index) and its parts, so crawlers find every product and collection
//! in every locale. Parts hold at most 5,000 products (50,000 URLs, the protocol's limit).

use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

const PRODUCTS_PER_PART: u64 = 5_000;
const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

fn xml(body: Vec<u8>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> std::io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(text)))?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

fn document(
    root: &str,
    entries: &[(String, Option<String>)],
    child: &str,
) -> std::io::Result<Vec<u8>> {
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(
        BytesStart::new(root).with_attributes([("xmlns", NS)]),
    ))?;
    for (loc, lastmod) in entries {
        w.write_event(Event::Start(BytesStart::new(child)))?;
        element(&mut w, "loc", loc)?;
        if let Some(lastmod) = lastmod {
            element(&mut w, "lastmod", lastmod)?;
        }
        w.write_event(Event::End(BytesEnd::new(child)))?;
    }
    w.write_event(Event::End(BytesEnd::new(root)))?;
    Ok(w.into_inner())
}

fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "sitemap unavailable");
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

pub async fn index(State(state): State<AppState>) -> Response {
    let origin = &state.app.public_url;
    let count = match state.app.catalog.active_product_count().await {
        Ok(c) => c,
        Err(e) => return unavailable(e),
    };
    let mut parts = vec![(format!("{origin}/sitemaps/collections.xml"), None)];
    for n in 0..count.div_ceil(PRODUCTS_PER_PART).max(1) {
        parts.push((format!("{origin}/sitemaps/products-{n}.xml"), None));
    }
    document("sitemapindex", &parts, "sitemap").map_or_else(unavailable, xml)
}

pub async fn part(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let origin = &state.app.public_url;
    let catalog = &state.app.catalog;
    let entries: Vec<(String, Option<String>)> = if file == "collections.xml" {
        match catalog.sitemap_collections().await {
            Ok(paths) => paths
                .into_iter()
                .map(|p| (format!("{origin}{p}"), None))
                .collect(),
            Err(e) => return unavailable(e),
        }
    } else if let Some(n) = file
        .strip_prefix("products-")
        .and_then(|f| f.strip_suffix(".xml"))
        .and_then(|n| n.parse::<u64>().ok())
    {
        match catalog.sitemap_products(n, PRODUCTS_PER_PART).await {
            Ok(urls) if urls.is_empty() && n > 0 => return StatusCode::NOT_FOUND.into_response(),
            Ok(urls) => urls
                .into_iter()
                .map(|(p, at)| {
                    (
                        format!("{origin}{p}"),
                        Some(at.format("%Y-%m-%d").to_string()),
                    )
                })
                .collect(),
            Err(e) => return unavailable(e),
        }
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    document("urlset", &entries, "url").map_or_else(unavailable, xml)
}

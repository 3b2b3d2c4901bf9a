//! The search page and search-as-you-type: parse, query the index, fill cards from the
//! catalog, log the query for the merchant.

use super::catalog::Loaded;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use tradewind_domain::catalog::view::ProductCard;
pub use tradewind_domain::catalog::view::{FacetGroup, FacetKind, FacetValue};
use tradewind_domain::html::SafeHtml;

/// What the search URL carries: `/{locale}/search?q=…&collection=…&option=…&price=…`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchParams {
    pub q: String,
    pub sort: String,
    pub page: u64,
    pub collection: Option<String>,
    pub vendor: Option<String>,
    pub kind: Option<String>,
    pub tag: Option<String>,
    pub options: Vec<String>,
    /// `from-to` in the market's minor units; `to` may be empty.
    pub price: Option<String>,
    pub in_stock: bool,
}

impl SearchParams {
    fn set(&mut self, kind: FacetKind, value: Option<String>) {
        match kind {
            FacetKind::Collection => self.collection = value,
            FacetKind::Vendor => self.vendor = value,
            FacetKind::Kind => self.kind = value,
            FacetKind::Tag => self.tag = value,
            FacetKind::Price => self.price = value,
            FacetKind::Stock => self.in_stock = value.is_some(),
            FacetKind::Option => {}
        }
    }

    pub fn is_selected(&self, kind: FacetKind, value: &str) -> bool {
        match kind {
            FacetKind::Collection => self.collection.as_deref() == Some(value),
            FacetKind::Vendor => self.vendor.as_deref() == Some(value),
            FacetKind::Kind => self.kind.as_deref() == Some(value),
            FacetKind::Tag => self.tag.as_deref() == Some(value),
            FacetKind::Option => self.options.iter().any(|o| o == value),
            FacetKind::Price => self.price.as_deref() == Some(value),
            FacetKind::Stock => self.in_stock,
        }
    }

    /// The same search with `value` of `kind` switched on or off, back on page 1.
    pub fn toggled(&self, kind: FacetKind, value: &str) -> SearchParams {
        let mut next = self.clone();
        next.page = 1;
        let on = !self.is_selected(kind, value);
        if kind == FacetKind::Option {
            next.options.retain(|o| o != value);
            if on {
                next.options.push(value.to_owned());
            }
        } else {
            next.set(kind, on.then(|| value.to_owned()));
        }
        next
    }

    /// The URL query string, in a stable order.
    pub fn query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("q", self.q.clone())];
        if !self.sort.is_empty() && self.sort != "relevance" {
            pairs.push(("sort", self.sort.clone()));
        }
        for (kind, value) in [
            (FacetKind::Collection, &self.collection),
            (FacetKind::Vendor, &self.vendor),
            (FacetKind::Kind, &self.kind),
            (FacetKind::Tag, &self.tag),
            (FacetKind::Price, &self.price),
        ] {
            if let Some(v) = value {
                pairs.push((kind.param(), v.clone()));
            }
        }
        for o in &self.options {
            pairs.push(("option", o.clone()));
        }
        if self.in_stock {
            pairs.push(("stock", "1".to_owned()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encoding for a query value (RFC 3986 unreserved characters stay).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResult {
    pub card: ProductCard,
    pub title_html: SafeHtml,
    pub snippet_html: SafeHtml,
}

/// Why nothing was searched, so the page can say what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SearchNotice {
    Empty,
    NoWords,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    pub params: SearchParams,
    pub notice: Option<SearchNotice>,
    pub shortened: bool,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub results: Vec<SearchResult>,
    pub facets: Vec<FacetGroup>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub title: String,
    pub path: String,
    /// The price of a product, or the word "Collection".
    pub detail: String,
}

/// At most this many suggestions: a few collections, then products.
pub const SUGGESTIONS: usize = 10;

pub const PAGE_SIZE: usize = 24;
/// The deepest results page served (4,800 results); later page numbers show this one.
pub const MAX_PAGE: u64 = 200;

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::functions::catalog::server::{context, load};
    use tradewind_domain::catalog::Lookup;
    use tradewind_domain::error::DomainError;
    use tradewind_domain::search::facets;
    use tradewind_domain::search::log::{Logged, normalize};
    use tradewind_domain::search::{Filters, QueryProblem, SearchRequest, SearchSort, clip};
    use tradewind_domain::{Locale, MoneyStyle};

    /// Index queries are CPU work (automata, scoring, highlighting): they run on tokio's
    /// blocking pool so page rendering and other requests keep their worker threads.
    async fn off_the_runtime<T: Send + 'static>(
        ctx: &crate::state::AppContext,
        work: impl FnOnce(&tradewind_domain::search::SearchIndex) -> T + Send + 'static,
    ) -> Result<T, DomainError> {
        let index = ctx.search.clone();
        tokio::task::spawn_blocking(move || work(&index))
            .await
            .map_err(|e| DomainError::Search(e.to_string()))
    }

    pub async fn run(
        locale: &str,
        params: SearchParams,
    ) -> Result<Loaded<SearchPage>, ServerFnError> {
        load(locale, async |ctx, locale, market, country| {
            // Deep pages are capped: an offset is memory reserved per query.
            let page = params.page.clamp(1, MAX_PAGE);
            let price_bounds = facets::price_bounds(
                ctx.catalog.price_book(),
                market,
                ctx.catalog.base_currency(),
            )?;
            let request = SearchRequest {
                locale,
                market: market.code.clone(),
                text: params.q.clone(),
                filters: Filters {
                    collection: params.collection.clone(),
                    vendor: params.vendor.clone(),
                    kind: params.kind.clone(),
                    tag: params.tag.clone(),
                    options: params.options.clone(),
                    price: params.price.as_deref().and_then(facets::parse_price),
                    in_stock: params.in_stock,
                },
                sort: SearchSort::from_key(&params.sort),
                offset: (page as usize - 1).saturating_mul(PAGE_SIZE),
                limit: PAGE_SIZE,
                price_bounds: price_bounds.clone(),
            };
            let empty = |notice| SearchPage {
                params: params.clone(),
                notice: Some(notice),
                shortened: false,
                total: 0,
                page: 1,
                pages: 1,
                results: Vec::new(),
                facets: Vec::new(),
            };
            let unfiltered = request.filters.is_empty();
            let results = match off_the_runtime(ctx, move |index| index.search(&request)).await?? {
                Ok(r) => r,
                Err(QueryProblem::Empty) => return Ok(Lookup::Found(empty(SearchNotice::Empty))),
                Err(QueryProblem::NoWords) => {
                    return Ok(Lookup::Found(empty(SearchNotice::NoWords)));
                }
            };
            if page == 1 && unfiltered {
                ctx.search_log.record(Logged {
                    market: market.code.clone(),
                    locale: locale.code().to_owned(),
                    query: normalize(&clip(&params.q).0),
                    results: results.total,
                });
            }
            // Cards come from the index: a results page reads nothing from the database.
            let (mut cards, texts): (Vec<_>, Vec<_>) = results
                .hits
                .into_iter()
                .map(|hit| (hit.card, (hit.title_html, hit.snippet_html)))
                .unzip();
            ctx.catalog.localize_cards(&mut cards, market, country)?;
            let out: Vec<SearchResult> = cards
                .into_iter()
                .zip(texts)
                .map(|(card, (title_html, snippet_html))| SearchResult {
                    card,
                    title_html,
                    snippet_html,
                })
                .collect();
            let total = results.total as u64;
            Ok::<_, DomainError>(Lookup::Found(SearchPage {
                params: SearchParams {
                    page,
                    ..params.clone()
                },
                notice: None,
                shortened: results.shortened,
                total,
                page,
                pages: total.div_ceil(PAGE_SIZE as u64).max(1),
                results: out,
                facets: facets::groups(
                    locale,
                    MoneyStyle::of(locale, country),
                    market,
                    &price_bounds,
                    &results.facets,
                    &ctx.search.labels(),
                ),
            }))
        })
        .await
    }

    pub async fn suggest(locale: &str, q: &str) -> Result<Vec<Suggestion>, ServerFnError> {
        let ctx = context()?;
        let Ok(locale) = locale.parse::<Locale>() else {
            return Ok(Vec::new());
        };
        let (market, country) = crate::functions::catalog::server::shopper(&ctx, locale).await?;
        let style = MoneyStyle::of(locale, &country);
        let map_err = crate::functions::catalog::server::map_err;
        // Collections whose name has words starting with each typed word.
        let wanted = tradewind_domain::search::analysis::terms(locale, q);
        let mut out: Vec<Suggestion> = Vec::new();
        if !wanted.is_empty() {
            for (title, path) in ctx
                .catalog
                .home_collections(locale)
                .await
                .map_err(map_err)?
                .iter()
            {
                let have = tradewind_domain::search::analysis::terms(locale, title);
                if wanted
                    .iter()
                    .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
                {
                    out.push(Suggestion {
                        title: title.clone(),
                        path: path.clone(),
                        detail: tradewind_domain::i18n::t(locale, "search-suggest-collection"),
                    });
                }
            }
        }
        out.truncate(3);
        let (text, limit, code) = (q.to_owned(), SUGGESTIONS - out.len(), market.code.clone());
        let mut cards = off_the_runtime(&ctx, move |index| {
            index.suggest(locale, &code, &text, limit)
        })
        .await
        .and_then(|r| r)
        .map_err(map_err)?;
        ctx.catalog
            .localize_cards(&mut cards, &market, &country)
            .map_err(map_err)?;
        out.extend(cards.into_iter().map(|c| Suggestion {
            path: tradewind_domain::catalog::product_path(locale, &c.slug),
            detail: crate::components::price_text(&c.price, locale, style),
            title: c.title,
        }));
        Ok(out)
    }
}

#[server]
pub async fn load_search(
    locale: String,
    params: SearchParams,
) -> Result<Loaded<SearchPage>, ServerFnError> {
    server::run(&locale, params).await
}

/// Products matching what is typed so far, for the header's search box.
// A fixed endpoint, `/api/suggest`: the per-client limit picks the call by its path.
#[server(input = leptos::server_fn::codec::GetUrl, endpoint = "suggest")]
pub async fn suggest(locale: String, q: String) -> Result<Vec<Suggestion>, ServerFnError> {
    server::suggest(&locale, &q).await
}

//! The search page: results with highlighted matches, facets and sorting as plain links, so
//! everything works without JavaScript.

use super::respond;
use crate::components::layout::{Layout, Seo};
use crate::components::{RichInline, RichText, price_text};
use crate::functions::search::{
    FacetGroup, FacetKind, SearchNotice, SearchPage, SearchParams, load_search,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use tradewind_domain::catalog::product_path;
use tradewind_domain::catalog::view::MAX_QUERY_CHARS;
use tradewind_domain::i18n::{t, t_args};
use tradewind_domain::{Locale, MoneyStyle};

#[component]
pub fn SearchRoute() -> impl IntoView {
    let locale = use_params_map()
        .get_untracked()
        .get("locale")
        .unwrap_or_default();
    let query = use_query_map().get_untracked();
    let params = SearchParams {
        q: query.get("q").unwrap_or_default(),
        sort: query.get("sort").unwrap_or_default(),
        page: query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        collection: query.get("collection"),
        vendor: query.get("vendor"),
        kind: query.get("type"),
        tag: query.get("tag"),
        options: query.get_all("option").unwrap_or_default(),
        price: query.get("price"),
        in_stock: query.get("stock").is_some_and(|s| s == "1"),
    };
    // Started once: Suspense may walk its children more than once (and a search is logged).
    let data = OnceResource::new(load_search(locale, params));
    view! {
        <Suspense fallback=|| ()>
            {move || {
                Suspend::new(async move {
                    respond(data.await, |frame, page| {
                        let locale = frame.locale;
                        let style = frame.money;
                        let seo = Seo {
                            title: t(locale, "search-title"),
                            description: t(locale, "search-title"),
                            path: format!("/{}/search", locale.code()),
                            og_type: "website",
                            // Result pages are endless variations; keep them out of indexes.
                            noindex: true,
                            ..Default::default()
                        };
                        view! {
                            <Layout frame seo>
                                <SearchBody locale style page/>
                            </Layout>
                        }
                        .into_any()
                    })
                })
            }}
        </Suspense>
    }
}

fn href(locale: Locale, params: &SearchParams) -> String {
    format!("/{}/search?{}", locale.code(), params.query_string())
}

fn group_title(locale: Locale, group: &FacetGroup) -> String {
    match group.kind {
        FacetKind::Option => group.title.clone().unwrap_or_default(),
        FacetKind::Collection => t(locale, "facet-collection"),
        FacetKind::Price => t(locale, "facet-price"),
        FacetKind::Stock => t(locale, "facet-availability"),
        FacetKind::Vendor => t(locale, "facet-vendor"),
        FacetKind::Kind => t(locale, "facet-type"),
        FacetKind::Tag => t(locale, "facet-tag"),
    }
}

fn sort_label(locale: Locale, key: &str) -> String {
    match key {
        "price-asc" => t(locale, "sort-price-asc"),
        "price-desc" => t(locale, "sort-price-desc"),
        "newest" => t(locale, "sort-newest"),
        _ => t(locale, "sort-relevance"),
    }
}

#[component]
fn SearchBody(locale: Locale, style: MoneyStyle, page: SearchPage) -> impl IntoView {
    let params = page.params.clone();
    let heading = if params.q.trim().is_empty() {
        t(locale, "search-title")
    } else {
        t_args(
            locale,
            "search-results-for",
            &[("query", params.q.trim().to_owned().into())],
        )
    };
    let notice = match page.notice {
        Some(SearchNotice::Empty) => Some(t(locale, "search-empty")),
        Some(SearchNotice::NoWords) => Some(t(locale, "search-no-words")),
        None if page.shortened => Some(t_args(
            locale,
            "search-shortened",
            &[("max", MAX_QUERY_CHARS.into())],
        )),
        None => None,
    };
    let searched = page.notice.is_none();
    let count = searched.then(|| view! { <p class="count" role="status">{t_args(locale, "search-count", &[("count", page.total.into())])}</p> });
    let none = (searched && page.total == 0)
        .then(|| view! { <p class="notice">{t(locale, "search-none")}</p> });

    let sorts = ["relevance", "price-asc", "price-desc", "newest"]
        .into_iter()
        .map(|key| {
            let current = (params.sort == key || params.sort.is_empty() && key == "relevance").then_some("true");
            let next = SearchParams { sort: key.to_owned(), page: 1, ..params.clone() };
            view! { <li><a href=href(locale, &next) aria-current=current>{sort_label(locale, key)}</a></li> }
        })
        .collect_view();
    let facets = page
        .facets
        .iter()
        .map(|group| {
            let values = group
                .values
                .iter()
                .map(|v| {
                    let selected = params.is_selected(group.kind, &v.value);
                    let label = if group.kind == FacetKind::Stock {
                        t(locale, "facet-in-stock")
                    } else {
                        v.label.clone()
                    };
                    let link = href(locale, &params.toggled(group.kind, &v.value));
                    view! {
                        <li>
                            <a href=link aria-current=selected.then_some("true") rel="nofollow">
                                <span class="facet-label">{label}</span>
                                " "
                                <span class="facet-count">{format!("({})", v.count)}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="facet">
                    <h2>{group_title(locale, group)}</h2>
                    <ul>{values}</ul>
                </section>
            }
        })
        .collect_view();
    let results = page
        .results
        .iter()
        .map(|r| {
            let link = product_path(locale, &r.card.slug);
            let image = r.card.image.clone().map(|img| {
                view! { <img src=img.src srcset=img.srcset sizes="6rem" width=img.width height=img.height alt="" loading="lazy"/> }
            });
            view! {
                <li class="result">
                    <a href=link.clone() class="result-image" tabindex="-1" aria-hidden="true">{image}</a>
                    <div>
                        <h2 class="result-title"><a href=link><RichInline html=r.title_html.clone()/></a></h2>
                        <RichText class="snippet" html=r.snippet_html.clone()/>
                        <p class="result-price">{price_text(&r.card.price, locale, style)}</p>
                        {(!r.card.available).then(|| view! { <span class="badge">{t(locale, "stock-sold-out")}</span> })}
                    </div>
                </li>
            }
        })
        .collect_view();
    let prev = (page.page > 1).then(|| {
        let p = SearchParams {
            page: page.page - 1,
            ..params.clone()
        };
        view! { <a rel="prev" href=href(locale, &p)>{t(locale, "page-previous")}</a> }
    });
    let next = (page.page < page.pages).then(|| {
        let p = SearchParams {
            page: page.page + 1,
            ..params.clone()
        };
        view! { <a rel="next" href=href(locale, &p)>{t(locale, "page-next")}</a> }
    });
    let status = t_args(
        locale,
        "page-status",
        &[("page", page.page.into()), ("pages", page.pages.into())],
    );
    view! {
        <section class="search-page">
            <h1>{heading}</h1>
            <form
                class="search-form"
                role="search"
                aria-label=t(locale, "search-title")
                method="get"
                action=format!("/{}/search", locale.code())
            >
                <label for="search-q">{t(locale, "search-label")}</label>
                <input id="search-q" type="search" name="q" value=params.q.clone() maxlength=MAX_QUERY_CHARS.to_string()/>
                <button type="submit">{t(locale, "search-submit")}</button>
            </form>
            {notice.map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {count}
            {none}
            {searched.then(|| view! {
                <div class="search-layout">
                    <aside class="facets" aria-label=t(locale, "search-filters")>{facets}</aside>
                    <div>
                        <nav class="sort-links" aria-label=t(locale, "sort-label")>
                            <span>{t(locale, "sort-label")}</span>
                            <ul>{sorts}</ul>
                        </nav>
                        <ol class="results">{results}</ol>
                        <nav class="pagination" aria-label=t(locale, "nav-pagination")>
                            {prev}
                            <span>{status}</span>
                            {next}
                        </nav>
                    </div>
                </div>
            })}
        </section>
    }
}

//! A collection: its products, sorted and paginated, with links that work without JS.

use super::respond;
use crate::components::RichText;
use crate::components::layout::Layout;
use crate::components::layout::{FallbackNotice, Seo};
use crate::components::product_card::ProductGrid;
use crate::functions::catalog::load_collection;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde_json::json;
use tradewind_domain::catalog::collection_path;
use tradewind_domain::catalog::view::SortOrder;
use tradewind_domain::i18n::{t, t_args};

#[component]
pub fn CollectionRoute() -> impl IntoView {
    let params = use_params_map().get_untracked();
    let query = use_query_map().get_untracked();
    let locale = params.get("locale").unwrap_or_default();
    let slug = params.get("slug").unwrap_or_default();
    let sort = query.get("sort").unwrap_or_default();
    let page = query
        .get("page")
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1);
    // Started once: Suspense may walk its children more than once.
    let data = OnceResource::new(load_collection(locale, slug, sort, page));
    view! {
        <Suspense fallback=|| ()>
            {move || {
                Suspend::new(async move {
                    respond(data.await, |frame, c| {
                        let locale = frame.locale;
                        let frame_money = frame.money;
                        let path = collection_path(locale, &c.collection.slug);
                        let page_href = {
                            let path = path.clone();
                            move |n: u64| {
                                let mut q = Vec::new();
                                if c.sort != SortOrder::default() {
                                    q.push(format!("sort={}", c.sort.key()));
                                }
                                if n > 1 {
                                    q.push(format!("page={n}"));
                                }
                                if q.is_empty() { path.clone() } else { format!("{path}?{}", q.join("&")) }
                            }
                        };
                        let breadcrumbs = json!({
                            "@context": "https://schema.org",
                            "@type": "BreadcrumbList",
                            "itemListElement": [
                                {"@type": "ListItem", "position": 1, "name": t(locale, "store-name"), "item": format!("{}/{}", frame.public_url, locale.code())},
                                {"@type": "ListItem", "position": 2, "name": c.collection.title, "item": format!("{}{}", frame.public_url, path)},
                            ]
                        });
                        let mut seo = Seo {
                            title: c.seo_title.clone().unwrap_or_else(|| c.collection.title.clone()),
                            description: c.seo_description.clone().unwrap_or_default(),
                            path: page_href(c.page),
                            alternates: c.alternates.clone(),
                            og_type: "website",
                            json_ld: vec![breadcrumbs],
                            ..Default::default()
                        };
                        if c.page > 1 {
                            // Later pages are their own canonical; alternates point at page 1.
                            seo.alternates.clear();
                        }
                        let sorts = SortOrder::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.key() selected=s == c.sort>{sort_label(locale, s)}</option> })
                            .collect_view();
                        let prev = (c.page > 1).then(|| view! { <a rel="prev" href=page_href(c.page - 1)>{t(locale, "page-previous")}</a> });
                        let next = (c.page < c.pages).then(|| view! { <a rel="next" href=page_href(c.page + 1)>{t(locale, "page-next")}</a> });
                        let status = t_args(locale, "page-status", &[("page", c.page.into()), ("pages", c.pages.into())]);
                        let count = t_args(locale, "collection-count", &[("count", c.total.into())]);
                        view! {
                            <Layout frame seo>
                                <nav class="breadcrumbs" aria-label=t(locale, "nav-breadcrumbs")>
                                    <ol>
                                        <li><a href=format!("/{}", locale.code())>{t(locale, "nav-home")}</a></li>
                                        <li aria-current="page">{c.collection.title.clone()}</li>
                                    </ol>
                                </nav>
                                <FallbackNotice locale fallback=c.fallback.clone()/>
                                <header class="collection-header">
                                    <h1>{c.collection.title.clone()}</h1>
                                    <RichText class="description" html=c.collection.description_html.clone()/>
                                    <p class="count">{count}</p>
                                </header>
                                <form class="sort-form" method="get" action=path.clone()>
                                    <label for="sort">{t(locale, "sort-label")}</label>
                                    <select id="sort" name="sort">{sorts}</select>
                                    <button type="submit">{t(locale, "sort-apply")}</button>
                                </form>
                                <ProductGrid locale style=frame_money products=c.products.clone()/>
                                <nav class="pagination" aria-label=t(locale, "nav-pagination")>
                                    {prev}
                                    <span>{status}</span>
                                    {next}
                                </nav>
                            </Layout>
                        }
                        .into_any()
                    })
                })
            }}
        </Suspense>
    }
}

fn sort_label(locale: tradewind_domain::Locale, sort: SortOrder) -> String {
    match sort {
        SortOrder::Featured => t(locale, "sort-featured"),
        SortOrder::PriceAsc => t(locale, "sort-price-asc"),
        SortOrder::PriceDesc => t(locale, "sort-price-desc"),
        SortOrder::Newest => t(locale, "sort-newest"),
    }
}

//! The home page: featured collections with their first products.

use super::{respond, simple_seo};
use crate::components::RichText;
use crate::components::layout::Layout;
use crate::components::product_card::ProductGrid;
use crate::functions::catalog::load_home;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde_json::json;
use tradewind_domain::Locale;
use tradewind_domain::catalog::collection_path;
use tradewind_domain::catalog::view::Alternate;
use tradewind_domain::i18n::t;

#[component]
pub fn HomeRoute() -> impl IntoView {
    let locale = use_params_map()
        .get_untracked()
        .get("locale")
        .unwrap_or_default();
    // Started once: Suspense may walk its children more than once.
    let data = OnceResource::new(load_home(locale));
    view! {
        <Suspense fallback=|| ()>
            {move || {
                Suspend::new(async move {
                    respond(data.await, |frame, home| {
                        let locale = frame.locale;
                        let style = frame.money;
                        let alternates = Locale::ALL
                            .into_iter()
                            .map(|l| Alternate { locale: l, path: format!("/{}", l.code()) })
                            .collect();
                        let mut seo = simple_seo(
                            t(locale, "home-title"),
                            t(locale, "home-tagline"),
                            format!("/{}", locale.code()),
                            alternates,
                        );
                        let origin = &frame.public_url;
                        seo.json_ld = vec![
                            json!({
                                "@context": "https://schema.org",
                                "@type": "WebSite",
                                "name": t(locale, "store-name"),
                                "url": format!("{origin}/{}", locale.code()),
                                "inLanguage": locale.code(),
                            }),
                            json!({
                                "@context": "https://schema.org",
                                "@type": "Organization",
                                "name": t(locale, "store-name"),
                                "url": origin,
                                "logo": format!("{origin}/favicon.svg"),
                            }),
                        ];
                        let featured = home
                            .featured
                            .into_iter()
                            .map(|f| {
                                let href = collection_path(locale, &f.collection.slug);
                                view! {
                                    <section class="featured">
                                        <h2><a href=href.clone()>{f.collection.title}</a></h2>
                                        <ProductGrid locale style products=f.products/>
                                        <p><a class="more" href=href>{t(locale, "home-see-all")}</a></p>
                                    </section>
                                }
                            })
                            .collect_view();
                        let all = home
                            .collections
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <li>
                                        <a href=collection_path(locale, &c.slug)>{c.title}</a>
                                        <RichText html=c.description_html/>
                                    </li>
                                }
                            })
                            .collect_view();
                        view! {
                            <Layout frame seo>
                                <section class="hero">
                                    <h1>{t(locale, "home-title")}</h1>
                                    <p>{t(locale, "home-tagline")}</p>
                                </section>
                                {featured}
                                <section class="all-collections">
                                    <h2>{t(locale, "home-all-collections")}</h2>
                                    <ul>{all}</ul>
                                </section>
                            </Layout>
                        }
                        .into_any()
                    })
                })
            }}
        </Suspense>
    }
}

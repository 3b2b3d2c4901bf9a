//! The frame around every page: SEO tags, header with locale and market switchers, footer.

use crate::functions::catalog::Frame;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use tradewind_domain::Locale;
use tradewind_domain::catalog::view::{Alternate, Fallback};
use tradewind_domain::i18n::{t, t_args};

/// What search engines and link previews see of a page.
#[derive(Clone, Debug, Default)]
pub struct Seo {
    pub title: String,
    pub description: String,
    /// Path of this page in this locale, without query, e.g. `/ja/products/x`.
    pub path: String,
    /// The page in every locale that has it.
    pub alternates: Vec<Alternate>,
    pub image: Option<String>,
    pub og_type: &'static str,
    pub json_ld: Vec<serde_json::Value>,
    pub noindex: bool,
    /// Whether the page has islands of its own (besides the header's search box), and so
    /// loads the wasm bundle at once.
    pub islands: bool,
}

#[component]
pub fn Layout(frame: Frame, seo: Seo, children: Children) -> impl IntoView {
    let locale = frame.locale;
    let origin = frame.public_url.clone();
    let abs = move |path: &str| format!("{origin}{path}");
    let store = t(locale, "store-name");
    let title = if seo.title.is_empty() {
        store.clone()
    } else {
        format!("{} | {store}", seo.title)
    };
    let x_default = seo
        .alternates
        .iter()
        .find(|a| a.locale == Locale::DEFAULT)
        .map(|a| abs(&a.path));
    let hreflang = seo
        .alternates
        .iter()
        .map(|a| view! { <Link rel="alternate" hreflang=a.locale.code() href=abs(&a.path)/> })
        .collect_view();
    let json_ld = seo
        .json_ld
        .iter()
        .map(
            |v| view! { <script type="application/ld+json" inner_html=super::json_ld(v)></script> },
        )
        .collect_view();
    let og_image = seo
        .image
        .clone()
        .map(|src| view! { <Meta property="og:image" content=abs(&src)/> });
    let og_locale = locale.code().replace('-', "_");
    let canonical = abs(&seo.path);
    view! {
        <Title text=title.clone()/>
        <Meta name="description" content=seo.description.clone()/>
        {seo.noindex.then(|| view! { <Meta name="robots" content="noindex"/> })}
        {(!seo.noindex).then(|| view! { <Link rel="canonical" href=canonical.clone()/> })}
        {hreflang}
        {x_default.map(|href| view! { <Link rel="alternate" hreflang="x-default" href=href/> })}
        <Meta property="og:title" content=title/>
        <Meta property="og:description" content=seo.description.clone()/>
        <Meta property="og:type" content=seo.og_type/>
        <Meta property="og:url" content=canonical/>
        <Meta property="og:site_name" content=store.clone()/>
        <Meta property="og:locale" content=og_locale/>
        {og_image}
        <a class="skip-link" href="#main">{t(locale, "nav-skip")}</a>
        <Header frame=frame.clone() alternates=seo.alternates.clone() path=seo.path.clone()/>
        <main id="main">{children()}</main>
        <footer class="site-footer">
            <p>{t_args(locale, "footer-prices", &[("currency", frame.market.currency.code().into())])}</p>
            <p>{t(locale, "footer-note")}</p>
        </footer>
        {json_ld}
        <IslandScripts eager=seo.islands/>
    }
}

/// Loads the wasm bundle and hydrates each island. Pages with an island of their own load
/// it at once; elsewhere only the header's search box is an island, and the bundle loads
/// when the shopper first focuses it, so those pages cost no JavaScript until then.
/// Our own loader rather than Leptos' `HydrationScripts`, which writes the CSP nonce into
/// `crossorigin` (invalid HTML) and always loads the bundle.
#[component]
fn IslandScripts(eager: bool) -> impl IntoView {
    let options = use_context::<LeptosOptions>()?;
    let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    let js = format!("{pkg}.js");
    let wasm = format!("{pkg}_bg.wasm");
    let start = if eager {
        "load();".to_owned()
    } else {
        "document.querySelector(\".site-search\")?.addEventListener(\"focusin\", load, { once: true });".to_owned()
    };
    let script = format!(
        "document.documentElement.dataset.js = \"\";\
         const load = () => import({js:?}).then(async (app) => {{\
           await app.default({{ module_or_path: {wasm:?} }});\
           app.hydrate();\
           for (const el of document.querySelectorAll(\"leptos-island\")) {{\
             const island = app[el.dataset.component];\
             if (island) island(el);\
           }}\
         }});\
         {start}"
    );
    let nonce = leptos::nonce::use_nonce();
    Some(view! {
        {eager.then(|| view! { <Link rel="preload" href=wasm as_="fetch" type_="application/wasm" crossorigin="anonymous"/> })}
        <script type="module" nonce=nonce>{script}</script>
    })
}

#[component]
fn Header(frame: Frame, alternates: Vec<Alternate>, path: String) -> impl IntoView {
    let locale = frame.locale;
    let home = format!("/{}", locale.code());
    // Pages missing in a locale still link somewhere useful: that locale's home.
    let languages = Locale::ALL
        .into_iter()
        .map(|l| {
            let href = alternates
                .iter()
                .find(|a| a.locale == l)
                .map(|a| a.path.clone())
                .unwrap_or_else(|| format!("/{}", l.code()));
            let current = (l == locale).then_some("page");
            view! {
                <li>
                    <a href=href hreflang=l.code() lang=l.code() aria-current=current>
                        {l.endonym()}
                    </a>
                </li>
            }
        })
        .collect_view();
    // Countries grouped by market: choosing one sets the delivery country, and with it the
    // currency, the tax rate and how prices are written.
    let regions = frame
        .regions
        .iter()
        .map(|r| {
            let options = r
                .countries
                .iter()
                .map(|(code, name)| {
                    let selected = *code == frame.country;
                    view! { <option value=code.clone() selected=selected>{name.clone()}</option> }
                })
                .collect_view();
            view! {
                <optgroup label=format!("{} ({})", r.market.name, r.market.currency.code())>
                    {options}
                </optgroup>
            }
        })
        .collect_view();
    let nav = frame
        .collections
        .iter()
        .map(|c| view! { <li><a href=c.path.clone()>{c.title.clone()}</a></li> })
        .collect_view();
    view! {
        <header class="site-header">
            <a class="brand" href=home>{t(locale, "store-name")}</a>
            <nav class="site-nav" aria-label=t(locale, "nav-collections")>
                <ul>{nav}</ul>
            </nav>
            <form
                class="site-search"
                role="search"
                aria-label=t(locale, "search-label")
                method="get"
                action=format!("/{}/search", locale.code())
            >
                <label for="site-search-q" class="visually-hidden">{t(locale, "search-label")}</label>
                <div class="search-box">
                    <super::search_box::SearchBox
                        locale=locale.code().to_owned()
                        placeholder=t(locale, "search-placeholder")
                    />
                </div>
                <button type="submit">{t(locale, "search-submit")}</button>
            </form>
            <a class="cart-link" href=format!("/{}/cart", locale.code())>
                {if frame.cart_count > 0 {
                    t_args(locale, "nav-cart-count", &[("count", frame.cart_count.into())])
                } else {
                    t(locale, "nav-cart")
                }}
            </a>
            <div class="switchers">
                <details class="locale-switcher">
                    <summary>
                        <span class="visually-hidden">{t(locale, "switch-language")}": "</span>
                        {locale.endonym()}
                    </summary>
                    <ul>{languages}</ul>
                </details>
                <form class="market-switcher" method="post" action=format!("/{}/country", locale.code())>
                    <input type="hidden" name="csrf" value=frame.csrf.clone()/>
                    <label for="market-select">{t(locale, "switch-market")}</label>
                    <select id="market-select" name="country">{regions}</select>
                    <input type="hidden" name="return" value=path/>
                    <button type="submit">{t(locale, "switch-market-apply")}</button>
                </form>
            </div>
        </header>
    }
}

/// A note that this text is shown in another language because it is not translated yet.
#[component]
pub fn FallbackNotice(locale: Locale, fallback: Option<Fallback>) -> impl IntoView {
    fallback.map(|f| {
        let language = f
            .shown
            .parse::<Locale>()
            .map(|l| l.endonym().to_owned())
            .unwrap_or_else(|_| f.shown.clone());
        view! {
            <p class="notice" role="note">
                {t_args(locale, "translation-fallback", &[("language", language.into())])}
            </p>
        }
    })
}

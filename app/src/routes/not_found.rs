//! The 404 page, in the locale of the URL when it has one.

use super::set_status;
use crate::components::layout::Layout;
use crate::components::layout::Seo;
use crate::functions::catalog::{Frame, load_frame};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use tradewind_domain::i18n::t;

#[component]
pub fn NotFound() -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let locale = tradewind_domain::Locale::of_path(&path)
        .unwrap_or(tradewind_domain::Locale::DEFAULT)
        .code()
        .to_owned();
    // Started once: Suspense may walk its children more than once.
    let data = OnceResource::new(load_frame(locale));
    view! {
        <Suspense fallback=|| ()>
            {move || {
                Suspend::new(async move {
                    match data.await {
                        Ok(frame) => page(frame),
                        Err(_) => {
                            set_status(404);
                            view! { <h1>"404"</h1> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

pub(crate) fn page(frame: Frame) -> AnyView {
    set_status(404);
    let locale = frame.locale;
    let seo = Seo {
        title: t(locale, "not-found-title"),
        description: t(locale, "not-found-body"),
        path: format!("/{}", locale.code()),
        og_type: "website",
        noindex: true,
        ..Default::default()
    };
    view! {
        <Layout frame seo>
            <section class="not-found">
                <h1>{t(locale, "not-found-title")}</h1>
                <p>{t(locale, "not-found-body")}</p>
                <p><a href=format!("/{}", locale.code())>{t(locale, "not-found-home")}</a></p>
            </section>
        </Layout>
    }
    .into_any()
}

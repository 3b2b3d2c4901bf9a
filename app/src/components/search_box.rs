//! The header's search box. Server-rendered as a plain input inside a GET form (works
//! without JavaScript); hydrated, it suggests products and collections as the shopper
//! types, as an ARIA combobox: arrows move, Enter opens, Escape closes.

use crate::functions::search::{Suggestion, suggest};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

#[island]
pub fn SearchBox(locale: String, placeholder: String) -> impl IntoView {
    let items = RwSignal::new(Vec::<Suggestion>::new());
    let active = RwSignal::new(None::<usize>);
    let open = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    // Answers can arrive out of order; only the latest request's answer is shown.
    let latest = StoredValue::new(0_u64);
    let ask = move |q: String| {
        latest.update_value(|n| *n += 1);
        let mine = latest.get_value();
        let locale = locale.clone();
        leptos::task::spawn_local(async move {
            let found = if q.trim().chars().count() < 2 {
                Vec::new()
            } else {
                suggest(locale, q).await.unwrap_or_default()
            };
            if latest.get_value() == mine {
                open.set(!found.is_empty());
                items.set(found);
                active.set(None);
            }
        });
    };
    let ask_now = ask.clone();
    // Hydration happens on first focus: pick up anything typed before it finished.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let typed = el.value();
            if !typed.is_empty() {
                ask_now(typed);
            }
        }
    });
    let keydown = move |ev: KeyboardEvent| {
        let count = items.with(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Enter" => {
                if let Some(path) = active
                    .get()
                    .and_then(|i| items.with(|all| all.get(i).map(|s| s.path.clone())))
                {
                    ev.prevent_default();
                    let _ = window().location().set_href(&path);
                }
            }
            "Escape" => {
                open.set(false);
                active.set(None);
            }
            _ => {}
        }
    };
    view! {
        <input
            node_ref=input
            id="site-search-q"
            // `text`, not `search`: HTML allows the combobox role only there.
            type="text"
            enterkeyhint="search"
            name="q"
            placeholder=placeholder
            maxlength="200"
            autocomplete="off"
            role="combobox"
            aria-autocomplete="list"
            aria-controls="search-suggestions"
            aria-expanded=move || open.get().to_string()
            aria-activedescendant=move || active.get().map(|i| format!("suggestion-{i}"))
            on:input=move |ev| ask(event_target_value(&ev))
            on:keydown=keydown
        />
        <ul id="search-suggestions" class="suggestions" role="listbox" hidden=move || !open.get()>
            {move || {
                items
                    .get()
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        view! {
                            <li
                                role="option"
                                id=format!("suggestion-{i}")
                                aria-selected=move || (active.get() == Some(i)).to_string()
                            >
                                <a href=s.path tabindex="-1">
                                    <span class="suggestion-title">{s.title}</span>
                                    <span class="suggestion-detail">{s.detail}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

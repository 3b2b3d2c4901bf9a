//! The variant picker: the one interactive part of a product page.
//!
//! Rendered on the server as a plain GET form (works without JavaScript: pick options,
//! press the button, the server shows that variant). Hydrated as an island, it updates
//! price, stock and picture in place as soon as an option changes.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use tradewind_domain::catalog::view::{ImageView, OptionView};

/// One variant as the picker shows it, with texts already localized on the server so
/// the browser needs no translations or money formatting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i32,
    pub values: Vec<i32>,
    pub price: String,
    pub compare_at: Option<String>,
    /// The tax in or on top of the price for the shopper's country.
    pub tax: String,
    pub stock: String,
    pub in_stock: bool,
    pub sku: String,
    pub image: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickerLabels {
    pub show: String,
    pub unavailable: String,
    pub sku: String,
}

/// The add-to-cart form: where it posts, its CSRF token and its labels. Hydrated, it adds
/// without leaving the page and updates the header's cart link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyForm {
    pub locale: String,
    pub action: String,
    pub csrf: String,
    pub add: String,
    pub quantity: String,
    pub max: i64,
    /// Said when the store does not answer.
    pub failed: String,
}

#[island]
pub fn VariantPicker(
    options: Vec<OptionView>,
    choices: Vec<Choice>,
    images: Vec<ImageView>,
    selected: usize,
    labels: PickerLabels,
    buy: BuyForm,
    children: Children,
) -> impl IntoView {
    let initial = choices
        .get(selected)
        .map(|c| c.values.clone())
        .unwrap_or_default();
    let values = RwSignal::new(initial);
    let choices = StoredValue::new(choices);
    let images = StoredValue::new(images);
    let current = Memo::new(move |_| {
        let wanted = values.get();
        choices.with_value(|all| all.iter().find(|c| c.values == wanted).cloned())
    });
    // The fallback button is for browsers without JavaScript; once hydrated it is hidden.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let image = move || {
        let index = current.get().and_then(|c| c.image).unwrap_or(0);
        images.with_value(|all| all.get(index).or_else(|| all.first()).cloned())
    };
    let unavailable = labels.unavailable.clone();
    let price = move || {
        current
            .get()
            .map(|c| c.price)
            .unwrap_or_else(|| unavailable.clone())
    };
    let compare_at = move || {
        current
            .get()
            .and_then(|c| c.compare_at)
            .map(|c| view! { <s class="compare-at">{c}</s> })
    };
    let stock = move || current.get().map(|c| c.stock).unwrap_or_default();
    let tax = move || current.get().map(|c| c.tax).unwrap_or_default();
    let in_stock = move || current.get().is_some_and(|c| c.in_stock);
    let sku_label = labels.sku.clone();
    let sku = move || {
        current
            .get()
            .map(|c| format!("{}: {}", sku_label, c.sku))
            .unwrap_or_default()
    };

    // Adding with JavaScript: the same form, sent by a server function; the answer is shown
    // here and in the header, and the page stays.
    let quantity = RwSignal::new("1".to_owned());
    let status = RwSignal::new(String::new());
    let adding = RwSignal::new(false);
    let (locale, csrf, failed) = (buy.locale.clone(), buy.csrf.clone(), buy.failed.clone());
    let add = move |ev: leptos::ev::SubmitEvent| {
        let Some(choice) = current.get_untracked() else {
            return;
        };
        ev.prevent_default();
        adding.set(true);
        let (locale, csrf, q) = (locale.clone(), csrf.clone(), quantity.get_untracked());
        let failed = failed.clone();
        leptos::task::spawn_local(async move {
            match crate::functions::checkout::add_to_cart(locale, csrf, choice.id, q).await {
                Ok(added) => {
                    if let Some(text) = added.header {
                        set_cart_link(&text);
                    }
                    status.set(added.message);
                }
                // No answer (offline, an outage): said, not retried, since the line may
                // have been added before the answer was lost.
                Err(_) => status.set(failed.clone()),
            }
            adding.set(false);
        });
    };

    let selects = options
        .into_iter()
        .enumerate()
        .map(|(index, option)| {
            let id = format!("option-{}", index + 1);
            let chosen = move |value: i32| values.with(|v| v.get(index) == Some(&value));
            let entries = option
                .values
                .into_iter()
                .map(|v| view! { <option value=v.id selected=move || chosen(v.id)>{v.label}</option> })
                .collect_view();
            view! {
                <div class="field">
                    <label for=id.clone()>{option.name}</label>
                    <select
                        id=id
                        name=format!("o{}", index + 1)
                        on:change=move |ev| {
                            if let Ok(value) = event_target_value(&ev).parse::<i32>() {
                                values.update(|v| {
                                    if let Some(slot) = v.get_mut(index) {
                                        *slot = value;
                                    }
                                });
                            }
                        }
                    >
                        {entries}
                    </select>
                </div>
            }
        })
        .collect_view();

    view! {
        <div class="product-top">
            <div class="gallery">
                {move || {
                    image()
                        .map(|img| {
                            view! {
                                <img
                                    src=img.src
                                    srcset=img.srcset
                                    sizes="(min-width: 60rem) 50vw, 100vw"
                                    width=img.width
                                    height=img.height
                                    alt=img.alt
                                    fetchpriority="high"
                                />
                            }
                        })
                }}
            </div>
            <div class="buy">
                {children()}
                <p class="price" aria-live="polite">
                    <span class="amount">{price}</span>
                    " "
                    {compare_at}
                </p>
                <p class="tax-note" aria-live="polite">{tax}</p>
                <p class="stock" class:sold-out=move || !in_stock() aria-live="polite">{stock}</p>
                <p class="sku">{sku}</p>
                <form class="variant-form" method="get">
                    {selects}
                    <button type="submit" hidden=move || hydrated.get()>{labels.show}</button>
                </form>
                <form class="buy-form" method="post" action=buy.action on:submit=add>
                    <input type="hidden" name="csrf" value=buy.csrf/>
                    <input type="hidden" name="variant" value=move || current.get().map(|c| c.id)/>
                    <div class="field">
                        <label for="buy-quantity">{buy.quantity}</label>
                        <input
                            id="buy-quantity"
                            type="number"
                            name="quantity"
                            value="1"
                            min="1"
                            max=buy.max
                            inputmode="numeric"
                            on:input=move |ev| quantity.set(event_target_value(&ev))
                        />
                    </div>
                    <button type="submit" class="button" disabled=move || !in_stock() || adding.get()>
                        {buy.add}
                    </button>
                </form>
                <p class="buy-status" role="status">{move || status.get()}</p>
            </div>
        </div>
    }
}

/// The header's cart link shows the new count (it is outside this island).
fn set_cart_link(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(Some(link)) = leptos::prelude::document().query_selector(".cart-link") {
        link.set_text_content(Some(text));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

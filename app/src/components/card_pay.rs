//! Paying an order by card: Stripe's card field in the order page, as an island.
//!
//! Stripe.js (loaded from the configured address) draws the card field in its own frame and
//! makes a PaymentMethod of it: the card number never reaches the store. The store confirms
//! the order's PaymentIntent with it (`card_step`); when the bank wants the shopper to
//! authenticate (3-D Secure), Stripe.js shows its page and the store asks Stripe how it
//! ended (`card_step` again, without a card). A paid order reloads the page, which then
//! says so.
//!
//! Rendered on the server, the button is disabled (the page says why cards need JavaScript
//! in a `noscript` beside the island); the checkout offers the other methods to browsers
//! without it.

use leptos::prelude::*;

/// What the store says after a card step (`functions::payments::card_step`). It travels as
/// one string (`encode`, `decode`): a serde enum costs the browser bundle more than the
/// card form itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardAnswer {
    /// Paid, or the order no longer waits: show the order page again.
    Reload,
    /// Stripe.js must let the shopper authenticate with this client secret.
    Authenticate(String),
    /// A sentence for the shopper (declined, try again…).
    Say(String),
}

impl CardAnswer {
    pub fn encode(self) -> String {
        match self {
            Self::Reload => "reload".into(),
            Self::Authenticate(secret) => format!("authenticate:{secret}"),
            Self::Say(text) => format!("say:{text}"),
        }
    }

    pub fn decode(answer: &str) -> Self {
        if let Some(secret) = answer.strip_prefix("authenticate:") {
            Self::Authenticate(secret.to_owned())
        } else if let Some(text) = answer.strip_prefix("say:") {
            Self::Say(text.to_owned())
        } else {
            Self::Reload
        }
    }
}

/// The card form of an order: `form` is `[locale, csrf, token, key, pay, working, failed]`,
/// the order's status-page `token`, Stripe's publishable `key` and the texts already in the
/// shopper's language (`pay`: "Pay €44.99", `working`: said while Stripe works, `failed`:
/// said when the store or Stripe.js cannot be reached); the card field's label and frame
/// come as `children` (server-rendered). One list of strings, not a struct: each struct an
/// island takes costs the browser bundle a deserializer of its own (4 KB here), and this
/// page must keep every page's bundle within its budget.
#[island]
pub fn CardPay(form: Vec<String>, children: Children) -> impl IntoView {
    let [locale, csrf, token, key, pay, working, failed] =
        std::array::from_fn(|i| form.get(i).cloned().unwrap_or_default());
    let status = RwSignal::new(String::new());
    // The button works once Stripe.js drew the card field, and not while a payment runs.
    let open = RwSignal::new(false);

    #[cfg(feature = "hydrate")]
    {
        let failed = failed.clone();
        Effect::new(move |_| {
            if js::mount(&key, "#card-element") {
                open.set(true);
            } else {
                status.set(failed.clone());
            }
        });
    }

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !open.get_untracked() {
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            open.set(false);
            status.set(working.clone());
            let (locale, csrf, token, failed) =
                (locale.clone(), csrf.clone(), token.clone(), failed.clone());
            leptos::task::spawn_local(async move {
                match js::pay(locale, csrf, token).await {
                    Ok(CardAnswer::Reload) => js::reload(),
                    Ok(CardAnswer::Say(text)) => status.set(text),
                    Ok(CardAnswer::Authenticate(_)) | Err(()) => status.set(failed),
                }
                open.set(true);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&locale, &csrf, &token, &key, &working, &failed);
    };

    view! {
        <form class="card-pay" method="post" on:submit=submit>
            {children()}
            <p class="card-status" role="status" aria-live="polite">{move || status.get()}</p>
            <button type="submit" disabled=move || !open.get()>{pay}</button>
        </form>
    }
}

/// Stripe.js, called from the island.
#[cfg(feature = "hydrate")]
mod js {
    use super::CardAnswer;
    use js_sys::{Object, Reflect};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    #[wasm_bindgen]
    extern "C" {
        #[derive(Clone)]
        type Stripe;
        #[wasm_bindgen(catch, js_name = Stripe)]
        fn stripe(key: &str) -> Result<Stripe, JsValue>;
        #[wasm_bindgen(method)]
        fn elements(this: &Stripe) -> Elements;
        #[wasm_bindgen(method, js_name = createPaymentMethod)]
        fn create_payment_method(this: &Stripe, data: &JsValue) -> js_sys::Promise;
        #[wasm_bindgen(method, js_name = handleNextAction)]
        fn handle_next_action(this: &Stripe, data: &JsValue) -> js_sys::Promise;

        type Elements;
        #[wasm_bindgen(method)]
        fn create(this: &Elements, kind: &str) -> Element;

        #[derive(Clone)]
        type Element;
        #[wasm_bindgen(method, catch)]
        fn mount(this: &Element, selector: &str) -> Result<(), JsValue>;
    }

    thread_local! {
        /// Stripe.js and its card field, once drawn (the page has one card form).
        static MOUNTED: std::cell::RefCell<Option<(Stripe, Element)>> =
            const { std::cell::RefCell::new(None) };
    }

    /// Draws Stripe.js's card field at `selector`; false when Stripe.js is missing (blocked,
    /// or not loaded).
    pub fn mount(key: &str, selector: &str) -> bool {
        let Ok(stripe) = stripe(key) else {
            return false;
        };
        let card = stripe.elements().create("card");
        if card.mount(selector).is_err() {
            return false;
        }
        MOUNTED.with_borrow_mut(|m| *m = Some((stripe, card)));
        true
    }

    fn get(v: &JsValue, key: &str) -> JsValue {
        Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn object(pairs: &[(&str, &JsValue)]) -> JsValue {
        let o = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&o, &JsValue::from_str(k), v);
        }
        o.into()
    }

    /// Stripe.js's `{error: {message}}`, if the answer is one.
    fn error_of(answer: &JsValue) -> Option<String> {
        let e = get(answer, "error");
        (!e.is_undefined() && !e.is_null())
            .then(|| get(&e, "message").as_string().unwrap_or_default())
    }

    /// The whole payment: the card made a PaymentMethod, the order confirmed with it, an
    /// authentication if the bank wants one, and how it ended. `Err` when something did not
    /// answer (the shopper is told, and may try again: nothing is charged twice).
    pub async fn pay(locale: String, csrf: String, token: String) -> Result<CardAnswer, ()> {
        let (stripe, card) = MOUNTED.with_borrow(Clone::clone).ok_or(())?;
        let made = JsFuture::from(stripe.create_payment_method(&object(&[
            ("type", &JsValue::from_str("card")),
            ("card", card.as_ref()),
        ])))
        .await
        .map_err(|_| ())?;
        if let Some(message) = error_of(&made) {
            // The card field's own complaint (an incomplete number…), in Stripe.js's words.
            return Ok(CardAnswer::Say(message));
        }
        let method = get(&get(&made, "paymentMethod"), "id")
            .as_string()
            .ok_or(())?;
        let step = crate::functions::payments::card_step(
            locale.clone(),
            csrf.clone(),
            token.clone(),
            method,
        )
        .await
        .map(|a| CardAnswer::decode(&a))
        .map_err(|_| ())?;
        let CardAnswer::Authenticate(secret) = step else {
            return Ok(step);
        };
        // Stripe.js shows the bank's page; how it ended is asked of the store either way.
        let _ = JsFuture::from(
            stripe.handle_next_action(&object(&[("clientSecret", &JsValue::from_str(&secret))])),
        )
        .await;
        crate::functions::payments::card_step(locale, csrf, token, String::new())
            .await
            .map(|a| CardAnswer::decode(&a))
            .map_err(|_| ())
    }

    /// The order page again, now saying where the order stands.
    pub fn reload() {
        let location = leptos::prelude::window().location();
        if let Ok(here) = location.href() {
            let _ = location.set_href(&here);
        }
    }
}

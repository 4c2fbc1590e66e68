//! Labelled form fields that show the API's field errors beside themselves.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::use_i18n;

/// The error code the API gave `field` in `error`, as a signal.
pub fn field_error(error: Signal<Option<ApiError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field(field)))
}

/// The translated error message under a field, linked by `id` for `aria-describedby`.
#[component]
fn FieldMessage(id: String, #[prop(into)] code: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || code.get().is_some()>
            <p class="field-error" id=id.clone()>
                {move || code.get().map(|c| i18n.t().field_error(&c)).unwrap_or_default()}
            </p>
        </Show>
    }
}

/// A labelled text input or textarea bound to `value`.
#[component]
pub fn TextField(
    id: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] hint: Option<Signal<&'static str>>,
    #[prop(optional)] multiline: bool,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    let invalid = move || error.get().is_some().to_string();
    let input = if multiline {
        view! {
            <textarea
                id=id
                name=id
                rows="6"
                required=true
                maxlength=maxlength
                aria-invalid=invalid
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id
                name=id
                type=kind
                required=true
                autocomplete=autocomplete
                maxlength=maxlength
                aria-invalid=invalid
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            {input}
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{move || hint.get()}</p> })}
            <FieldMessage id=error_id code=error/>
        </div>
    }
}

/// A labelled `<select>` of `(value, label)` options bound to `value`.
#[component]
pub fn SelectField(
    id: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(into)] error: Signal<Option<String>>,
    /// Text of an empty first option ("Choose…"), if any.
    #[prop(optional, into)]
    placeholder: Option<Signal<&'static str>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = {
        let error_id = error_id.clone();
        move || error.get().map(|_| error_id.clone()).unwrap_or_default()
    };
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <select
                id=id
                name=id
                required=placeholder.is_some()
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {placeholder.map(|p| view! { <option value="">{move || p.get()}</option> })}
                <For
                    each=move || options.get()
                    key=|(v, l)| format!("{v}\u{0}{l}")
                    let((v, l))
                >
                    <option value=v.clone() selected=move || value.get() == v>{l}</option>
                </For>
            </select>
            <FieldMessage id=error_id code=error/>
        </div>
    }
}

//! Reusable pieces: props in, callbacks out. No HTTP here (that is `api`).

pub mod files;
pub mod form;
pub mod ticket_card;
pub mod tokens;

use leptos::prelude::*;
use shared::TicketStatus;

use crate::api::ApiError;
use crate::i18n::use_i18n;

/// A status as a coloured badge with its name.
#[component]
pub fn StatusBadge(#[prop(into)] status: Signal<TicketStatus>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=move || format!("badge status-{}", status.get().as_str())>
            {move || i18n.t().status(status.get())}
        </span>
    }
}

/// A request failure in words, announced to screen readers.
#[component]
pub fn ErrorBanner(#[prop(into)] error: Signal<Option<ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || error.get().is_some()>
            <p class="alert" role="alert">
                {move || error.get().map(|e| i18n.t().problem(e.code())).unwrap_or_default()}
            </p>
        </Show>
    }
}

/// The loading line shown while a request is in flight.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" role="status" aria-live="polite">{move || i18n.t().loading}</p> }
}

/// Asks the agent to confirm `question` in the browser's dialog; no answer counts as no.
pub fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}

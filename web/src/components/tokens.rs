//! API tokens on screen: the table of tokens with their revoke buttons, and the one-time view of
//! a new token's secret.

use leptos::prelude::*;
use shared::ApiToken;

use crate::format::datetime;
use crate::i18n::{fill, use_i18n};

/// Whether `token` has expired at `now_ms` (milliseconds since the epoch).
pub fn is_expired(token: &ApiToken, now_ms: f64) -> bool {
    token
        .expires_at
        .is_some_and(|at| (at.timestamp_millis() as f64) <= now_ms)
}

/// The tokens, newest first, each with a revoke button; with `show_owner`, whose each one is.
#[component]
pub fn TokenTable(
    #[prop(into)] tokens: Signal<Vec<ApiToken>>,
    #[prop(optional)] show_owner: bool,
    #[prop(into)] busy: Signal<bool>,
    on_revoke: Callback<ApiToken>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let when = move |at: Option<chrono::DateTime<chrono::Utc>>, none: &'static str| {
        at.map(|at| datetime(&at, i18n.lang.get()))
            .unwrap_or_else(|| none.to_owned())
    };
    view! {
        <Show when=move || !tokens.get().is_empty() fallback=move || view! { <p class="muted">{move || t().no_tokens}</p> }>
            <div class="table-wrap">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().field_token_name}</th>
                            <Show when=move || show_owner>
                                <th scope="col">{move || t().token_owner}</th>
                            </Show>
                            <th scope="col">{move || t().field_scope}</th>
                            <th scope="col">{move || t().token_prefix}</th>
                            <th scope="col">{move || t().created_at}</th>
                            <th scope="col">{move || t().expires_at}</th>
                            <th scope="col">{move || t().last_used}</th>
                            <th scope="col"><span class="visually-hidden">{move || t().revoke}</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || tokens.get() key=|token| token.id let(token)>
                            {
                                let expired = is_expired(&token, js_sys::Date::now());
                                let (created, expires, used) = (token.created_at, token.expires_at, token.last_used_at);
                                let name = token.name.clone();
                                let owner = token.agent.name.clone();
                                let revoke_label = move || fill(t().revoke_named, &[("name", &name)]);
                                view! {
                                    <tr>
                                        <td>{token.name.clone()}</td>
                                        <Show when=move || show_owner>
                                            <td>{owner.clone()}</td>
                                        </Show>
                                        <td>{move || t().scope(token.scope)}</td>
                                        <td><code>{token.prefix.clone()}"…"</code></td>
                                        <td>{move || when(Some(created), "")}</td>
                                        <td>
                                            {move || when(expires, t().expiry_never)}
                                            {expired.then(|| view! { " " <span class="badge status-closed">{move || t().expired}</span> })}
                                        </td>
                                        <td>{move || when(used, t().never_used)}</td>
                                        <td>
                                            <button
                                                type="button"
                                                class="button small danger"
                                                aria-label=revoke_label
                                                disabled=move || busy.get()
                                                on:click={
                                                    let token = token.clone();
                                                    move |_| on_revoke.run(token.clone())
                                                }
                                            >
                                                {move || t().revoke}
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

/// A new token's secret, shown this once, with a copy button.
#[component]
pub fn SecretReveal(secret: String) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let copied = RwSignal::new(false);
    let copy = {
        let secret = secret.clone();
        move |_| {
            let Some(window) = web_sys::window() else {
                return;
            };
            let promise = window.navigator().clipboard().write_text(&secret);
            leptos::task::spawn_local(async move {
                let done = wasm_bindgen_futures::JsFuture::from(promise).await;
                copied.set(done.is_ok());
            });
        }
    };
    view! {
        <div class="secret-box stack" role="status">
            <p>{move || t().token_created}</p>
            <div class="field">
                <label for="new-token-secret">{move || t().new_token_label}</label>
                <div class="secret-row">
                    <input
                        id="new-token-secret"
                        type="text"
                        readonly=true
                        spellcheck="false"
                        autocomplete="off"
                        prop:value=secret
                        on:focus=|ev| {
                            use wasm_bindgen::JsCast;
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        }
                    />
                    <button type="button" class="button" on:click=copy>{move || t().copy}</button>
                </div>
                <p class="hint" aria-live="polite">{move || copied.get().then(|| t().copied)}</p>
            </div>
        </div>
    }
}

//! "Minha conta": change the password, and create, list and revoke one's API tokens.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::{ApiToken, NewApiToken, PasswordChange, TokenScope};

use crate::api::{self, ApiError};
use crate::components::form::{SelectField, TextField, field_error};
use crate::components::tokens::{SecretReveal, TokenTable};
use crate::components::{ErrorBanner, Loading, confirm};
use crate::i18n::{fill, use_i18n};
use crate::session;

/// The validity choices of a new token, in days; `None` never expires.
const EXPIRY_DAYS: [Option<i64>; 5] = [Some(7), Some(30), Some(90), Some(365), None];

/// When a token created at `now_ms` for `days` (a choice of the expiry select) expires.
pub fn expiry(now_ms: f64, days: &str) -> Option<DateTime<Utc>> {
    let days: i64 = days.parse().ok()?;
    DateTime::from_timestamp_millis(now_ms as i64 + days * 86_400_000)
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        <section class="page">
            <h1>{move || t().account_title}</h1>
            <div class="stack">
                <PasswordForm/>
                <OwnTokens/>
            </div>
        </section>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let change = Action::new_local(move |_: &()| {
        let body = PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        // The old token stops working: carry on with the one the answer brings.
        async move {
            api::change_password(&body)
                .await
                .map(|auth| session::start(auth.into()))
        }
    });
    Effect::new(move || {
        if let Some(Ok(())) = change.value().get() {
            current.set(String::new());
            new.set(String::new());
        }
    });
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let done = move || matches!(change.value().get(), Some(Ok(())));
    view! {
        <section class="card stack" aria-labelledby="password-title">
            <h2 id="password-title">{move || t().password_title}</h2>
            <form class="stack" novalidate=true on:submit=move |ev| {
                ev.prevent_default();
                change.dispatch(());
            }>
                <TextField id="current-password" label=Signal::derive(move || t().field_current_password)
                    value=current error=field_error(error, "current_password") kind="password"
                    autocomplete="current-password" maxlength=128/>
                <TextField id="new-password" label=Signal::derive(move || t().field_new_password)
                    value=new error=field_error(error, "new_password") kind="password"
                    autocomplete="new-password" hint=Signal::derive(move || t().password_hint) maxlength=128/>
                <ErrorBanner error=Signal::derive(move || error.get().filter(|e| e.field_errors().is_empty()))/>
                <p class="notice" role="status">{move || done().then(|| t().password_changed)}</p>
                <div>
                    <button type="submit" class="button primary" disabled=move || change.pending().get()>
                        {move || t().password_change_submit}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// Asks before revoking `token`, then revokes it.
pub fn revoke_action(reload: RwSignal<u32>) -> Action<ApiToken, Result<(), ApiError>> {
    let i18n = use_i18n();
    Action::new_local(move |token: &ApiToken| {
        let (id, name) = (token.id, token.name.clone());
        async move {
            let question = fill(i18n.t().revoke_confirm, &[("name", &name)]);
            if !confirm(&question) {
                return Ok(());
            }
            let result = api::revoke_api_token(id).await;
            reload.update(|n| *n += 1);
            result
        }
    })
}

#[component]
fn OwnTokens() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0_u32);
    let tokens = LocalResource::new(move || {
        reload.track();
        api::api_tokens(false)
    });
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(TokenScope::Read.as_str().to_owned());
    let days = RwSignal::new("30".to_owned());
    let create = Action::new_local(move |_: &()| {
        let body = NewApiToken {
            name: name.get_untracked(),
            scope: scope.get_untracked().parse().unwrap_or(TokenScope::Read),
            expires_at: expiry(js_sys::Date::now(), &days.get_untracked()),
        };
        async move { api::create_api_token(&body).await }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
            reload.update(|n| *n += 1);
        }
    });
    let revoke = revoke_action(reload);
    let secret = move || create.value().get().and_then(Result::ok).map(|c| c.secret);
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
    });
    let scope_options = Signal::derive(move || {
        TokenScope::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), t().scope(*s).to_owned()))
            .collect::<Vec<_>>()
    });
    let expiry_options = Signal::derive(move || {
        EXPIRY_DAYS
            .iter()
            .map(|days| match days {
                Some(days) => (
                    days.to_string(),
                    fill(t().expiry_days, &[("days", &days.to_string())]),
                ),
                None => (String::new(), t().expiry_never.to_owned()),
            })
            .collect::<Vec<_>>()
    });
    view! {
        <section class="card stack" aria-labelledby="tokens-title">
            <h2 id="tokens-title">{move || t().tokens_title}</h2>
            <p class="muted">{move || t().tokens_intro}</p>
            <form class="stack" novalidate=true on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(());
            }>
                <div class="grid-2">
                    <TextField id="token-name" label=Signal::derive(move || t().field_token_name)
                        value=name error=field_error(error, "name")
                        hint=Signal::derive(move || t().token_name_hint) maxlength=100/>
                    <SelectField id="token-scope" label=Signal::derive(move || t().field_scope)
                        value=scope options=scope_options error=field_error(error, "scope")/>
                    <SelectField id="token-expiry" label=Signal::derive(move || t().field_expiry)
                        value=days options=expiry_options error=field_error(error, "expires_at")/>
                </div>
                <ErrorBanner error=Signal::derive(move || error.get().filter(|e| e.field_errors().is_empty()))/>
                <div>
                    <button type="submit" class="button primary" disabled=move || create.pending().get()>
                        {move || t().create_token_submit}
                    </button>
                </div>
            </form>
            {move || secret().map(|secret| view! { <SecretReveal secret=secret/> })}
            <Suspense fallback=|| view! { <Loading/> }>
                <TokenTable
                    tokens=Signal::derive(move || tokens.get().and_then(Result::ok).unwrap_or_default())
                    busy=revoke.pending()
                    on_revoke=Callback::new(move |token| { revoke.dispatch(token); })
                />
            </Suspense>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_counts_whole_days_from_now_and_never_is_none() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap();
        let now_ms = now.timestamp_millis() as f64;
        assert_eq!(
            expiry(now_ms, "30").map(|at| at.to_rfc3339()),
            Some("2026-03-31T12:00:00+00:00".to_owned())
        );
        assert_eq!(expiry(now_ms, ""), None);
    }
}

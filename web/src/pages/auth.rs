//! Log in and sign up: one form, two modes.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::{LoginRequest, RegisterRequest};

use crate::api::{self, ApiError};
use crate::app::Shell;
use crate::components::ErrorBanner;
use crate::components::form::{TextField, field_error};
use crate::i18n::use_i18n;
use crate::session::{self, Ended};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Login,
    Signup,
}

/// Where to go after signing in: the `next` page if it is a local path.
pub fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".to_owned())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    view! { <AuthPage mode=Mode::Login/> }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    view! { <AuthPage mode=Mode::Signup/> }
}

#[component]
fn AuthPage(mode: Mode) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let query = use_query_map();
    let next = Memo::new(move |_| safe_next(query.read().get("next")));
    let navigate = use_navigate();
    // Already signed in (or just signed in): go where the agent wanted.
    Effect::new(move || {
        if session::current().is_some() {
            navigate(
                &next.get(),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });

    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = Action::new_local(move |_: &()| {
        let (name, email, password) = (
            name.get_untracked(),
            email.get_untracked(),
            password.get_untracked(),
        );
        async move {
            let result = match mode {
                Mode::Login => api::login(&LoginRequest { email, password }).await,
                Mode::Signup => {
                    api::register(&RegisterRequest {
                        name,
                        email,
                        password,
                    })
                    .await
                }
            };
            result.map(|auth| session::start(auth.into()))
        }
    });
    let error: Signal<Option<ApiError>> =
        Signal::derive(move || submit.value().get().and_then(Result::err));
    let pending = submit.pending();
    let title = move || match mode {
        Mode::Login => t().login_title,
        Mode::Signup => t().signup_title,
    };
    let expired = move || session::ended() == Some(Ended::Expired) && mode == Mode::Login;
    let other = move || match mode {
        Mode::Login => ("/signup", t().to_signup),
        Mode::Signup => ("/login", t().to_login),
    };

    view! {
        <Shell>
            <section class="page narrow auth">
                <h1>{title}</h1>
                <Show when=expired>
                    <p class="notice" role="status">{move || t().session_expired}</p>
                </Show>
                <form
                    class="stack"
                    novalidate=true
                    on:submit=move |ev| {
                        ev.prevent_default();
                        submit.dispatch(());
                    }
                >
                    <Show when=move || mode == Mode::Signup>
                        <TextField
                            id="name"
                            label=Signal::derive(move || t().field_name)
                            value=name
                            error=field_error(error, "name")
                            autocomplete="name"
                            maxlength=100
                        />
                    </Show>
                    <TextField
                        id="email"
                        label=Signal::derive(move || t().field_email)
                        value=email
                        error=field_error(error, "email")
                        kind="email"
                        autocomplete="email"
                    />
                    <TextField
                        id="password"
                        label=Signal::derive(move || t().field_password)
                        value=password
                        error=field_error(error, "password")
                        kind="password"
                        autocomplete=if mode == Mode::Login { "current-password" } else { "new-password" }
                        hint=Signal::derive(move || t().password_hint)
                        maxlength=128
                    />
                    <ErrorBanner error=Signal::derive(move || error.get().filter(|e| e.field_errors().is_empty()))/>
                    <button type="submit" class="button primary" disabled=move || pending.get()>
                        {move || match mode {
                            Mode::Login => t().login_submit,
                            Mode::Signup => t().signup_submit,
                        }}
                    </button>
                </form>
                <p class="switch-auth">
                    <A href=move || format!("{}?next={}", other().0, crate::url::encode(&next.get()))>
                        {move || other().1}
                    </A>
                </p>
            </section>
        </Shell>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_only_goes_to_local_pages() {
        assert_eq!(safe_next(Some("/tickets/5?x=1".into())), "/tickets/5?x=1");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
    }
}

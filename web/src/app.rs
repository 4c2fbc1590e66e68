//! The router, the contexts and the page shell (header, navigation, language switch).

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{NavigateOptions, path};

use crate::i18n::{Lang, provide_i18n, use_i18n};
use crate::pages::{
    account::AccountPage,
    admin::AdminPage,
    auth::{LoginPage, SignupPage},
    dashboard::DashboardPage,
    new_ticket::NewTicketPage,
    not_found::NotFoundPage,
    ticket::TicketPage,
};
use crate::session::{self, Ended};
use crate::url::{encode, path_and_query};

#[component]
pub fn App() -> impl IntoView {
    let i18n = provide_i18n();
    // Keep <html lang> in step with the chosen language (screen readers, hyphenation).
    Effect::new(move || {
        let tag = i18n.lang.get().tag();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", tag);
        }
    });
    // A stored session is checked once: a revoked token ends it, a renamed agent is refreshed.
    if session::token().is_some() {
        leptos::task::spawn_local(async {
            if let Ok(agent) = crate::api::me().await {
                session::refresh_agent(agent);
            }
        });
    }
    view! {
        <Router>
            <Routes fallback=|| view! { <Shell><NotFoundPage/></Shell> }>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/signup") view=SignupPage/>
                <Route path=path!("/") view=|| view! { <Protected><DashboardPage/></Protected> }/>
                <Route path=path!("/tickets/new") view=|| view! { <Protected><NewTicketPage/></Protected> }/>
                <Route path=path!("/tickets/:id") view=|| view! { <Protected><TicketPage/></Protected> }/>
                <Route path=path!("/admin") view=|| view! { <Protected><AdminPage/></Protected> }/>
                <Route path=path!("/account") view=|| view! { <Protected><AccountPage/></Protected> }/>
            </Routes>
        </Router>
    }
}

/// Shows its children only to a signed-in agent; anyone else goes to the login page, which
/// brings them back here afterwards.
#[component]
fn Protected(children: ChildrenFn) -> impl IntoView {
    let navigate = use_navigate();
    let location = use_location();
    Effect::new(move || {
        if session::current().is_none() {
            let here = path_and_query(
                &location.pathname.get_untracked(),
                &location.search.get_untracked(),
            );
            navigate(
                &format!("/login?next={}", encode(&here)),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let signed_in = Memo::new(move |_| session::current().is_some());
    move || {
        signed_in.get().then(|| {
            let children = children.clone();
            view! { <Shell>{children()}</Shell> }
        })
    }
}

/// The language switch: Português / English.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let option = move |lang: Lang, label: &'static str| {
        view! {
            <button
                type="button"
                class="lang-option"
                lang=lang.tag()
                aria-pressed=move || (i18n.lang.get() == lang).to_string()
                on:click=move |_| i18n.set(lang)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="lang-switch" role="group" aria-label=move || i18n.t().language>
            {option(Lang::PtBr, "PT")}
            {option(Lang::En, "EN")}
        </div>
    }
}

/// Header, navigation and the main landmark around a page.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let is_admin = move || session::current().is_some_and(|s| s.is_admin());
    let signed_in = move || session::current().is_some();
    // The server ends the session (every token of it); the browser forgets it even offline.
    let log_out = move |_| {
        leptos::task::spawn_local(async {
            let _ = crate::api::logout().await;
            session::end(Ended::LoggedOut);
        });
    };
    view! {
        <a class="skip-link" href="#content">{move || t().skip_to_content}</a>
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"G"</span>
                <span>{move || t().app_name}</span>
            </A>
            <Show when=signed_in>
                <nav class="main-nav" aria-label=move || t().main_nav>
                    <A href="/" exact=true>{move || t().nav_dashboard}</A>
                    <A href="/tickets/new">{move || t().nav_new_ticket}</A>
                    <Show when=is_admin>
                        <A href="/admin">{move || t().nav_admin}</A>
                    </Show>
                </nav>
            </Show>
            <div class="topbar-end">
                <LanguageSwitch/>
                <Show when=signed_in>
                    <A href="/account" attr:class="who" attr:title=move || t().nav_account>
                        {move || session::current().map(|s| s.agent.name).unwrap_or_default()}
                    </A>
                    <button type="button" class="button ghost" on:click=log_out>
                        {move || t().logout}
                    </button>
                </Show>
            </div>
        </header>
        <main id="content" tabindex="-1">{children()}</main>
    }
}

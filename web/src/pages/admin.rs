//! Administration: agents (role, deactivation), every agent's API tokens, the audit log, and the
//! categories and channels.

use std::collections::HashMap;

use leptos::prelude::*;
use shared::{Agent, AgentPatch, AuditEntry, NewReferenceItem, RegisterRequest, Role};

use crate::api::{self, ApiError};
use crate::components::form::{TextField, field_error};
use crate::components::tokens::TokenTable;
use crate::components::{ErrorBanner, Loading, confirm};
use crate::format::datetime;
use crate::i18n::{Texts, fill, use_i18n};
use crate::pages::account::revoke_action;
use crate::session;

/// What an audit entry is about, in words: an agent's name, or a token's number.
pub fn target_label(target: &str, names: &HashMap<i64, String>, t: &Texts) -> String {
    match target.split_once(':') {
        Some(("agent", id)) => id
            .parse()
            .ok()
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| format!("#{id}")),
        Some(("token", id)) => fill(t.audit_token, &[("id", id)]),
        _ => target.to_owned(),
    }
}

/// The facts of an audit entry as `key: value` pairs, in a stable order.
pub fn details_text(entry: &AuditEntry) -> String {
    entry
        .details
        .iter()
        .map(|(key, value)| format!("{key}: {value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let is_admin = move || session::current().is_some_and(|s| s.is_admin());
    view! {
        <section class="page">
            <h1>{move || t().admin_title}</h1>
            <Show when=is_admin fallback=move || view! { <p class="alert" role="alert">{move || t().admin_only}</p> }>
                <div class="stack">
                    <AgentsManager/>
                    <AllTokens/>
                    <AuditLog/>
                    <div class="grid-2">
                        <ListEditor list="categories" title=Signal::derive(move || t().categories_title)/>
                        <ListEditor list="channels" title=Signal::derive(move || t().channels_title)/>
                    </div>
                </div>
            </Show>
        </section>
    }
}

/// One reference list with a form to add to it.
#[component]
fn ListEditor(list: &'static str, #[prop(into)] title: Signal<&'static str>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0_u32);
    let items = LocalResource::new(move || {
        reload.track();
        async move {
            match list {
                "categories" => api::categories().await,
                _ => api::channels().await,
            }
        }
    });
    let name = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    let add = Action::new_local(move |_: &()| {
        let item = NewReferenceItem {
            name: name.get_untracked(),
            slug: Some(slug.get_untracked().trim().to_owned()).filter(|s| !s.is_empty()),
        };
        async move { api::add_reference(list, &item).await }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = add.value().get() {
            name.set(String::new());
            slug.set(String::new());
            reload.update(|n| *n += 1);
        }
    });
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let heading_id = format!("{list}-title");
    let labelled_by = heading_id.clone();
    view! {
        <section class="card stack" aria-labelledby=labelled_by>
            <h2 id=heading_id>{move || title.get()}</h2>
            <Suspense fallback=|| view! { <Loading/> }>
                <ul class="ref-list">
                    {move || items.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|item| view! {
                        <li>{item.name}" "<code class="muted">{item.slug}</code></li>
                    }).collect_view()}
                </ul>
            </Suspense>
            <form class="stack" novalidate=true on:submit=move |ev| {
                ev.prevent_default();
                add.dispatch(());
            }>
                <TextField id=if list == "categories" { "category-name" } else { "channel-name" }
                    label=Signal::derive(move || t().field_name) value=name error=field_error(error, "name") maxlength=60/>
                <TextField id=if list == "categories" { "category-slug" } else { "channel-slug" }
                    label=Signal::derive(move || t().field_slug_optional) value=slug error=field_error(error, "slug") maxlength=50/>
                <ErrorBanner error=Signal::derive(move || error.get().filter(|e| e.field_errors().is_empty()))/>
                <div>
                    <button type="submit" class="button primary" disabled=move || add.pending().get()>{move || t().add_entry}</button>
                </div>
            </form>
        </section>
    }
}

/// Every agent with their role and state, changeable (the server refuses to leave no admin).
#[component]
fn AgentsManager() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0_u32);
    let agents = LocalResource::new(move || {
        reload.track();
        api::agents()
    });
    let update = Action::new_local(move |(agent, patch): &(Agent, AgentPatch)| {
        let (agent, patch) = (agent.clone(), *patch);
        async move {
            if patch.active == Some(false) {
                let question = fill(i18n.t().deactivate_confirm, &[("name", &agent.name)]);
                if !confirm(&question) {
                    return Ok(agent);
                }
            }
            let result = api::update_agent(agent.id, &patch).await;
            reload.update(|n| *n += 1);
            result
        }
    });
    // Demoting yourself takes the admin pages away, once the list has reloaded: ending the page
    // while the list still loads would read it after disposal (a panic).
    Effect::new(move || {
        if let Some(Ok(list)) = agents.get() {
            list.into_iter().for_each(session::refresh_agent);
        }
    });
    let error: Signal<Option<ApiError>> =
        Signal::derive(move || update.value().get().and_then(Result::err));
    let me = move || session::current().map(|s| s.agent.id);
    view! {
        <section class="card stack" aria-labelledby="agents-title">
            <h2 id="agents-title">{move || t().agents_title}</h2>
            <ErrorBanner error=error/>
            <NewAgentForm on_added=move || reload.update(|n| *n += 1)/>
            <Suspense fallback=|| view! { <Loading/> }>
                <div class="table-wrap">
                    <table class="data-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || t().field_name}</th>
                                <th scope="col">{move || t().field_email}</th>
                                <th scope="col">{move || t().field_role}</th>
                                <th scope="col">{move || t().agent_state}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || agents.get().and_then(Result::ok).unwrap_or_default()
                                key=|a| (a.id, a.role, a.active)
                                let(agent)
                            >
                                {
                                    let select_id = format!("role-{}", agent.id);
                                    let current_role = agent.role;
                                    let role_agent = agent.clone();
                                    let state_agent = agent.clone();
                                    let name = agent.name.clone();
                                    // Untracked: a change of session re-rendering the rows would race the page going away.
                                    let is_me = untrack(me) == Some(agent.id);
                                    let role_label = {
                                        let name = name.clone();
                                        move || fill(t().role_of, &[("name", &name)])
                                    };
                                    let state_label = move || {
                                        let template = if state_agent.active { t().deactivate_named } else { t().activate_named };
                                        fill(template, &[("name", &name)])
                                    };
                                    let toggle = agent.clone();
                                    view! {
                                        <tr class:inactive=!agent.active>
                                            <td>{agent.name.clone()}{is_me.then(|| view! { " " <span class="muted">{move || t().you}</span> })}</td>
                                            <td>{agent.email.clone()}</td>
                                            <td>
                                                <label class="visually-hidden" for=select_id.clone()>{role_label}</label>
                                                <select
                                                    id=select_id
                                                    disabled=move || update.pending().get()
                                                    // A refused change (the last administrator) keeps the row, which would
                                                    // go on showing the role chosen: show the one the agent still has.
                                                    prop:value=move || {
                                                        update.value().track();
                                                        current_role.as_str()
                                                    }
                                                    on:change=move |ev| {
                                                        let role = if event_target_value(&ev) == "admin" { Role::Admin } else { Role::Agent };
                                                        update.dispatch((role_agent.clone(), AgentPatch { role: Some(role), ..Default::default() }));
                                                    }
                                                >
                                                    {[Role::Agent, Role::Admin].into_iter().map(|role| view! {
                                                        <option value=role.as_str() selected=agent.role == role>{move || t().role(role)}</option>
                                                    }).collect_view()}
                                                </select>
                                            </td>
                                            <td>
                                                <span class=if agent.active { "badge status-closed" } else { "badge status-urgent" }>
                                                    {move || if agent.active { t().agent_active } else { t().agent_inactive }}
                                                </span>
                                                " "
                                                <button
                                                    type="button"
                                                    class=if agent.active { "button small danger" } else { "button small" }
                                                    aria-label=state_label
                                                    disabled=move || update.pending().get()
                                                    on:click=move |_| {
                                                        let patch = AgentPatch { active: Some(!toggle.active), ..Default::default() };
                                                        update.dispatch((toggle.clone(), patch));
                                                    }
                                                >
                                                    {move || if agent.active { t().deactivate } else { t().activate }}
                                                </button>
                                            </td>
                                        </tr>
                                    }
                                }
                            </For>
                        </tbody>
                    </table>
                </div>
            </Suspense>
        </section>
    }
}

/// Creates an account for a new agent (only administrators may, once the first account exists).
/// The answer's login token belongs to the new agent and is dropped: the admin stays signed in.
#[component]
fn NewAgentForm(on_added: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let (name, email, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let add = Action::new_local(move |_: &()| {
        let body = RegisterRequest {
            name: name.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        async move { api::register(&body).await.map(|created| created.agent) }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = add.value().get() {
            for field in [name, email, password] {
                field.set(String::new());
            }
            on_added();
        }
    });
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let added = move || {
        add.value()
            .get()
            .and_then(Result::ok)
            .map(|agent| fill(t().agent_added, &[("name", &agent.name)]))
    };
    view! {
        <form class="stack" novalidate=true aria-labelledby="add-agent-title" on:submit=move |ev| {
            ev.prevent_default();
            add.dispatch(());
        }>
            <h3 id="add-agent-title">{move || t().add_agent_title}</h3>
            <p class="muted">{move || t().add_agent_hint}</p>
            <div class="grid-2">
                <TextField id="new-agent-name" label=Signal::derive(move || t().field_name) value=name
                    error=field_error(error, "name") autocomplete="off" maxlength=100/>
                <TextField id="new-agent-email" label=Signal::derive(move || t().field_email) value=email
                    error=field_error(error, "email") kind="email"/>
                <TextField id="new-agent-password" label=Signal::derive(move || t().field_initial_password) value=password
                    error=field_error(error, "password") kind="password" autocomplete="new-password"
                    hint=Signal::derive(move || t().password_hint) maxlength=128/>
            </div>
            <ErrorBanner error=Signal::derive(move || error.get().filter(|e| e.field_errors().is_empty()))/>
            <p class="notice" role="status">{added}</p>
            <div>
                <button type="submit" class="button primary" disabled=move || add.pending().get()>{move || t().add_agent_submit}</button>
            </div>
        </form>
    }
}

/// Every agent's live API tokens, revocable.
#[component]
fn AllTokens() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0_u32);
    let tokens = LocalResource::new(move || {
        reload.track();
        api::api_tokens(true)
    });
    let revoke = revoke_action(reload);
    let error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    view! {
        <section class="card stack" aria-labelledby="all-tokens-title">
            <h2 id="all-tokens-title">{move || t().all_tokens_title}</h2>
            <ErrorBanner error=error/>
            <Suspense fallback=|| view! { <Loading/> }>
                <TokenTable
                    tokens=Signal::derive(move || tokens.get().and_then(Result::ok).unwrap_or_default())
                    show_owner=true
                    busy=revoke.pending()
                    on_revoke=Callback::new(move |token| { revoke.dispatch(token); })
                />
            </Suspense>
        </section>
    }
}

/// The audit log, newest first, a page at a time.
#[component]
fn AuditLog() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let agents = LocalResource::new(api::agents);
    let names = Memo::new(move |_| {
        agents
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect::<HashMap<_, _>>()
    });
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let load = Action::new_local(move |cursor: &Option<String>| {
        let cursor = cursor.clone();
        async move {
            let page = api::audit(cursor.as_deref()).await?;
            entries.update(|e| e.extend(page.items));
            next_cursor.set(page.next_cursor);
            Ok::<(), ApiError>(())
        }
    });
    load.dispatch(None);
    let error = Signal::derive(move || load.value().get().and_then(Result::err));
    view! {
        <section class="card stack" aria-labelledby="audit-title">
            <h2 id="audit-title">{move || t().audit_title}</h2>
            <ErrorBanner error=error/>
            <Show
                when=move || !entries.with(Vec::is_empty)
                fallback=move || view! {
                    <Show when=move || !load.pending().get() fallback=|| view! { <Loading/> }>
                        <p class="muted">{move || t().audit_empty}</p>
                    </Show>
                }
            >
                <div class="table-wrap">
                    <table class="data-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || t().audit_when}</th>
                                <th scope="col">{move || t().audit_who}</th>
                                <th scope="col">{move || t().audit_action}</th>
                                <th scope="col">{move || t().audit_target}</th>
                                <th scope="col">{move || t().details}</th>
                                <th scope="col">{move || t().audit_ip}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || entries.get() key=|e| e.id let(entry)>
                                <tr>
                                    <td>{move || datetime(&entry.at, i18n.lang.get())}</td>
                                    <td>{entry.actor.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "—".into())}</td>
                                    <td>{move || t().audit_action(entry.action)}</td>
                                    <td>
                                        {
                                            let target = entry.target.clone();
                                            move || target.as_deref().map(|target| names.with(|n| target_label(target, n, t()))).unwrap_or_default()
                                        }
                                    </td>
                                    <td><code class="muted">{details_text(&entry)}</code></td>
                                    <td>{entry.ip.clone().unwrap_or_default()}</td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                </div>
            </Show>
            <Show when=move || next_cursor.get().is_some()>
                <button type="button" class="button load-more" disabled=move || load.pending().get()
                    on:click=move |_| { load.dispatch(next_cursor.get_untracked()); }>
                    {move || t().load_more}
                </button>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn targets_name_agents_and_number_tokens() {
        let names = HashMap::from([(3, "Ana".to_owned())]);
        let t = Lang::PtBr.texts();
        assert_eq!(target_label("agent:3", &names, t), "Ana");
        assert_eq!(target_label("agent:9", &names, t), "#9");
        assert_eq!(target_label("token:7", &names, t), "token #7");
        assert_eq!(target_label("other", &names, t), "other");
    }
}

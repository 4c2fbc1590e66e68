//! One ticket: its fields, one-click status changes, reassignment, comments, attachments and
//! history.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::{
    Attachment, EventKind, NewComment, Priority, TicketDetail, TicketEvent, TicketPatch,
    TicketStatus,
};

use crate::api::{self, ApiError};
use crate::components::files::{Chosen, FilePicker};
use crate::components::form::{SelectField, TextField, field_error};
use crate::components::{ErrorBanner, Loading, StatusBadge};
use crate::format::{datetime, file_size};
use crate::i18n::{I18n, fill, use_i18n};

#[component]
pub fn TicketPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    });
    let reload = RwSignal::new(0_u32);
    let detail = LocalResource::new(move || {
        reload.track();
        let id = id.get();
        async move { api::ticket(id).await }
    });
    let refresh = move || reload.update(|n| *n += 1);
    // The outcome of the last status/assignee/priority change survives the reload it causes.
    let flash = RwSignal::new(None::<Result<(), ApiError>>);

    view! {
        <section class="page ticket-page">
            <p><A href="/" attr:class="back">{move || t().back_to_dashboard}</A></p>
            <ErrorBanner error=Signal::derive(move || flash.get().and_then(Result::err))/>
            <p class="notice" role="status">
                {move || matches!(flash.get(), Some(Ok(()))).then(|| t().saved)}
            </p>
            <Transition fallback=|| view! { <Loading/> }>
                {move || detail.get().map(|result| match result {
                    Ok(detail) => view! { <TicketView detail=detail on_change=refresh flash=flash/> }.into_any(),
                    Err(error) => view! {
                        <ErrorBanner error=Signal::derive(move || Some(error.clone()))/>
                        <button type="button" class="button" on:click=move |_| refresh()>{move || t().retry}</button>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TicketView(
    detail: TicketDetail,
    on_change: impl Fn() + Copy + 'static,
    flash: RwSignal<Option<Result<(), ApiError>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let ticket = detail.ticket;
    let (id, version) = (ticket.id, ticket.version);
    let agents = LocalResource::new(api::agents);
    let categories = LocalResource::new(api::categories);
    let channels = LocalResource::new(api::channels);

    let patch = Action::new_local(move |patch: &TicketPatch| {
        let patch = patch.clone();
        async move { api::update_ticket(id, version, &patch).await }
    });
    let patch_error = Signal::derive(move || patch.value().get().and_then(Result::err));
    Effect::new(move || {
        // Success shows the new state; a stale version reloads so the agent sees what changed.
        match patch.value().get() {
            Some(Ok(_)) => {
                flash.set(Some(Ok(())));
                on_change();
            }
            Some(Err(err)) if err.code() == "stale_ticket" => {
                flash.set(Some(Err(err)));
                on_change();
            }
            _ => {}
        }
    });

    let status_button = move |status: TicketStatus| {
        view! {
            <button
                type="button"
                class=format!("button status-choice status-{}", status.as_str())
                data-status=status.as_str()
                aria-pressed=(ticket.status == status).to_string()
                disabled=move || patch.pending().get() || ticket.status == status
                on:click=move |_| {
                    patch.dispatch(TicketPatch { status: Some(status), ..Default::default() });
                }
            >
                {move || t().status(status)}
            </button>
        }
    };

    let assignee = RwSignal::new(
        ticket
            .assignee
            .as_ref()
            .map(|a| a.id.to_string())
            .unwrap_or_default(),
    );
    let current_assignee = ticket.assignee.as_ref().map(|a| a.id);
    let agent_options = Signal::derive(move || {
        let mut options = vec![(String::new(), t().unassigned.to_owned())];
        // Deactivated agents cannot take tickets; one who holds this ticket still shows.
        options.extend(
            agents
                .get()
                .and_then(Result::ok)
                .unwrap_or_default()
                .into_iter()
                .filter(|a| a.active || Some(a.id) == current_assignee)
                .map(|a| (a.id.to_string(), a.name)),
        );
        options
    });
    let priority = RwSignal::new(ticket.priority.as_str().to_owned());
    let priority_options = Signal::derive(move || {
        Priority::ALL
            .iter()
            .map(|p| (p.as_str().to_owned(), t().priority(*p).to_owned()))
            .collect::<Vec<_>>()
    });
    let initial_assignee = assignee.get_untracked();
    Effect::new(move |_| {
        let chosen = assignee.get();
        if chosen != initial_assignee {
            patch.dispatch(TicketPatch {
                assignee_id: Some(chosen.parse().ok()),
                ..Default::default()
            });
        }
    });
    let initial_priority = priority.get_untracked();
    Effect::new(move |_| {
        let chosen = priority.get();
        if chosen != initial_priority {
            patch.dispatch(TicketPatch {
                priority: chosen.parse().ok(),
                ..Default::default()
            });
        }
    });

    let name_of = move |list: Option<Result<Vec<shared::ReferenceItem>, ApiError>>, slug: &str| {
        list.and_then(Result::ok)
            .and_then(|items| items.into_iter().find(|i| i.slug == slug).map(|i| i.name))
            .unwrap_or_else(|| slug.to_owned())
    };
    let (category_slug, channel_slug) = (ticket.category.clone(), ticket.channel.clone());
    let created_at = ticket.created_at;
    let creator = ticket.created_by.name.clone();
    let first_response = ticket.first_response_at;
    let closed_at = ticket.closed_at;
    let updated_at = ticket.updated_at;
    let when = move |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| datetime(&at, i18n.lang.get()))
            .unwrap_or_else(|| t().not_yet.to_owned())
    };

    view! {
        <article class="ticket" data-ticket-id=id data-version=version>
            <header class="ticket-head">
                <p class="ticket-number">{move || fill(t().ticket_title, &[("id", &id.to_string())])}</p>
                <h1>{ticket.subject.clone()}</h1>
                <p class="muted">
                    {move || fill(t().created_by_at, &[("name", &creator), ("date", &datetime(&created_at, i18n.lang.get()))])}
                </p>
            </header>
            <div class="ticket-grid">
                <div class="ticket-main stack">
                    <section class="card">
                        <h2>{move || t().field_description}</h2>
                        <p class="prewrap">{ticket.description.clone()}</p>
                    </section>
                    <Comments id=id comments=detail.comments on_change=on_change/>
                    <Attachments id=id files=detail.attachments on_change=on_change/>
                    <History events=detail.events i18n=i18n/>
                </div>
                <aside class="ticket-side stack">
                    <section class="card stack">
                        <h2>{move || t().field_status}</h2>
                        <p><StatusBadge status=ticket.status/></p>
                        <div class="status-choices" role="group" aria-label=move || t().change_status>
                            {status_button(TicketStatus::Open)}
                            {status_button(TicketStatus::Waiting)}
                            {status_button(TicketStatus::Closed)}
                        </div>
                        <SelectField id="assignee" label=Signal::derive(move || t().field_assignee)
                            value=assignee options=agent_options error=field_error(patch_error, "assignee_id")/>
                        <SelectField id="priority" label=Signal::derive(move || t().field_priority)
                            value=priority options=priority_options error=field_error(patch_error, "priority")/>
                        <ErrorBanner error=Signal::derive(move || patch_error.get().filter(|e| e.code() != "stale_ticket"))/>
                    </section>
                    <section class="card">
                        <h2>{move || t().customer}</h2>
                        <dl class="facts">
                            <dt>{move || t().field_customer_name}</dt><dd>{ticket.customer_name.clone()}</dd>
                            <dt>{move || t().field_customer_contact}</dt><dd>{ticket.customer_contact.clone()}</dd>
                        </dl>
                    </section>
                    <section class="card">
                        <h2>{move || t().details}</h2>
                        <dl class="facts">
                            <dt>{move || t().field_channel}</dt>
                            <dd>{move || name_of(channels.get(), &channel_slug)}</dd>
                            <dt>{move || t().field_category}</dt>
                            <dd>{move || name_of(categories.get(), &category_slug)}</dd>
                            <dt>{move || t().first_response}</dt><dd>{move || when(first_response)}</dd>
                            <dt>{move || t().updated_at}</dt><dd>{move || when(Some(updated_at))}</dd>
                            <Show when=move || closed_at.is_some()>
                                <dt>{move || t().closed_at}</dt><dd>{move || when(closed_at)}</dd>
                            </Show>
                        </dl>
                    </section>
                </aside>
            </div>
        </article>
    }
}

#[component]
fn Comments(
    id: i64,
    comments: Vec<shared::Comment>,
    on_change: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let body = RwSignal::new(String::new());
    let add = Action::new_local(move |_: &()| {
        let comment = NewComment {
            body: body.get_untracked(),
        };
        async move { api::add_comment(id, &comment).await }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = add.value().get() {
            body.set(String::new());
            on_change();
        }
    });
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let empty = comments.is_empty();
    view! {
        <section class="card stack" aria-labelledby="comments-title">
            <h2 id="comments-title">{move || t().comments_title}</h2>
            <Show when=move || empty>
                <p class="muted">{move || t().no_comments}</p>
            </Show>
            <ol class="comments">
                {comments.into_iter().map(|c| {
                    let at = c.created_at;
                    view! {
                        <li class="comment">
                            <p class="comment-meta">
                                <strong>{c.author.name}</strong>" · "
                                <time datetime=at.to_rfc3339()>{move || datetime(&at, i18n.lang.get())}</time>
                            </p>
                            <p class="prewrap">{c.body}</p>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <form class="stack" novalidate=true on:submit=move |ev| {
                ev.prevent_default();
                add.dispatch(());
            }>
                <TextField id="comment" label=Signal::derive(move || t().new_comment) value=body
                    error=field_error(error, "body") multiline=true maxlength=20000/>
                <ErrorBanner error=Signal::derive(move || error.get().filter(|e| e.field_errors().is_empty()))/>
                <div>
                    <button type="submit" class="button primary" disabled=move || add.pending().get()>
                        {move || t().comment_submit}
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn Attachments(
    id: i64,
    files: Vec<Attachment>,
    on_change: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let chosen = RwSignal::new_local(Chosen::default());
    let upload = Action::new_local(move |_: &()| {
        let files = chosen.with_untracked(|c| c.files.clone());
        async move { api::upload(id, &files).await }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = upload.value().get() {
            chosen.set(Chosen::default());
            on_change();
        }
    });
    let error = Signal::derive(move || upload.value().get().and_then(Result::err));
    let empty = files.is_empty();
    view! {
        <section class="card stack" aria-labelledby="attachments-title">
            <h2 id="attachments-title">{move || t().attachments_title}</h2>
            <Show when=move || empty>
                <p class="muted">{move || t().no_attachments}</p>
            </Show>
            <ul class="attachments">
                {files.into_iter().map(|file| {
                    let image = file.is_image();
                    let (url, name, size) = (file.download_url.clone(), file.filename.clone(), file.size);
                    view! {
                        <li class="attachment">
                            <Show when=move || image>
                                <a href=url.clone() target="_blank" rel="noopener">
                                    <img src=url.clone() alt=name.clone() loading="lazy" class="thumb"/>
                                </a>
                            </Show>
                            <div>
                                <a href=file.download_url.clone() target="_blank" rel="noopener">{file.filename.clone()}</a>
                                <p class="muted">
                                    {move || file_size(size, i18n.lang.get())}" · "{file.uploaded_by.name.clone()}" · "
                                    <a href=file.download_url.clone() download=file.filename.clone()>{move || t().download}</a>
                                </p>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <FilePicker id="new-attachments" chosen=chosen/>
            <ErrorBanner error=error/>
            <Show when=move || chosen.with(|c| !c.files.is_empty())>
                <div>
                    <button type="button" class="button primary" disabled=move || upload.pending().get()
                        on:click=move |_| { upload.dispatch(()); }>
                        {move || if upload.pending().get() { t().uploading } else { t().upload_submit }}
                    </button>
                </div>
            </Show>
        </section>
    }
}

fn describe(event: &TicketEvent, i18n: I18n) -> String {
    let t = i18n.t();
    let (template, from, to) = match event.kind {
        EventKind::StatusChanged => (
            t.history_status,
            event.from_status.map(|s| t.status(s).to_owned()),
            event.to_status.map(|s| t.status(s).to_owned()),
        ),
        EventKind::AssigneeChanged => (
            t.history_assignee,
            event.from_assignee.as_ref().map(|a| a.name.clone()),
            event.to_assignee.as_ref().map(|a| a.name.clone()),
        ),
    };
    let nobody = || t.nobody.to_owned();
    fill(
        template,
        &[
            ("actor", &event.actor.name),
            ("from", &from.unwrap_or_else(nobody)),
            ("to", &to.unwrap_or_else(nobody)),
        ],
    )
}

#[component]
fn History(events: Vec<TicketEvent>, i18n: I18n) -> impl IntoView {
    let t = move || i18n.t();
    let empty = events.is_empty();
    view! {
        <section class="card stack" aria-labelledby="history-title">
            <h2 id="history-title">{move || t().history_title}</h2>
            <Show when=move || empty>
                <p class="muted">{move || t().no_history}</p>
            </Show>
            <ol class="history">
                {events.into_iter().map(|event| {
                    let at = event.created_at;
                    view! {
                        <li>
                            <time datetime=at.to_rfc3339()>{move || datetime(&at, i18n.lang.get())}</time>
                            " — "
                            {move || describe(&event, i18n)}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

//! The home page: counters that filter by status, category and text filters kept in the URL,
//! the ticket cards page by page, and the export buttons.

use std::collections::HashMap;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::{StatusCounts, Ticket, TicketStatus};

use crate::api::{self, ApiError};
use crate::components::ticket_card::TicketCard;
use crate::components::{ErrorBanner, Loading};
use crate::format;
use crate::i18n::{fill, use_i18n};
use crate::session;
use crate::url::DashboardQuery;

/// Milliseconds of typing quiet before the search runs.
const SEARCH_DEBOUNCE_MS: u32 = 300;

/// Slug → display name of a reference list.
fn names(items: Option<Result<Vec<shared::ReferenceItem>, ApiError>>) -> HashMap<String, String> {
    items
        .and_then(Result::ok)
        .unwrap_or_default()
        .into_iter()
        .map(|item| (item.slug, item.name))
        .collect()
}

/// The display name of `slug`, following the list as it loads (the tickets may arrive first).
fn display_name(names: Memo<HashMap<String, String>>, slug: String) -> Signal<String> {
    Signal::derive(move || names.with(|n| n.get(&slug).cloned().unwrap_or_else(|| slug.clone())))
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let query_map = use_query_map();
    let navigate = use_navigate();
    let query = Memo::new(move |_| {
        query_map.with(|map| {
            DashboardQuery::from_pairs(
                ["status", "category", "q", "mine"]
                    .into_iter()
                    .filter_map(|k| map.get_str(k).map(|v| (k, v)))
                    .collect::<Vec<_>>(),
            )
        })
    });
    let me = move || session::current().map(|s| s.agent.id).unwrap_or_default();
    let go = {
        let navigate = navigate.clone();
        move |next: DashboardQuery| {
            navigate(
                &next.to_url(),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            )
        }
    };

    let categories = LocalResource::new(api::categories);
    let channels = LocalResource::new(api::channels);
    let category_names = Memo::new(move |_| names(categories.get()));
    let channel_names = Memo::new(move |_| names(channels.get()));

    // Counters count across statuses: they are the status filter.
    let counts = LocalResource::new(move || {
        let filter = query.get().without_status().to_filter(me());
        async move { api::counts(&filter).await }
    });

    // The list: the first page follows the query; "load more" appends the next pages.
    let items = RwSignal::new(Vec::<Ticket>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let total = RwSignal::new((0_i64, false));
    let loading = RwSignal::new(false);
    let list_error = RwSignal::new(None::<ApiError>);
    let generation = StoredValue::new(0_u64);
    let fetch = move |cursor: Option<String>| {
        let filter = query.get_untracked().to_filter(me());
        let this = generation.get_value() + u64::from(cursor.is_none());
        generation.set_value(this);
        loading.set(true);
        spawn_local(async move {
            let result = api::tickets(&filter, cursor.as_deref()).await;
            // A newer query replaced this one, or the page is gone (say, the session ended).
            if generation.try_get_value() != Some(this) {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    list_error.set(None);
                    let first = cursor.is_none();
                    items.update(|list| {
                        if first {
                            list.clear();
                        }
                        list.extend(page.items);
                    });
                    next_cursor.set(page.next_cursor);
                    total.set((page.total, page.total_capped));
                }
                Err(err) => list_error.set(Some(err)),
            }
        });
    };
    Effect::new(move || {
        query.track();
        fetch(None);
    });

    // Search as you type, debounced; the URL is the source of truth.
    let search = RwSignal::new(query.get_untracked().q);
    let typed = StoredValue::new(0_u64);
    let on_search = {
        let go = go.clone();
        move |text: String| {
            search.set(text.clone());
            let mine = typed.get_value() + 1;
            typed.set_value(mine);
            let go = go.clone();
            spawn_local(async move {
                TimeoutFuture::new(SEARCH_DEBOUNCE_MS).await;
                // Unless more was typed, or the page is gone.
                if typed.try_get_value() == Some(mine) {
                    go(DashboardQuery {
                        q: text,
                        ..query.get_untracked()
                    });
                }
            });
        }
    };
    let search_input = NodeRef::<leptos::html::Input>::new();
    // `/` focuses the search box from anywhere but a text field.
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if ev.key() == "/" && !typing && !ev.ctrl_key() && !ev.meta_key() {
            ev.prevent_default();
            if let Some(input) = search_input.get_untracked() {
                let _ = input.focus();
            }
        }
    });
    on_cleanup(move || handle.remove());

    let counter = {
        let go = go.clone();
        move |status: Option<TicketStatus>| {
            let go = go.clone();
            let label = move || match status {
                Some(s) => t().status(s),
                None => t().status_all,
            };
            let count = move || {
                counts.get().and_then(Result::ok).map(|c: StatusCounts| {
                    let n = match status {
                        Some(TicketStatus::Open) => c.open,
                        Some(TicketStatus::Waiting) => c.waiting,
                        Some(TicketStatus::Closed) => c.closed,
                        None => c.total,
                    };
                    format::count(n, c.capped)
                })
            };
            let class = format!(
                "counter {}",
                status
                    .map(|s| format!("status-{}", s.as_str()))
                    .unwrap_or_default()
            );
            view! {
                <button
                    type="button"
                    class=class
                    data-status=status.map(|s| s.as_str()).unwrap_or("all")
                    aria-pressed=move || (query.get().status == status).to_string()
                    on:click=move |_| go(DashboardQuery { status, ..query.get_untracked() })
                >
                    <span class="counter-value">
                        {move || count().unwrap_or_else(|| "…".into())}
                    </span>
                    <span class="counter-label">{label}</span>
                </button>
            }
        }
    };

    let exporting = RwSignal::new(false);
    let export_error = RwSignal::new(None::<ApiError>);
    let export = move |format: &'static str| {
        let filter = query.get_untracked().to_filter(me());
        exporting.set(true);
        spawn_local(async move {
            export_error.set(api::export(&filter, format).await.err());
            exporting.set(false);
        });
    };

    let go_clear = go.clone();
    let filtered = move || query.get() != DashboardQuery::default();
    let go_category = go.clone();
    let go_mine = go.clone();
    view! {
        <section class="page dashboard">
            <div class="page-head">
                <h1>{move || t().dashboard_title}</h1>
                <div class="actions">
                    <button type="button" class="button" disabled=move || exporting.get() on:click=move |_| export("csv")>
                        {move || if exporting.get() { t().exporting } else { t().export_csv }}
                    </button>
                    <button type="button" class="button" disabled=move || exporting.get() on:click=move |_| export("md")>
                        {move || t().export_md}
                    </button>
                </div>
            </div>
            <ErrorBanner error=export_error/>
            <div class="counters" role="group" aria-label=move || t().counters_label>
                {counter(Some(TicketStatus::Open))}
                {counter(Some(TicketStatus::Waiting))}
                {counter(Some(TicketStatus::Closed))}
                {counter(None)}
            </div>
            <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
                <div class="field grow">
                    <label for="search">{move || t().search_label}</label>
                    <input
                        id="search"
                        type="search"
                        node_ref=search_input
                        placeholder=move || t().search_placeholder
                        aria-keyshortcuts="/"
                        title=move || t().search_shortcut_hint
                        prop:value=move || search.get()
                        on:input=move |ev| on_search(event_target_value(&ev))
                    />
                </div>
                <div class="field">
                    <label for="category-filter">{move || t().field_category}</label>
                    <select
                        id="category-filter"
                        prop:value=move || query.get().category.unwrap_or_default()
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            go_category(DashboardQuery {
                                category: Some(value).filter(|v| !v.is_empty()),
                                ..query.get_untracked()
                            })
                        }
                    >
                        <option value="">{move || t().all_categories}</option>
                        {move || {
                            categories
                                .get()
                                .and_then(Result::ok)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|c| {
                                    let selected = query.get().category.as_deref() == Some(c.slug.as_str());
                                    view! { <option value=c.slug selected=selected>{c.name}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || query.get().mine
                        on:change=move |ev| go_mine(DashboardQuery {
                            mine: event_target_checked(&ev),
                            ..query.get_untracked()
                        })
                    />
                    {move || t().only_mine}
                </label>
                <Show when=filtered>
                    <button type="button" class="button ghost" on:click={
                        let go_clear = go_clear.clone();
                        move |_| {
                            search.set(String::new());
                            go_clear(DashboardQuery::default());
                        }
                    }>
                        {move || t().clear_filters}
                    </button>
                </Show>
            </form>
            <ErrorBanner error=list_error/>
            <p class="muted summary" aria-live="polite">
                {move || fill(
                    t().showing_of_total,
                    &[("shown", &items.with(Vec::len).to_string()), ("total", &{
                        let (n, capped) = total.get();
                        format::count(n, capped)
                    })],
                )}
            </p>
            <Show when=move || !loading.get() && items.with(Vec::is_empty) && list_error.get().is_none()>
                <p class="empty">{move || t().no_tickets}</p>
            </Show>
            <ul class="ticket-list">
                <For each=move || items.get() key=|ticket| (ticket.id, ticket.version) let(ticket)>
                    <TicketCard
                        category=display_name(category_names, ticket.category.clone())
                        channel=display_name(channel_names, ticket.channel.clone())
                        ticket=ticket
                    />
                </For>
            </ul>
            <Show when=move || loading.get()>
                <Loading/>
            </Show>
            <Show when=move || next_cursor.get().is_some() && !loading.get()>
                <button type="button" class="button load-more" on:click=move |_| fetch(next_cursor.get_untracked())>
                    {move || t().load_more}
                </button>
            </Show>
        </section>
    }
}

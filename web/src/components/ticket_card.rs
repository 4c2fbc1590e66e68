//! A ticket in the dashboard list.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::Ticket;

use crate::components::StatusBadge;
use crate::format::{age, datetime};
use crate::i18n::use_i18n;

#[component]
pub fn TicketCard(
    ticket: Ticket,
    /// Display names, which may load after the ticket.
    #[prop(into)]
    category: Signal<String>,
    #[prop(into)] channel: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let created = ticket.created_at;
    let assignee = ticket.assignee.map(|a| a.name);
    let priority = ticket.priority;
    view! {
        <li class="card ticket-card" data-ticket-id=ticket.id>
            <div class="card-head">
                <span class="ticket-number">"#"{ticket.id}</span>
                <StatusBadge status=ticket.status/>
                <Show when=move || matches!(priority, shared::Priority::High | shared::Priority::Urgent)>
                    <span class=format!("badge priority-{}", priority.as_str())>
                        {move || t().priority(priority)}
                    </span>
                </Show>
            </div>
            <h2 class="card-title">
                <A href=format!("/tickets/{}", ticket.id)>{ticket.subject}</A>
            </h2>
            <p class="card-customer">{ticket.customer_name}" · "<span class="muted">{ticket.customer_contact}</span></p>
            <p class="card-meta">
                <span class="chip">{move || category.get()}</span>
                <span class="chip">{move || channel.get()}</span>
            </p>
            <p class="card-foot muted">
                <span>{move || assignee.clone().unwrap_or_else(|| t().unassigned.to_owned())}</span>
                <time datetime=created.to_rfc3339() title=move || datetime(&created, i18n.lang.get())>
                    {move || age(&created, i18n.lang.get())}
                </time>
            </p>
        </li>
    }
}

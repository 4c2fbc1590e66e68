//! Recording a customer contact as a new ticket, with optional attachments.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::{NewTicket, Priority, ReferenceItem};

use crate::api::{self, ApiError};
use crate::components::ErrorBanner;
use crate::components::files::{Chosen, FilePicker};
use crate::components::form::{SelectField, TextField, field_error};
use crate::i18n::{fill, use_i18n};

/// `(slug, name)` options of a reference list.
pub fn options(items: Option<Result<Vec<ReferenceItem>, ApiError>>) -> Vec<(String, String)> {
    items
        .and_then(Result::ok)
        .unwrap_or_default()
        .into_iter()
        .map(|item| (item.slug, item.name))
        .collect()
}

/// What went wrong, and the ticket already created if only the upload failed.
#[derive(Debug, Clone, PartialEq)]
struct Failure {
    error: ApiError,
    created: Option<i64>,
}

#[component]
pub fn NewTicketPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let navigate = use_navigate();
    let categories = LocalResource::new(api::categories);
    let channels = LocalResource::new(api::channels);

    let customer_name = RwSignal::new(String::new());
    let customer_contact = RwSignal::new(String::new());
    let channel = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let priority = RwSignal::new(Priority::Normal.as_str().to_owned());
    let chosen = RwSignal::new_local(Chosen::default());

    let submit = Action::new_local(move |_: &()| {
        let ticket = NewTicket {
            subject: subject.get_untracked(),
            customer_name: customer_name.get_untracked(),
            customer_contact: customer_contact.get_untracked(),
            channel: channel.get_untracked(),
            category: category.get_untracked(),
            description: description.get_untracked(),
            assignee_id: None,
            priority: priority.get_untracked().parse().ok(),
        };
        let files = chosen.with_untracked(|c| c.files.clone());
        async move {
            let created = api::create_ticket(&ticket).await.map_err(|error| Failure {
                error,
                created: None,
            })?;
            if !files.is_empty() {
                api::upload(created.id, &files)
                    .await
                    .map_err(|error| Failure {
                        error,
                        created: Some(created.id),
                    })?;
            }
            Ok::<_, Failure>(created.id)
        }
    });
    Effect::new(move || {
        if let Some(Ok(id)) = submit.value().get() {
            navigate(&format!("/tickets/{id}"), Default::default());
        }
    });
    let failure = Signal::derive(move || submit.value().get().and_then(Result::err));
    let error = Signal::derive(move || failure.get().map(|f| f.error));
    let created = move || failure.get().and_then(|f| f.created);
    let priorities = Signal::derive(move || {
        Priority::ALL
            .iter()
            .map(|p| (p.as_str().to_owned(), t().priority(*p).to_owned()))
            .collect::<Vec<_>>()
    });

    view! {
        <section class="page narrow">
            <h1>{move || t().new_ticket_title}</h1>
            <form
                class="stack"
                novalidate=true
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit.dispatch(());
                }
            >
                <div class="grid-2">
                    <TextField id="customer_name" label=Signal::derive(move || t().field_customer_name)
                        value=customer_name error=field_error(error, "customer_name") maxlength=200/>
                    <TextField id="customer_contact" label=Signal::derive(move || t().field_customer_contact)
                        value=customer_contact error=field_error(error, "customer_contact")
                        hint=Signal::derive(move || t().customer_contact_hint) maxlength=200/>
                    <SelectField id="channel" label=Signal::derive(move || t().field_channel) value=channel
                        options=Signal::derive(move || options(channels.get()))
                        error=field_error(error, "channel") placeholder=Signal::derive(move || t().choose_option)/>
                    <SelectField id="category" label=Signal::derive(move || t().field_category) value=category
                        options=Signal::derive(move || options(categories.get()))
                        error=field_error(error, "category") placeholder=Signal::derive(move || t().choose_option)/>
                </div>
                <TextField id="subject" label=Signal::derive(move || t().field_subject) value=subject
                    error=field_error(error, "subject") maxlength=200/>
                <TextField id="description" label=Signal::derive(move || t().field_description) value=description
                    error=field_error(error, "description") multiline=true maxlength=20000/>
                <SelectField id="priority" label=Signal::derive(move || t().field_priority) value=priority
                    options=priorities error=field_error(error, "priority")/>
                <fieldset class="field">
                    <legend>{move || t().field_attachments}</legend>
                    <FilePicker id="attachments" chosen=chosen/>
                </fieldset>
                <ErrorBanner error=Signal::derive(move || error.get().filter(|e| e.field_errors().is_empty() || created().is_some()))/>
                <Show when=move || created().is_some()>
                    <p>
                        <A href=move || format!("/tickets/{}", created().unwrap_or_default())>
                            {move || fill(t().ticket_title, &[("id", &created().unwrap_or_default().to_string())])}
                        </A>
                    </p>
                </Show>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || submit.pending().get()>
                        {move || if submit.pending().get() { t().saving } else { t().create_ticket_submit }}
                    </button>
                    <A href="/" attr:class="button ghost">{move || t().cancel}</A>
                </div>
            </form>
        </section>
    }
}

//! Administration: adding categories and channels.

use leptos::prelude::*;
use shared::NewReferenceItem;

use crate::api;
use crate::components::form::{TextField, field_error};
use crate::components::{ErrorBanner, Loading};
use crate::i18n::use_i18n;
use crate::session;

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let is_admin = move || session::current().is_some_and(|s| s.is_admin());
    view! {
        <section class="page">
            <h1>{move || t().admin_title}</h1>
            <Show when=is_admin fallback=move || view! { <p class="alert" role="alert">{move || t().admin_only}</p> }>
                <div class="grid-2">
                    <ListEditor list="categories" title=Signal::derive(move || t().categories_title)/>
                    <ListEditor list="channels" title=Signal::derive(move || t().channels_title)/>
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

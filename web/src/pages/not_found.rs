use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_i18n;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page narrow">
            <h1>{move || i18n.t().page_not_found}</h1>
            <A href="/">{move || i18n.t().back_to_dashboard}</A>
        </section>
    }
}

//! Groovoo Service Desk web app (WASM, client-side rendered).

use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| {
        view! { <main><h1>"Groovoo Service Desk"</h1></main> }
    });
}

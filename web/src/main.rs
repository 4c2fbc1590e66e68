//! Groovoo Service Desk: the agents' web app (Leptos, client-side rendered, compiled to WASM).

mod api;
mod app;
mod components;
mod format;
mod i18n;
mod pages;
mod session;
mod storage;
mod url;

fn main() {
    leptos::mount::mount_to_body(app::App);
}

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
    // A release build aborts on a panic; say where first (the message starts "panicked at").
    std::panic::set_hook(Box::new(|info| leptos::logging::error!("{info}")));
    leptos::mount::mount_to_body(app::App);
}

//! Choosing files: drag and drop onto a zone, or the file picker (keyboard-reachable).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, FileList, HtmlInputElement};

use crate::format::file_size;
use crate::i18n::{fill, use_i18n};

/// Types the server accepts (it checks the content; this only gives early feedback).
const ACCEPTED: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "application/pdf"];

/// Files chosen so far, with the names of those refused for their type.
#[derive(Clone, Default)]
pub struct Chosen {
    pub files: Vec<File>,
    pub refused: Vec<String>,
}

fn add(chosen: RwSignal<Chosen, LocalStorage>, list: Option<FileList>) {
    let Some(list) = list else { return };
    chosen.update(|c| {
        c.refused.clear();
        for i in 0..list.length() {
            if let Some(file) = list.get(i) {
                if ACCEPTED.contains(&file.type_().as_str()) {
                    c.files.push(file);
                } else {
                    c.refused.push(file.name());
                }
            }
        }
    });
}

#[component]
pub fn FilePicker(id: &'static str, chosen: RwSignal<Chosen, LocalStorage>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        add(chosen, ev.data_transfer().and_then(|dt| dt.files()));
    };
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            add(chosen, input.files());
            input.set_value("");
        }
    };
    let files = move || {
        chosen.with(|c| {
            c.files
                .iter()
                .enumerate()
                .map(|(i, f)| (i, f.name(), f.size() as i64))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div
            class="dropzone"
            class:dragging=move || dragging.get()
            on:dragover=move |ev: DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <p>
                {move || t().drop_files_here} " "
                <label for=id class="link-label">{move || t().choose_files}</label>
            </p>
            <input
                id=id
                type="file"
                multiple=true
                class="visually-hidden"
                accept=ACCEPTED.join(",")
                on:change=on_change
            />
            <p class="hint">{move || t().accepted_files}</p>
            <Show when=move || chosen.with(|c| !c.refused.is_empty())>
                <p class="field-error" role="alert">
                    {move || t().error_unsupported_media_type} " "
                    {move || chosen.with(|c| c.refused.join(", "))}
                </p>
            </Show>
            <Show when=move || chosen.with(|c| !c.files.is_empty())>
                <ul class="file-list" aria-label=move || t().selected_files>
                    <For each=files key=|(i, name, _)| format!("{i}{name}") let((i, name, size))>
                        <li>
                            <span>{name.clone()}</span>
                            <span class="muted">{move || file_size(size, i18n.lang.get())}</span>
                            <button
                                type="button"
                                class="button ghost small"
                                aria-label=move || fill(t().remove_file, &[("name", &name)])
                                on:click=move |_| chosen.update(|c| {
                                    if i < c.files.len() {
                                        c.files.remove(i);
                                    }
                                })
                            >
                                "×"
                            </button>
                        </li>
                    </For>
                </ul>
            </Show>
        </div>
    }
}

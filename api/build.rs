//! Tells cargo to recompile the server when the built web app (`web/dist`, embedded by
//! `src/web_assets.rs`) appears, changes or disappears: the embedding derive reads the folder but
//! cannot declare it.

use std::path::Path;

fn main() {
    if Path::new("../web/dist").is_dir() {
        println!("cargo::rerun-if-changed=../web/dist");
    } else {
        // A path that does not exist would rerun this on every build; its parent notices the
        // folder being created.
        println!("cargo::rerun-if-changed=../web");
    }
}

//! The axe-core accessibility check: axe.min.js (npm `axe-core`, pinned in web/package.json)
//! injected into the page as it is, then `axe.run()` over the whole document.

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::json;

use super::{App, repo_root};

/// The axe-core script, read once.
fn source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = repo_root().join("web/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|err| {
            panic!(
                "{} cannot be read ({err}): run `npm ci` in web/ (axe-core is pinned in \
                 web/package.json)",
                path.display()
            )
        })
    })
}

#[derive(Debug, Deserialize)]
pub struct Violation {
    pub id: String,
    pub impact: Option<String>,
    pub help: String,
    pub nodes: Vec<Node>,
}

#[derive(Debug, Deserialize)]
pub struct Node {
    pub target: serde_json::Value,
    #[serde(rename = "failureSummary")]
    pub summary: Option<String>,
}

impl Violation {
    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_deref(), Some("serious" | "critical"))
    }
}

/// Runs axe on the current page and returns every violation (any impact), printing them.
pub async fn violations(app: &App, page: &str) -> Vec<Violation> {
    let loaded = app
        .js("return typeof window.axe === 'object';", vec![])
        .await;
    if loaded != json!(true) {
        // Executed by WebDriver, so the page's Content-Security-Policy does not apply to it.
        app.js(source(), vec![]).await;
    }
    let result = app
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
                 .then(r => done({ violations: r.violations.map(v => ({
                     id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.map(n => ({ target: n.target, failureSummary: n.failureSummary })),
                 })) }))
                 .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await;
    let result = match result {
        Ok(result) => result,
        Err(err) => app.fail(&format!("running axe on {page}: {err}")).await,
    };
    if let Some(error) = result.get("error") {
        app.fail(&format!("axe failed on {page}: {error}")).await;
    }
    let found: Vec<Violation> =
        serde_json::from_value(result["violations"].clone()).expect("axe violations");
    for violation in &found {
        println!(
            "axe {page}: {} [{}] {}",
            violation.id,
            violation.impact.as_deref().unwrap_or("?"),
            violation.help
        );
        for node in &violation.nodes {
            println!(
                "    {} {}",
                node.target,
                node.summary
                    .as_deref()
                    .unwrap_or_default()
                    .replace('\n', " / ")
            );
        }
    }
    found
}

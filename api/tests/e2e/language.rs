//! Portuguese by default, English on request, and the choice remembered across reloads.

use serde_json::json;

use crate::support::App;

#[tokio::test]
async fn english_switch_translates_the_app_and_is_remembered() {
    let app = App::start().await;
    app.api.register("Ana Lima", "ana@groovoo.example").await;

    app.goto("/login").await;
    app.wait_for_text("h1", "Entrar").await;
    let lang = "return document.documentElement.lang;";
    assert_eq!(app.js(lang, vec![]).await, json!("pt-BR"));
    let pressed = "return document.querySelector(\".lang-switch button[lang='en']\")
                       .getAttribute('aria-pressed');";
    assert_eq!(app.js(pressed, vec![]).await, json!("false"));

    app.click(".lang-switch button[lang='en']").await;
    app.wait_for_text("h1", "Log in").await;
    assert_eq!(app.js(lang, vec![]).await, json!("en"));
    assert_eq!(app.js(pressed, vec![]).await, json!("true"));
    app.wait_for_text("label[for='password']", "Password").await;

    // Remembered: after a reload, and after signing in.
    app.reload().await;
    app.wait_for_text("h1", "Log in").await;
    app.log_in("ana@groovoo.example").await;
    app.wait_for_text(".main-nav", "Dashboard").await;
    app.wait_for_text(".counter[data-status='open']", "Open")
        .await;
    app.wait_for_text(".topbar-end", "Log out").await;
    app.reload().await;
    app.wait_for_text(".main-nav", "New ticket").await;
    assert_eq!(app.js(lang, vec![]).await, json!("en"));

    // And back to Portuguese.
    app.click(".lang-switch button[lang='pt-BR']").await;
    app.wait_for_text(".main-nav", "Painel").await;
    app.wait_for_text(".counter[data-status='open']", "Aberto")
        .await;
    app.reload().await;
    app.wait_for_text(".main-nav", "Novo ticket").await;
    assert_eq!(app.js(lang, vec![]).await, json!("pt-BR"));

    app.finish().await;
}

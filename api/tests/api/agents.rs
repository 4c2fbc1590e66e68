//! `GET /me` and `GET /agents`.

use reqwest::StatusCode;
use serde_json::Value;
use shared::{Agent, Role};

use crate::helpers::{TestApp, json_body};

#[tokio::test]
async fn me_returns_the_signed_in_agent() {
    let app = TestApp::spawn().await;
    app.sign_up("Ana Admin").await;
    let bruno = app.sign_up("Bruno Costa").await;

    let me: Agent = json_body(app.get("/me", &bruno.token).await, StatusCode::OK).await;

    assert_eq!(me.name, "Bruno Costa");
    assert_eq!(me.email, "bruno@groovoo.test");
    assert_eq!(me.role, Role::Agent);
    assert_eq!(me, bruno.agent);
}

#[tokio::test]
async fn list_agents_returns_every_agent_by_name() {
    let app = TestApp::spawn().await;
    let carla = app.sign_up("Carla").await;
    let ana = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;

    let agents: Vec<Agent> =
        json_body(app.get("/agents", &bruno.token).await, StatusCode::OK).await;

    assert_eq!(agents, [ana.agent, bruno.agent, carla.agent]);
}

#[tokio::test]
async fn agents_never_carry_credentials() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let agents: Vec<Value> = json_body(app.get("/agents", &ana.token).await, StatusCode::OK).await;
    let me: Value = json_body(app.get("/me", &ana.token).await, StatusCode::OK).await;

    for agent in agents.iter().chain([&me]) {
        let mut keys: Vec<_> = agent.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["active", "created_at", "email", "id", "name", "role"]
        );
    }
}

//! Administration of agents: `PATCH /agents/{id}` changes a role or deactivates an account.

use reqwest::StatusCode;
use serde_json::json;
use shared::{Agent, Role};

use crate::helpers::{
    PASSWORD, TestApp, assert_invalid_fields, assert_problem, json_body, new_ticket,
};

#[tokio::test]
async fn deactivating_an_agent_ends_their_sessions_and_tokens_but_keeps_their_tickets() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let ticket = app
        .create_ticket(&bruno.token, &new_ticket("Bruno's"))
        .await;
    app.comment(&bruno.token, ticket.id, "Liguei para o cliente")
        .await;
    let api = app
        .create_api_token(&bruno.token, "CRM", "read_write")
        .await;

    let changed = app
        .patch_agent(&admin.token, bruno.id(), &json!({ "active": false }))
        .await;

    assert!(!changed.active);
    assert_eq!(changed.role, Role::Agent);
    for token in [&bruno.token, &api.secret] {
        app.assert_token_dead(token).await;
    }
    let detail = app.ticket(&admin.token, ticket.id).await;
    assert_eq!(detail.ticket.created_by, bruno.agent_ref());
    assert_eq!(detail.ticket.assignee, Some(bruno.agent_ref()));
    assert_eq!(detail.comments[0].author, bruno.agent_ref());
    let agents: Vec<Agent> =
        json_body(app.get("/agents", &admin.token).await, StatusCode::OK).await;
    let listed = agents.iter().find(|a| a.id == bruno.id()).unwrap();
    assert!(!listed.active);
    let assign = app
        .patch(
            &format!("/tickets/{}", ticket.id),
            &admin.token,
            &json!({ "assignee_id": admin.id() }),
        )
        .await;
    assert_eq!(assign.status(), StatusCode::OK);
    let back = app
        .patch(
            &format!("/tickets/{}", ticket.id),
            &admin.token,
            &json!({ "assignee_id": bruno.id() }),
        )
        .await;
    assert_invalid_fields(back, &["assignee_id"]).await;
}

#[tokio::test]
async fn a_deactivated_agent_cannot_log_in_and_is_told_nothing_more_than_a_wrong_password() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    app.patch_agent(&admin.token, bruno.id(), &json!({ "active": false }))
        .await;

    let right_password = app.login("bruno@groovoo.test", PASSWORD).await;
    let wrong_password = app.login("bruno@groovoo.test", "wrong password").await;

    assert_eq!(right_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        right_password.text().await.unwrap(),
        wrong_password.text().await.unwrap()
    );
}

#[tokio::test]
async fn a_reactivated_agent_signs_in_again_but_old_sessions_and_tokens_stay_dead() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let api = app.create_api_token(&bruno.token, "CRM", "read").await;
    app.patch_agent(&admin.token, bruno.id(), &json!({ "active": false }))
        .await;

    let changed = app
        .patch_agent(&admin.token, bruno.id(), &json!({ "active": true }))
        .await;

    assert!(changed.active);
    assert_eq!(
        app.login("bruno@groovoo.test", PASSWORD).await.status(),
        StatusCode::OK
    );
    for token in [&bruno.token, &api.secret] {
        assert_eq!(
            app.get("/me", token).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn an_admin_promotes_and_demotes_an_agent_which_changes_what_they_may_do_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    assert_problem(
        app.get("/audit", &bruno.token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    let promoted = app
        .patch_agent(&admin.token, bruno.id(), &json!({ "role": "admin" }))
        .await;

    assert_eq!(promoted.role, Role::Admin);
    assert_eq!(
        app.get("/audit", &bruno.token).await.status(),
        StatusCode::OK,
        "the same token, now an administrator's"
    );
    let demoted = app
        .patch_agent(&bruno.token, bruno.id(), &json!({ "role": "agent" }))
        .await;
    assert_eq!(demoted.role, Role::Agent);
    assert_problem(
        app.get("/audit", &bruno.token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn the_last_active_admin_can_be_neither_demoted_nor_deactivated() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let path = format!("/agents/{}", admin.id());

    for patch in [
        json!({ "role": "agent" }),
        json!({ "active": false }),
        json!({ "role": "agent", "active": false }),
    ] {
        let response = app.patch(&path, &admin.token, &patch).await;
        assert_problem(response, StatusCode::CONFLICT, "last_admin").await;
    }
    let me: Agent = json_body(app.get("/me", &admin.token).await, StatusCode::OK).await;
    assert_eq!((me.role, me.active), (Role::Admin, true));

    // With a second active administrator, the first may step down.
    app.patch_agent(&admin.token, bruno.id(), &json!({ "role": "admin" }))
        .await;
    let stepped_down = app
        .patch_agent(&admin.token, admin.id(), &json!({ "role": "agent" }))
        .await;
    assert_eq!(stepped_down.role, Role::Agent);
    let response = app
        .patch(
            &format!("/agents/{}", bruno.id()),
            &bruno.token,
            &json!({ "active": false }),
        )
        .await;
    assert_problem(response, StatusCode::CONFLICT, "last_admin").await;
}

#[tokio::test]
async fn a_deactivated_admin_does_not_count_as_an_active_one() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    app.patch_agent(&ana.token, bruno.id(), &json!({ "role": "admin" }))
        .await;
    app.patch_agent(&ana.token, bruno.id(), &json!({ "active": false }))
        .await;

    let response = app
        .patch(
            &format!("/agents/{}", ana.id()),
            &ana.token,
            &json!({ "role": "agent" }),
        )
        .await;

    assert_problem(response, StatusCode::CONFLICT, "last_admin").await;
}

#[tokio::test]
async fn patch_agent_returns_403_for_agents_404_for_unknown_ids_and_422_for_bad_bodies() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let carla = app.sign_up("Carla").await;
    let carla_path = format!("/agents/{}", carla.id());

    let by_agent = app
        .patch(&carla_path, &bruno.token, &json!({ "active": false }))
        .await;
    let self_promotion = app
        .patch(
            &format!("/agents/{}", bruno.id()),
            &bruno.token,
            &json!({ "role": "admin" }),
        )
        .await;
    let unknown = app
        .patch("/agents/9999", &admin.token, &json!({ "active": false }))
        .await;
    let not_an_id = app
        .patch("/agents/abc", &admin.token, &json!({ "active": false }))
        .await;
    let bad_role = app
        .patch(&carla_path, &admin.token, &json!({ "role": "root" }))
        .await;
    let bad_active = app
        .patch(&carla_path, &admin.token, &json!({ "active": "no" }))
        .await;
    let other_field = app
        .patch(&carla_path, &admin.token, &json!({ "email": "x@y.z" }))
        .await;

    assert_problem(by_agent, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(self_promotion, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(not_an_id, StatusCode::NOT_FOUND, "not_found").await;
    for response in [bad_role, bad_active, other_field] {
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    }
    let me: Agent = json_body(app.get("/me", &carla.token).await, StatusCode::OK).await;
    assert_eq!(me, carla.agent);
}

#[tokio::test]
async fn an_empty_patch_changes_nothing_and_returns_the_agent() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;

    let same = app.patch_agent(&admin.token, bruno.id(), &json!({})).await;
    let also_same = app
        .patch_agent(
            &admin.token,
            bruno.id(),
            &json!({ "active": true, "role": "agent" }),
        )
        .await;

    assert_eq!(same, bruno.agent);
    assert_eq!(also_same, bruno.agent);
    assert_eq!(app.get("/me", &bruno.token).await.status(), StatusCode::OK);
}

//! Registration, login and logout.

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use shared::validation::Validate;
use shared::{AuditAction, AuthResponse, LoginRequest, Problem, RegisterRequest, Role};

use crate::auth::jwt::LoginClaims;
use crate::auth::{AuthUser, ClientIp, SessionUser, bearer_token, password};
use crate::config::Signup;
use crate::db::models::audit::AuditEvent;
use crate::db::{self, models::agent, models::agent::AgentRow};
use crate::error::ApiError;
use crate::extract::JsonObject;
use crate::handlers::audit::record;
use crate::rate_limit;
use crate::state::AppState;

/// Issues a login token for `row`.
pub fn auth_response(state: &AppState, row: AgentRow) -> Result<AuthResponse, ApiError> {
    let (token, expires_at) = state.keys.issue_login(
        LoginClaims {
            agent_id: row.id,
            token_version: row.token_version,
        },
        state.settings.token_ttl,
    )?;
    Ok(AuthResponse {
        token,
        token_type: "Bearer".into(),
        expires_at,
        agent: row.into(),
    })
}

/// Create an account. The first account ever created is an administrator.
///
/// Who may call it depends on the server's `DESK_SIGNUP`: with `open` (the default) anyone; with
/// `admin` anyone may create the first account, and after that only an administrator signed in
/// with a login token (`Authorization: Bearer`); with `closed` no one. The answer signs in the
/// new account; an administrator creating an account for someone else simply ignores that token.
#[utoipa::path(
    post, path = "/api/v1/auth/register", tag = "auth", security((), ("bearer" = [])),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created; signed in", body = AuthResponse),
        (status = 401, description = "A bearer token was sent but is not valid (`invalid_token`, `token_expired`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Sign-up is closed (`signup_closed`): with `DESK_SIGNUP=admin`, once an account exists only administrators create accounts", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "E-mail already registered (`email_taken`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    ip: ClientIp,
    body: JsonObject<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let account = rate_limit::charge_login(&req, &body.email)?;
    let creator = match bearer_token(&req) {
        Some(_) => Some(SessionUser::extract(&req).await?.0),
        None => None,
    };
    // Only the very first account may register itself when administrators create the accounts;
    // checked cheaply here, and again in the write that creates it.
    let first_only = match state.settings.signup {
        Signup::Closed => return Err(ApiError::SignupClosed),
        Signup::Open => false,
        Signup::Admin => !creator.as_ref().is_some_and(AuthUser::is_admin),
    };
    if first_only && db::run(&state.pool, |conn| Ok(agent::any_exists(conn)?)).await? {
        return Err(ApiError::SignupClosed);
    }
    ApiError::check(body.validate())?;
    let RegisterRequest {
        name,
        email,
        password,
    } = body.into_inner();
    let cost = state.settings.bcrypt_cost;
    let password_hash = password::one_at_a_time(move || password::hash(&password, cost))
        .await?
        .map_err(ApiError::internal)?;
    let creator_id = creator.map(|user| user.id);
    let row = db::write(&state.writer, move |conn| {
        let email = agent::normalize_email(&email);
        if agent::find_by_email(conn, &email)?.is_some() {
            return Err(ApiError::EmailTaken);
        }
        let role = if agent::any_exists(conn)? {
            if first_only {
                return Err(ApiError::SignupClosed);
            }
            Role::Agent
        } else {
            Role::Admin
        };
        let row = agent::insert(
            conn,
            &agent::NewAgentRow {
                name: name.trim(),
                email: &email,
                password_hash: &password_hash,
                role: role.as_str(),
                created_at: db::models::now(),
            },
        )?;
        AuditEvent::new(AuditAction::AgentRegistered, ip.0)
            .actor(creator_id.unwrap_or(row.id))
            .on_agent(row.id)
            .detail("role", role.as_str())
            .record(conn)?;
        Ok(row)
    })
    .await?;
    tracing::info!(agent_id = row.id, role = %row.role, "agent registered");
    rate_limit::refund(&req, account);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/me"))
        .json(auth_response(&state, row)?))
}

/// Sign in with e-mail and password.
///
/// A deactivated account gets the same 401 as a wrong password, so the answer never tells
/// whether an account exists or what state it is in.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth", security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = AuthResponse),
        (status = 401, description = "Wrong e-mail or password, or a deactivated account (`invalid_credentials`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    ip: ClientIp,
    body: JsonObject<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let account = rate_limit::charge_login(&req, &body.email)?;
    ApiError::check(body.validate())?;
    let LoginRequest { email, password } = body.into_inner();
    let found = db::run(&state.pool, move |conn| {
        Ok(agent::find_by_email(conn, &email)?)
    })
    .await?;
    let dummy = state.dummy_hash.clone();
    let cost = state.settings.bcrypt_cost;
    // Unknown e-mails are checked against a dummy hash: same work, same answer, same timing.
    let (found, valid) = password::one_at_a_time(move || {
        let valid = match &found {
            Some(row) => password::verify(&password, &row.password_hash),
            None => {
                let hash = dummy.get_or_init(|| password::hash("", cost).unwrap_or_default());
                let _ = password::verify(&password, hash);
                false
            }
        };
        (found, valid)
    })
    .await?;
    // A failure names the account only when the e-mail belongs to one: what was typed into an
    // unknown e-mail field (sometimes a password) is never stored.
    let event = |action| AuditEvent::new(action, ip.0.clone());
    match found {
        Some(row) if valid && row.active => {
            tracing::info!(agent_id = row.id, "login succeeded");
            rate_limit::refund(&req, account);
            let success = event(AuditAction::LoginSucceeded)
                .actor(row.id)
                .on_agent(row.id);
            record(&state, success).await;
            Ok(HttpResponse::Ok().json(auth_response(&state, row)?))
        }
        found => {
            tracing::info!("login failed");
            let failure = event(AuditAction::LoginFailed);
            let failure = match &found {
                Some(row) if valid => failure.on_agent(row.id).detail("reason", "deactivated"),
                Some(row) => failure.on_agent(row.id).detail("reason", "wrong_password"),
                None => failure.detail("reason", "unknown_email"),
            };
            record(&state, failure).await;
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// Sign out: every login token of the agent stops working at once (on every device). API tokens
/// are not affected. Needs a login token, not an API token.
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Signed out; the agent's login tokens no longer work"),
        (status = 403, description = "Called with an API token (`session_required`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn logout(
    user: SessionUser,
    state: web::Data<AppState>,
    ip: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let SessionUser(user) = user;
    db::write(&state.writer, move |conn| {
        let row = agent::find(conn, user.id)?.ok_or(ApiError::InvalidToken)?;
        let changes = agent::AgentChangeset {
            token_version: Some(row.token_version + 1),
            ..Default::default()
        };
        agent::update(conn, user.id, &changes)?;
        user.audit(AuditAction::LoggedOut, &ip)
            .on_agent(user.id)
            .record(conn)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

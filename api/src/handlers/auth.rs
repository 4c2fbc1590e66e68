//! Registration and login.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use shared::validation::Validate;
use shared::{AuthResponse, LoginRequest, Problem, RegisterRequest, Role};

use crate::auth::jwt::LoginClaims;
use crate::auth::password;
use crate::config::Signup;
use crate::db::{self, models::agent, models::agent::AgentRow};
use crate::error::ApiError;
use crate::extract::JsonObject;
use crate::state::AppState;

/// Issues a login token for `row`.
fn auth_response(state: &AppState, row: AgentRow) -> Result<AuthResponse, ApiError> {
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
#[utoipa::path(
    post, path = "/api/v1/auth/register", tag = "auth", security(()),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created; signed in", body = AuthResponse),
        (status = 403, description = "Sign-up is closed (`signup_closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "E-mail already registered (`email_taken`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn register(
    state: web::Data<AppState>,
    body: JsonObject<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    if state.settings.signup == Signup::Closed {
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
    let row = db::write(&state.writer, move |conn| {
        let email = agent::normalize_email(&email);
        if agent::find_by_email(conn, &email)?.is_some() {
            return Err(ApiError::EmailTaken);
        }
        let role = if agent::any_exists(conn)? {
            Role::Agent
        } else {
            Role::Admin
        };
        Ok(agent::insert(
            conn,
            &agent::NewAgentRow {
                name: name.trim(),
                email: &email,
                password_hash: &password_hash,
                role: role.as_str(),
                created_at: db::models::now(),
            },
        )?)
    })
    .await?;
    tracing::info!(agent_id = row.id, role = %row.role, "agent registered");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/me"))
        .json(auth_response(&state, row)?))
}

/// Sign in with e-mail and password.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth", security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = AuthResponse),
        (status = 401, description = "Wrong e-mail or password (`invalid_credentials`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    body: JsonObject<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
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
    match found {
        Some(row) if valid && row.active => {
            tracing::info!(agent_id = row.id, "login succeeded");
            Ok(HttpResponse::Ok().json(auth_response(&state, row)?))
        }
        _ => {
            tracing::info!("login failed");
            Err(ApiError::InvalidCredentials)
        }
    }
}

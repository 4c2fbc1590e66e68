//! Signed tokens: login tokens (`Authorization: Bearer`) and per-file attachment tokens.
//!
//! Validation is pinned: HS256 only (`alg: none` and every other algorithm are refused), `exp`,
//! `iss`, `aud` and `sub` required and checked, `exp` and `nbf` must be numbers (jsonwebtoken
//! ≥ 10.3 refuses string dates, which earlier releases skipped). The two kinds have different
//! audiences, so an attachment link can never be used as a login token.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

const ISSUER: &str = "groovoo-service-desk";
const LOGIN_AUDIENCE: &str = "groovoo-service-desk/api";
const ATTACHMENT_AUDIENCE: &str = "groovoo-service-desk/attachment";

/// How long an attachment link stays valid.
pub const ATTACHMENT_TOKEN_TTL: Duration = Duration::hours(1);

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
    /// The agent's token version when the token was issued (login tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tv: Option<i64>,
}

/// What a valid login token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginClaims {
    pub agent_id: i64,
    pub token_version: i64,
}

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

fn validation(audience: &str) -> Validation {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_issuer(&[ISSUER]);
    v.set_audience(&[audience]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    v.validate_exp = true;
    v.validate_nbf = true;
    v.leeway = 5;
    v
}

impl Keys {
    pub fn new(secret: &[u8]) -> Result<Self, jsonwebtoken::errors::Error> {
        Ok(Self {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
        })
    }

    fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(ApiError::internal)
    }

    fn verify(&self, token: &str, audience: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation(audience))
            .map(|data| data.claims)
            .map_err(|err| match err.kind() {
                ErrorKind::ExpiredSignature => ApiError::TokenExpired,
                _ => ApiError::InvalidToken,
            })
    }

    /// A login token for an agent, and when it expires.
    pub fn issue_login(
        &self,
        claims: LoginClaims,
        ttl: std::time::Duration,
    ) -> Result<(String, DateTime<Utc>), ApiError> {
        let now = Utc::now();
        let expires_at = now + Duration::from_std(ttl).map_err(ApiError::internal)?;
        let token = self.sign(&Claims {
            sub: claims.agent_id.to_string(),
            iss: ISSUER.into(),
            aud: LOGIN_AUDIENCE.into(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            tv: Some(claims.token_version),
        })?;
        Ok((token, expires_at))
    }

    pub fn verify_login(&self, token: &str) -> Result<LoginClaims, ApiError> {
        let claims = self.verify(token, LOGIN_AUDIENCE)?;
        Ok(LoginClaims {
            agent_id: claims.sub.parse().map_err(|_| ApiError::InvalidToken)?,
            token_version: claims.tv.ok_or(ApiError::InvalidToken)?,
        })
    }

    /// A token that downloads one attachment for [`ATTACHMENT_TOKEN_TTL`].
    pub fn issue_attachment(&self, attachment_id: i64) -> Result<String, ApiError> {
        let now = Utc::now();
        self.sign(&Claims {
            sub: attachment_id.to_string(),
            iss: ISSUER.into(),
            aud: ATTACHMENT_AUDIENCE.into(),
            iat: now.timestamp(),
            exp: (now + ATTACHMENT_TOKEN_TTL).timestamp(),
            tv: None,
        })
    }

    /// Whether `token` grants access to attachment `attachment_id`.
    pub fn verify_attachment(&self, token: &str, attachment_id: i64) -> Result<(), ApiError> {
        let claims = self.verify(token, ATTACHMENT_AUDIENCE)?;
        if claims.sub == attachment_id.to_string() {
            Ok(())
        } else {
            Err(ApiError::InvalidToken)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::new(&[7; 32]).unwrap()
    }

    #[test]
    fn login_token_round_trips() {
        let claims = LoginClaims {
            agent_id: 3,
            token_version: 2,
        };
        let (token, _) = keys()
            .issue_login(claims, std::time::Duration::from_secs(60))
            .unwrap();
        assert_eq!(keys().verify_login(&token).unwrap(), claims);
    }

    #[test]
    fn other_secret_and_wrong_audience_are_refused() {
        let (token, _) = keys()
            .issue_login(
                LoginClaims {
                    agent_id: 3,
                    token_version: 0,
                },
                std::time::Duration::from_secs(60),
            )
            .unwrap();
        assert!(matches!(
            Keys::new(&[8; 32]).unwrap().verify_login(&token),
            Err(ApiError::InvalidToken)
        ));
        let file_token = keys().issue_attachment(3).unwrap();
        assert!(keys().verify_login(&file_token).is_err());
        assert!(keys().verify_attachment(&file_token, 3).is_ok());
        assert!(keys().verify_attachment(&file_token, 4).is_err());
        assert!(keys().verify_attachment(&token, 3).is_err());
    }
}

//! `JsonObject<T>`: the JSON request body of every handler that takes one.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Like `web::Json<T>` (the same size limit, content type and error bodies), but only a JSON
/// object is accepted. serde reads a struct from an array of its fields in order, so without this
/// `[null, null]` was taken as an empty ticket change and `["a", "b", …]` as a new ticket.
#[derive(Debug)]
pub struct JsonObject<T>(pub T);

impl<T> JsonObject<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonObject<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonObject<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            if !value.is_object() {
                return Err(ApiError::InvalidBody("the body must be a JSON object".into()).into());
            }
            serde_json::from_value(value)
                .map(Self)
                .map_err(|err| ApiError::InvalidBody(err.to_string()).into())
        })
    }
}

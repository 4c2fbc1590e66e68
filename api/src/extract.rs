//! `JsonObject<T>`: the JSON request body of every handler that takes one.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Like `web::Json<T>` (the same size limit, content type and error bodies), but read as the
/// OpenAPI document (JSON Schema) reads it:
/// - only a JSON object is accepted: serde reads a struct from an array of its fields in order,
///   so `[null, null]` was taken as an empty ticket change and `["a", "b", …]` as a new ticket;
/// - a number with no fraction is an integer (`7.0` is `7`), which serde refuses for `i64`.
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
            let mut value = value.await?.into_inner();
            if !value.is_object() {
                return Err(ApiError::InvalidBody("the body must be a JSON object".into()).into());
            }
            integral_numbers(&mut value);
            serde_json::from_value(value)
                .map(Self)
                .map_err(|err| ApiError::InvalidBody(err.to_string()).into())
        })
    }
}

/// Rewrites every number with no fraction (`7.0`, `-2e3`) as an integer, within ±2^53 where a
/// float holds every integer exactly. Beyond that a float may be a rounded integer literal that
/// does not fit an `i64` (`-9223372036854775809` reads as -2^63), so it stays a float and is
/// refused.
fn integral_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && (-EXACT..=EXACT).contains(&f)
            {
                // Integral and within ±2^53, checked above: the cast is exact.
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_numbers_become_integers() {
        let mut value = serde_json::json!({"a": 7.0, "b": [-2e3, 1.5], "c": 1e300, "d": 3});
        integral_numbers(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"a": 7, "b": [-2000, 1.5], "c": 1e300, "d": 3})
        );
        // Found by fuzzing: an integer literal below i64::MIN reads as the float -2^63.
        let mut below: serde_json::Value =
            serde_json::from_str(r#"{"id": -9223372036854775809}"#).unwrap();
        integral_numbers(&mut below);
        assert!(below["id"].is_f64());
    }
}

//! API token secrets: `gsd_` and 43 base62 characters (256 bits) from the operating system's
//! random source. The database keeps only their SHA-256: a secret that random cannot be guessed
//! from its hash, so the slow password hashes (which protect low-entropy human passwords) are not
//! needed, and a lookup by hash costs one indexed read.

use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use shared::API_TOKEN_PREFIX;

use crate::error::ApiError;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// 43 base62 characters carry 43 × log2(62) ≈ 256 bits.
const SECRET_CHARS: usize = 43;
/// Characters of the secret shown in lists, after `gsd_`.
const SHOWN_CHARS: usize = 8;
/// The largest multiple of 62 that fits a byte: bytes at or above it are drawn again, so every
/// character is equally likely.
const UNBIASED_BELOW: u8 = 248;

/// A new secret.
pub fn generate() -> Result<String, ApiError> {
    let mut secret = String::with_capacity(API_TOKEN_PREFIX.len() + SECRET_CHARS);
    secret.push_str(API_TOKEN_PREFIX);
    let mut buf = [0u8; 64];
    while secret.len() < API_TOKEN_PREFIX.len() + SECRET_CHARS {
        OsRng
            .try_fill_bytes(&mut buf)
            .map_err(|err| ApiError::internal(format!("no randomness from the OS: {err}")))?;
        let room = API_TOKEN_PREFIX.len() + SECRET_CHARS - secret.len();
        secret.extend(
            buf.iter()
                .filter(|b| **b < UNBIASED_BELOW)
                .take(room)
                .map(|b| char::from(ALPHABET[usize::from(*b % 62)])),
        );
    }
    Ok(secret)
}

/// Whether `token` has the shape of a secret this server issues (checked before any look-up).
pub fn is_well_formed(token: &str) -> bool {
    token.strip_prefix(API_TOKEN_PREFIX).is_some_and(|rest| {
        rest.len() == SECRET_CHARS && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// What the database stores and looks tokens up by: the hex SHA-256 of the secret.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The part of a secret shown in lists: `gsd_` and its first 8 characters.
pub fn shown_prefix(secret: &str) -> String {
    secret
        .chars()
        .take(API_TOKEN_PREFIX.len() + SHOWN_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_well_formed_and_different() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert!(a.starts_with("gsd_"));
        assert_eq!(a.len(), 4 + 43);
        assert!(is_well_formed(&a) && is_well_formed(&b));
        assert_ne!(a, b);
        assert_eq!(shown_prefix(&a).len(), 12);
        assert!(a.starts_with(&shown_prefix(&a)));
    }

    #[test]
    fn malformed_secrets_are_recognised() {
        for bad in ["", "gsd_", "gsd_short", &format!("gsd_{}!", "a".repeat(42))] {
            assert!(!is_well_formed(bad), "{bad}");
        }
        assert!(is_well_formed(&format!("gsd_{}", "a".repeat(43))));
    }

    #[test]
    fn the_hash_is_the_hex_sha256_of_the_secret() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

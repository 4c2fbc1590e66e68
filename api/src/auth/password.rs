//! Password hashing: bcrypt over a SHA-256 pre-hash.
//!
//! bcrypt reads at most 72 bytes and stops at a NUL byte. Pre-hashing every password to the
//! 44-character base64 of its SHA-256 makes all 128 allowed characters count, without truncation.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

fn prehash(password: &str) -> String {
    STANDARD.encode(Sha256::digest(password.as_bytes()))
}

pub fn hash(password: &str, cost: u32) -> Result<String, bcrypt::BcryptError> {
    bcrypt::hash(prehash(password), cost)
}

/// Whether `password` matches `hash`; a malformed hash never matches.
pub fn verify(password: &str, hash: &str) -> bool {
    bcrypt::verify(prehash(password), hash).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_passwords_are_not_truncated() {
        let base = "x".repeat(100);
        let hashed = hash(&format!("{base}A"), 4).unwrap();
        assert!(verify(&format!("{base}A"), &hashed));
        assert!(!verify(&format!("{base}B"), &hashed));
    }

    #[test]
    fn wrong_password_and_garbage_hash_fail() {
        let hashed = hash("correct horse", 4).unwrap();
        assert!(!verify("wrong horse", &hashed));
        assert!(!verify("correct horse", "not a bcrypt hash"));
    }
}

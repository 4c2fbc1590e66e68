//! Password hashing: bcrypt over a SHA-256 pre-hash.
//!
//! bcrypt reads at most 72 bytes and stops at a NUL byte. Pre-hashing every password to the
//! 44-character base64 of its SHA-256 makes all 128 allowed characters count, without truncation.

use actix_web::error::BlockingError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

/// One bcrypt computation at a time, process-wide. At the production cost a hash takes a core
/// for a quarter of a second or more; without this gate a burst of logins would take every core
/// and stall all other requests. Queued logins wait; everything else keeps a core.
static BCRYPT_GATE: Semaphore = Semaphore::const_new(1);

/// Runs `work` (hashing or verifying) on the blocking pool, one at a time process-wide.
pub async fn one_at_a_time<R: Send + 'static>(
    work: impl FnOnce() -> R + Send + 'static,
) -> Result<R, BlockingError> {
    // The semaphore is never closed, so acquiring cannot fail; if it ever did, run ungated
    // rather than refuse a login.
    let _permit = BCRYPT_GATE.acquire().await.ok();
    actix_web::web::block(work).await
}

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

    #[actix_web::test]
    async fn hashing_never_runs_twice_at_once() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};

        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks = (0..4).map(|_| {
            let (running, most) = (running.clone(), most.clone());
            one_at_a_time(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                let hashed = hash("x", 6).unwrap();
                running.fetch_sub(1, Ordering::SeqCst);
                hashed
            })
        });
        let hashes = futures_util::future::join_all(tasks).await;
        assert!(hashes.into_iter().all(|h| verify("x", &h.unwrap())));
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn wrong_password_and_garbage_hash_fail() {
        let hashed = hash("correct horse", 4).unwrap();
        assert!(!verify("wrong horse", &hashed));
        assert!(!verify("correct horse", "not a bcrypt hash"));
    }
}

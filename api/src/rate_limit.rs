//! Rate limits: how many requests a client may make per minute, kept in memory.
//!
//! Each [`Limiter`] is a GCRA (generic cell rate algorithm, the token bucket written as one
//! timestamp per key): `n` per minute means up to `n` at once, then one every `60 / n` seconds.
//! Keys ([`Key`]):
//! - API requests by the authenticated principal ([`Principal`], charged by the `AuthUser`
//!   extractor once the caller is known) or, when a request identifies no one, by client IP
//!   (charged by [`middleware`] after the fast 401/404).
//! - Login and register attempts per client IP and per account e-mail ([`charge_login`]); a
//!   successful attempt is given back to the account, so only failures count against it.
//!
//! The client IP is the socket peer, unless the peer is one of `DESK_TRUSTED_PROXIES`: then the
//! right-most `X-Forwarded-For` entry that is not a trusted proxy. IPv6 clients are counted per
//! /64 network (one host usually owns a whole /64).
//!
//! Every `/api/v1` response carries `RateLimit-Limit`, `RateLimit-Remaining` and
//! `RateLimit-Reset` (IETF draft) of the limit it was counted against; over the limit the answer
//! is 429 `rate_limited` with `Retry-After`.
//!
//! Own implementation rather than a crate: the headers need the remaining quota of every
//! decision, the clock must be injectable for tests, and the map must stay bounded under a flood
//! of new addresses ([`MAX_KEYS`], expired buckets dropped first); it is a few dozen lines.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, ResponseError, web};
use ipnet::IpNet;

use crate::config::Settings;
use crate::error::ApiError;
use crate::state::AppState;

/// Most keys one limiter remembers; beyond, the buckets closest to full are forgotten.
pub const MAX_KEYS: usize = 100_000;

pub const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
pub const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
pub const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// A time source: the time elapsed since some fixed start.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Duration;
}

/// The real, monotonic clock.
#[derive(Debug)]
pub struct MonotonicClock(Instant);

impl Default for MonotonicClock {
    fn default() -> Self {
        Self(Instant::now())
    }
}

impl Clock for MonotonicClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}

/// Who made an authenticated API request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal {
    /// An agent signed in with a login token.
    Agent(i64),
    /// An integration using an API token: each token has its own quota.
    ApiToken(i64),
}

/// What a limiter counts requests by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Principal(Principal),
    /// A client address; for IPv6 its /64 network.
    Ip(IpAddr),
    /// An account e-mail, normalised (trimmed, lowercase).
    Account(String),
}

impl Key {
    /// The key of a client address: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by /64 network.
    pub fn ip(ip: IpAddr) -> Self {
        Self::Ip(match ip.to_canonical() {
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
            v4 => v4,
        })
    }
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Requests allowed per minute.
    pub limit: u32,
    /// Requests left right now.
    pub remaining: u32,
    /// Seconds until the whole quota is available again.
    pub reset: u64,
    /// When refused: seconds until one more request is allowed.
    pub retry_after: Option<u64>,
}

impl Decision {
    /// The most restrictive of two decisions: a refusal first, then the fewest remaining.
    fn strictest(self, other: Self) -> Self {
        let rank = |d: &Self| (d.retry_after.is_none(), d.remaining);
        if rank(&other) < rank(&self) {
            other
        } else {
            self
        }
    }

    fn check(self) -> Result<(), ApiError> {
        match self.retry_after {
            Some(retry_after) => Err(ApiError::RateLimited { retry_after }),
            None => Ok(()),
        }
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// One quota, counted separately per key.
#[derive(Debug)]
pub struct Limiter {
    limit: u32,
    /// Time one request "costs": a minute divided by the limit.
    interval: Duration,
    clock: Arc<dyn Clock>,
    /// Per key, the theoretical arrival time: when its bucket will be full again.
    buckets: Mutex<HashMap<Key, Duration>>,
}

impl Limiter {
    /// `per_minute` requests per minute per key; `None` (no limit) for 0.
    pub fn new(per_minute: u32, clock: Arc<dyn Clock>) -> Option<Self> {
        (per_minute > 0).then(|| Self {
            limit: per_minute,
            interval: Duration::from_secs(60) / per_minute,
            clock,
            buckets: Mutex::new(HashMap::new()),
        })
    }

    /// Counts one request of `key`, unless it is over the limit.
    pub fn check(&self, key: &Key) -> Decision {
        let now = self.clock.now();
        let window = self.interval * self.limit;
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let tat = buckets.get(key).copied().unwrap_or(now).max(now);
        let next = tat + self.interval;
        let used = next - now;
        if used > window {
            return Decision {
                limit: self.limit,
                remaining: 0,
                reset: ceil_secs(tat - now),
                retry_after: Some(ceil_secs(used - window).max(1)),
            };
        }
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(key) {
            evict(&mut buckets, now);
        }
        buckets.insert(key.clone(), next);
        let left = (window - used).as_nanos() / self.interval.as_nanos();
        Decision {
            limit: self.limit,
            remaining: u32::try_from(left).unwrap_or(0),
            reset: ceil_secs(used),
            retry_after: None,
        }
    }

    /// Gives one request back to `key` (a login that succeeded).
    pub fn refund(&self, key: &Key) {
        let now = self.clock.now();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(tat) = buckets.get_mut(key) {
            *tat = tat.saturating_sub(self.interval);
            if *tat <= now {
                buckets.remove(key);
            }
        }
    }
}

/// Makes room: forgets full buckets (they are the same as no bucket), then, if that is not
/// enough, the half closest to full. Runs at most once per `MAX_KEYS / 2` new keys.
fn evict(buckets: &mut HashMap<Key, Duration>, now: Duration) {
    buckets.retain(|_, tat| *tat > now);
    if buckets.len() >= MAX_KEYS / 2 {
        let mut tats: Vec<Duration> = buckets.values().copied().collect();
        let middle = tats.len() / 2;
        let (_, median, _) = tats.select_nth_unstable(middle);
        let median = *median;
        buckets.retain(|_, tat| *tat > median);
    }
}

/// The limiters of a server, its trusted proxies, and its clock.
#[derive(Debug)]
pub struct RateLimits {
    api: Option<Limiter>,
    login_ip: Option<Limiter>,
    account: Option<Limiter>,
    trusted_proxies: Vec<IpNet>,
}

impl RateLimits {
    pub fn new(settings: &Settings, clock: Arc<dyn Clock>) -> Self {
        let limits = settings.rate_limits;
        Self {
            api: Limiter::new(limits.api_per_minute, clock.clone()),
            login_ip: Limiter::new(limits.login_per_minute, clock.clone()),
            account: Limiter::new(limits.account_per_minute, clock),
            trusted_proxies: settings.trusted_proxies.clone(),
        }
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the socket peer, or, while the hop that told us is a trusted proxy,
    /// the `X-Forwarded-For` entry it added (read from the right). A spoofed entry sent by the
    /// client sits left of the first untrusted hop and is never reached.
    pub fn client_ip(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = peer;
        let entries = forwarded_for.iter().flat_map(|v| v.split(',')).rev();
        for entry in entries {
            if !self.trusted(client) {
                break;
            }
            let entry = entry.trim();
            let parsed = entry
                .parse::<IpAddr>()
                .ok()
                .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()));
            match parsed {
                Some(ip) => client = ip,
                None => break,
            }
        }
        client
    }
}

/// The client address of a request, as [`RateLimits::client_ip`] finds it.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

/// The decision a request was counted with (at most one per request).
#[derive(Debug, Clone, Copy)]
struct Counted(Option<Decision>);

fn limits(req: &HttpRequest) -> Option<Arc<RateLimits>> {
    req.app_data::<web::Data<AppState>>()
        .map(|state| state.rate_limits.clone())
}

fn client_ip(req: &HttpRequest, limits: &RateLimits) -> IpAddr {
    if let Some(ClientIp(ip)) = req.extensions().get::<ClientIp>() {
        return *ip;
    }
    let peer = req
        .peer_addr()
        .map_or(IpAddr::from([127, 0, 0, 1]), |a| a.ip());
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    limits.client_ip(peer, &forwarded)
}

/// The client's address as the limits see it: the socket peer, or what a trusted proxy reports.
pub fn request_ip(req: &HttpRequest) -> Option<IpAddr> {
    let limits = limits(req)?;
    Some(client_ip(req, &limits))
}

/// Counts an authenticated API request against its principal; 429 when over the limit.
pub fn charge(req: &HttpRequest, principal: Principal) -> Result<(), ApiError> {
    if req.extensions().get::<Counted>().is_some() {
        return Ok(());
    }
    let Some(limits) = limits(req) else {
        return Ok(());
    };
    let decision = limits
        .api
        .as_ref()
        .map(|api| api.check(&Key::Principal(principal)));
    req.extensions_mut().insert(Counted(decision));
    decision.map_or(Ok(()), Decision::check)
}

/// A login, register or password-change attempt: counted per client IP and, if that allows it,
/// per account e-mail; 429 when either is over its limit. Returns the account key to [`refund`] when the
/// attempt succeeds.
pub fn charge_login(req: &HttpRequest, email: &str) -> Result<Option<Key>, ApiError> {
    let Some(limits) = limits(req) else {
        return Ok(None);
    };
    let ip = client_ip(req, &limits);
    let by_ip = limits.login_ip.as_ref().map(|l| l.check(&Key::ip(ip)));
    let account = Key::Account(email.trim().to_lowercase());
    let by_account = match (by_ip, &limits.account) {
        (
            Some(Decision {
                retry_after: Some(_),
                ..
            }),
            _,
        )
        | (_, None) => None,
        (_, Some(limiter)) => Some(limiter.check(&account)),
    };
    let decision = match (by_ip, by_account) {
        (Some(a), Some(b)) => Some(a.strictest(b)),
        (a, b) => a.or(b),
    };
    req.extensions_mut().insert(Counted(decision));
    decision.map_or(Ok(()), Decision::check)?;
    Ok(by_account.map(|_| account))
}

/// Gives a successful login's attempt back to its account.
pub fn refund(req: &HttpRequest, account: Option<Key>) {
    if let (Some(limits), Some(account)) = (limits(req), account)
        && let Some(limiter) = &limits.account
    {
        limiter.refund(&account);
    }
}

fn set_headers(headers: &mut header::HeaderMap, decision: Decision) {
    for (name, value) in [
        (RATELIMIT_LIMIT, u64::from(decision.limit)),
        (RATELIMIT_REMAINING, u64::from(decision.remaining)),
        (RATELIMIT_RESET, decision.reset),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
}

/// For `/api/v1`: notes the client IP, counts a request that identified no one by that IP (after
/// its cheap answer; over the limit that answer becomes a 429), and adds the `RateLimit-*`
/// headers of whatever the request was counted against.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limits = limits(req.request()).filter(|_| req.path().starts_with(shared::API_PREFIX));
    let Some(limits) = limits else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let ip = client_ip(req.request(), &limits);
    req.extensions_mut().insert(ClientIp(ip));
    let response = next.call(req).await?.map_into_boxed_body();
    let counted = response.request().extensions().get::<Counted>().copied();
    let decision = match counted {
        Some(Counted(decision)) => decision,
        None => limits.api.as_ref().map(|api| api.check(&Key::ip(ip))),
    };
    let Some(decision) = decision else {
        return Ok(response);
    };
    let mut response = match (counted, decision.check()) {
        (None, Err(refused)) => {
            let refused = refused.error_response();
            response.into_response(refused)
        }
        _ => response,
    };
    set_headers(response.headers_mut(), decision);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// A clock the test moves by hand.
    #[derive(Debug, Default)]
    struct ManualClock(AtomicU64);

    impl ManualClock {
        fn advance(&self, by: Duration) {
            self.0
                .fetch_add(u64::try_from(by.as_millis()).unwrap(), Ordering::SeqCst);
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> Duration {
            Duration::from_millis(self.0.load(Ordering::SeqCst))
        }
    }

    fn limiter(per_minute: u32) -> (Arc<ManualClock>, Limiter) {
        let clock = Arc::new(ManualClock::default());
        let limiter = Limiter::new(per_minute, clock.clone()).unwrap();
        (clock, limiter)
    }

    fn ana() -> Key {
        Key::Principal(Principal::Agent(1))
    }

    #[test]
    fn the_whole_quota_may_come_at_once_then_one_per_interval() {
        let (clock, limiter) = limiter(6);
        let remaining: Vec<u32> = (0..6).map(|_| limiter.check(&ana()).remaining).collect();
        assert_eq!(remaining, [5, 4, 3, 2, 1, 0]);

        let refused = limiter.check(&ana());
        assert_eq!(refused.retry_after, Some(10), "one request every 10 s");
        assert_eq!(refused.reset, 60);
        assert_eq!(refused.remaining, 0);

        clock.advance(Duration::from_millis(9_999));
        assert_eq!(limiter.check(&ana()).retry_after, Some(1));
        clock.advance(Duration::from_millis(1));
        let allowed = limiter.check(&ana());
        assert_eq!((allowed.retry_after, allowed.remaining), (None, 0));

        clock.advance(Duration::from_secs(60));
        assert_eq!(
            limiter.check(&ana()).remaining,
            5,
            "full again after a minute"
        );
    }

    #[test]
    fn keys_are_counted_apart() {
        let (_, limiter) = limiter(1);
        assert!(limiter.check(&ana()).retry_after.is_none());
        assert!(limiter.check(&ana()).retry_after.is_some());
        assert!(
            limiter
                .check(&Key::Principal(Principal::Agent(2)))
                .retry_after
                .is_none()
        );
    }

    #[test]
    fn a_refund_gives_one_request_back() {
        let (_, limiter) = limiter(2);
        let account = Key::Account("ana@x.io".into());
        limiter.check(&account);
        limiter.check(&account);
        limiter.refund(&account);
        assert!(limiter.check(&account).retry_after.is_none());
        assert!(limiter.check(&account).retry_after.is_some());
    }

    #[test]
    fn zero_turns_a_limit_off() {
        assert!(Limiter::new(0, Arc::new(ManualClock::default())).is_none());
    }

    #[test]
    fn the_map_stays_bounded_and_keeps_the_busiest_buckets() {
        let (clock, limiter) = limiter(10);
        for _ in 0..9 {
            limiter.check(&ana());
        }
        for i in 1..MAX_KEYS {
            let ip = IpAddr::from(u32::try_from(i).unwrap().to_be_bytes());
            limiter.check(&Key::ip(ip));
        }
        clock.advance(Duration::from_millis(1));
        let newcomer = Key::Account("new@x.io".into());
        assert!(limiter.check(&newcomer).retry_after.is_none());
        let buckets = limiter.buckets.lock().unwrap();
        assert!(buckets.len() <= MAX_KEYS / 2, "{}", buckets.len());
        assert!(buckets.contains_key(&ana()), "the busiest bucket is kept");
        assert!(buckets.contains_key(&newcomer));
    }

    fn proxies(trusted: &[&str]) -> RateLimits {
        let mut settings = Settings::try_from(crate::config::RawSettings::default()).unwrap();
        settings.trusted_proxies = trusted.iter().map(|n| n.parse().unwrap()).collect();
        RateLimits::new(&settings, Arc::new(ManualClock::default()))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let none = proxies(&[]);
        assert_eq!(none.client_ip(ip("10.0.0.2"), &["1.2.3.4"]), ip("10.0.0.2"));

        let lan = proxies(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.2");
        assert_eq!(lan.client_ip(peer, &[]), peer);
        assert_eq!(lan.client_ip(peer, &["203.0.113.9"]), ip("203.0.113.9"));
        // The client wrote the first entry itself; the proxy appended the real address.
        assert_eq!(
            lan.client_ip(peer, &["6.6.6.6, 203.0.113.9"]),
            ip("203.0.113.9")
        );
        // Two proxies in a row, the header split over two lines.
        assert_eq!(
            lan.client_ip(peer, &["6.6.6.6, 203.0.113.9", "10.1.1.1"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            lan.client_ip(peer, &["[2001:db8::1]:4711"]),
            ip("2001:db8::1")
        );
        assert_eq!(lan.client_ip(peer, &["garbage"]), peer);
        assert_eq!(
            lan.client_ip(ip("192.0.2.1"), &["203.0.113.9"]),
            ip("192.0.2.1")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_network() {
        assert_eq!(
            Key::ip(ip("2001:db8:1:2:aaaa::1")),
            Key::ip(ip("2001:db8:1:2::ffff"))
        );
        assert_ne!(
            Key::ip(ip("2001:db8:1:2::1")),
            Key::ip(ip("2001:db8:1:3::1"))
        );
        assert_eq!(Key::ip(ip("::ffff:192.0.2.1")), Key::Ip(ip("192.0.2.1")));
    }
}

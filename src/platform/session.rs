//! A bearer token shared by every call of one adapter: got on first use,
//! renewed ahead of a known expiry, and renewed once for a burst of calls
//! the server refused together. How a vendor logs in and refreshes stays
//! behind [`Renew`]; this module only decides when.
//!
//! Tokens live in memory only and are handed out as [`Secret`]s; nothing
//! here logs them.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::model::Secret;
use crate::platform::PlatformError;

/// Renew this long before the server's expiry, so a call never leaves
/// with a token about to lapse in flight.
const EARLY: Duration = Duration::from_mins(1);

/// One token as a vendor issued it.
pub struct Token {
    access: Secret,
    refresh: Option<Secret>,
    renew_at: Option<Instant>,
}

impl Token {
    /// A token with no known expiry: renewed only when refused.
    pub const fn new(access: Secret, refresh: Option<Secret>) -> Self {
        Self {
            access,
            refresh,
            renew_at: None,
        }
    }

    /// A token the server said lasts `lifetime` from `issued`; it is
    /// renewed a minute early, or at half its life when that is shorter.
    pub fn expiring(
        access: Secret,
        refresh: Option<Secret>,
        lifetime: Duration,
        issued: Instant,
    ) -> Self {
        let early = if lifetime > EARLY * 2 {
            EARLY
        } else {
            lifetime / 2
        };
        Self {
            access,
            refresh,
            renew_at: issued.checked_add(lifetime.saturating_sub(early)),
        }
    }

    pub const fn access(&self) -> &Secret {
        &self.access
    }

    pub const fn refresh(&self) -> Option<&Secret> {
        self.refresh.as_ref()
    }

    fn is_fresh(&self, now: Instant) -> bool {
        self.renew_at.is_none_or(|at| now < at)
    }
}

/// The vendor's half: how to get a first token and how to replace one.
pub trait Renew: Sync {
    /// A first token, typically by logging in.
    fn login(&self) -> impl Future<Output = Result<Token, PlatformError>> + Send;

    /// A token to replace `stale`, which the server refused (`refusal` is
    /// its answer) or which is about to expire (`refusal` is `None`).
    fn renew(
        &self,
        stale: &Token,
        refusal: Option<&PlatformError>,
    ) -> impl Future<Output = Result<Token, PlatformError>> + Send;
}

/// The token a call was sent with, and which renewal produced it, so
/// that calls refused together renew once.
pub struct Lease {
    generation: u64,
    access: Secret,
}

impl Lease {
    pub const fn access(&self) -> &Secret {
        &self.access
    }
}

#[derive(Default)]
struct Held {
    generation: u64,
    token: Option<Token>,
}

impl Held {
    fn store(&mut self, token: Token) -> Lease {
        self.generation += 1;
        let lease = Lease {
            generation: self.generation,
            access: token.access.clone(),
        };
        self.token = Some(token);
        lease
    }

    fn lease(&self) -> Option<Lease> {
        self.token.as_ref().map(|t| Lease {
            generation: self.generation,
            access: t.access.clone(),
        })
    }
}

/// One lock for first use, expiry and refusal, so that concurrent calls
/// meeting a missing, lapsing or refused token renew it once, not once each.
#[derive(Default)]
pub struct TokenSession {
    held: Mutex<Held>,
}

impl TokenSession {
    pub fn new() -> Self {
        Self::default()
    }

    /// The token to send: logging in first when there is none, renewing
    /// first when it is about to expire.
    pub async fn lease(&self, vendor: &impl Renew) -> Result<Lease, PlatformError> {
        let mut held = self.held.lock().await;
        let token = match &held.token {
            Some(t) if t.is_fresh(Instant::now()) => return held.lease().ok_or_else(gone),
            Some(stale) => vendor.renew(stale, None).await?,
            None => vendor.login().await?,
        };
        Ok(held.store(token))
    }

    /// Replaces the token of `refused` after the server refused it, unless
    /// a call refused at the same time already did.
    pub async fn renew(
        &self,
        vendor: &impl Renew,
        refused: &Lease,
        refusal: &PlatformError,
    ) -> Result<Lease, PlatformError> {
        let mut held = self.held.lock().await;
        if held.generation != refused.generation
            && let Some(lease) = held.lease()
        {
            return Ok(lease);
        }
        let token = match &held.token {
            Some(stale) => vendor.renew(stale, Some(refusal)).await?,
            None => vendor.login().await?,
        };
        Ok(held.store(token))
    }

    /// Replaces the token now with what `change` makes of it (after a
    /// first login when there is none yet).
    pub async fn replace<F, R>(&self, vendor: &impl Renew, change: F) -> Result<(), PlatformError>
    where
        F: FnOnce(&Token) -> R,
        R: Future<Output = Result<Token, PlatformError>>,
    {
        let mut held = self.held.lock().await;
        if held.token.is_none() {
            let first = vendor.login().await?;
            held.store(first);
        }
        let token = match &held.token {
            Some(current) => change(current).await?,
            None => return Err(gone()),
        };
        held.store(token);
        Ok(())
    }

    /// Runs `call` with the current token; when `refused` says the server
    /// turned that token down, renews it (once for the burst) and runs
    /// `call` again. Only for servers that check the token before doing
    /// anything, so that the repeat is safe whatever the method.
    pub async fn authed<T, F, R>(
        &self,
        vendor: &impl Renew,
        refused: impl Fn(&PlatformError) -> bool,
        call: F,
    ) -> Result<T, PlatformError>
    where
        F: Fn(Secret) -> R,
        R: Future<Output = Result<T, PlatformError>>,
    {
        let lease = self.lease(vendor).await?;
        match call(lease.access.clone()).await {
            Err(err) if refused(&err) => {
                let renewed = self.renew(vendor, &lease, &err).await?;
                call(renewed.access).await
            }
            other => other,
        }
    }
}

/// Unreachable in practice: a token was stored under the same lock.
fn gone() -> PlatformError {
    PlatformError::Auth("the session holds no token".into())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    struct Counting {
        logins: AtomicUsize,
        renewals: AtomicUsize,
        lifetime: Option<Duration>,
    }

    impl Counting {
        fn new(lifetime: Option<Duration>) -> Self {
            Self {
                logins: AtomicUsize::new(0),
                renewals: AtomicUsize::new(0),
                lifetime,
            }
        }

        fn token(&self, n: usize) -> Token {
            let access = Secret::new(format!("t{n}"));
            match self.lifetime {
                Some(life) => Token::expiring(access, None, life, Instant::now()),
                None => Token::new(access, None),
            }
        }
    }

    impl Renew for Counting {
        async fn login(&self) -> Result<Token, PlatformError> {
            let n = self.logins.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(self.token(n))
        }

        async fn renew(
            &self,
            _stale: &Token,
            _refusal: Option<&PlatformError>,
        ) -> Result<Token, PlatformError> {
            let n = self.renewals.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(self.token(100 + n))
        }
    }

    #[test]
    fn a_token_is_renewed_a_minute_early() {
        let now = Instant::now();
        let t = Token::expiring(Secret::new("a"), None, Duration::from_hours(1), now);
        assert!(t.is_fresh(now + Duration::from_secs(3500)));
        assert!(!t.is_fresh(now + Duration::from_secs(3541)));
        let short = Token::expiring(Secret::new("a"), None, Duration::from_secs(10), now);
        assert!(!short.is_fresh(now + Duration::from_secs(5)));
        assert!(Token::new(Secret::new("a"), None).is_fresh(now + Duration::from_secs(1 << 30)));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_burst_of_refusals_renews_once() {
        let vendor = Arc::new(Counting::new(None));
        let session = Arc::new(TokenSession::new());
        let calls: Vec<_> = (0..16)
            .map(|_| {
                let (vendor, session) = (vendor.clone(), session.clone());
                tokio::spawn(async move {
                    session
                        .authed(
                            &*vendor,
                            |e| matches!(e, PlatformError::Auth(_)),
                            |token| async move {
                                tokio::task::yield_now().await;
                                if token.expose() == "t0" {
                                    Err(PlatformError::Auth("expired".into()))
                                } else {
                                    Ok(token.expose().to_string())
                                }
                            },
                        )
                        .await
                })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap(), "t100");
        }
        assert_eq!(vendor.logins.load(Ordering::SeqCst), 1);
        assert_eq!(vendor.renewals.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_lapsing_token_is_renewed_before_it_is_sent() {
        // A token with no life left is always about to expire.
        let vendor = Counting::new(Some(Duration::ZERO));
        let session = TokenSession::new();
        let first = session.lease(&vendor).await.unwrap();
        assert_eq!(first.access().expose(), "t0");
        let second = session.lease(&vendor).await.unwrap();
        assert_eq!(second.access().expose(), "t100");
        assert_eq!(vendor.logins.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_refusal_that_is_not_the_tokens_is_returned_as_is() {
        let vendor = Counting::new(None);
        let session = TokenSession::new();
        let err = session
            .authed(
                &vendor,
                |e| matches!(e, PlatformError::Auth(_)),
                |_| async { Err::<(), _>(PlatformError::NotFound("x".into())) },
            )
            .await
            .unwrap_err();
        assert_eq!(err, PlatformError::NotFound("x".into()));
        assert_eq!(vendor.renewals.load(Ordering::SeqCst), 0);
    }
}

//! The Mashery access token: fetched on first use, renewed (refresh grant
//! first, password grant if that is refused) shortly before it expires,
//! and renewed once for a burst of calls the gateway refused. Kept here
//! because the crate has no shared token session yet.

use std::time::{Duration, Instant};

use crate::model::Secret;

/// Renew this long before the server's expiry, so a call never leaves
/// with a token about to lapse in flight.
const EARLY: Duration = Duration::from_secs(60);

pub struct Token {
    pub access: Secret,
    pub refresh: Option<Secret>,
    renew_at: Instant,
}

impl Token {
    pub fn new(access: Secret, refresh: Option<Secret>, lifetime: Duration, now: Instant) -> Self {
        // A lifetime shorter than the margin renews at half of it.
        let early = if lifetime > EARLY * 2 {
            EARLY
        } else {
            lifetime / 2
        };
        Token {
            access,
            refresh,
            renew_at: now + lifetime - early,
        }
    }

    pub fn is_fresh(&self, now: Instant) -> bool {
        now < self.renew_at
    }
}

/// The current token and how many grants produced it, so that calls
/// refused together renew it only once.
#[derive(Default)]
pub struct Session {
    pub generation: u64,
    pub token: Option<Token>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_renewed_a_minute_early() {
        let now = Instant::now();
        let t = Token::new(Secret::new("a"), None, Duration::from_secs(3600), now);
        assert!(t.is_fresh(now + Duration::from_secs(3500)));
        assert!(!t.is_fresh(now + Duration::from_secs(3541)));
        let short = Token::new(Secret::new("a"), None, Duration::from_secs(10), now);
        assert!(!short.is_fresh(now + Duration::from_secs(5)));
    }
}

//! Exit codes, one per way a command can fail, so scripts can branch.

use std::process::ExitCode;

use crate::platform::PlatformError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Ok = 0,
    /// Anything else: a config, store or validation problem, an
    /// operation the platform does not offer.
    Failure = 1,
    /// Bad arguments, or a destructive verb without `--yes` / `--confirm`.
    Usage = 2,
    /// Credentials refused or unreadable.
    Auth = 3,
    NotFound = 4,
    /// The tenant is read-only, or its credential may not make the
    /// change (a scoped token, the account Portico signs in as): nothing
    /// was sent.
    ReadOnly = 5,
    RateLimited = 6,
    /// A 5xx answer, a timeout, an unreachable or garbled server.
    Server = 7,
    /// Some tenants or steps worked and some did not.
    Partial = 8,
    /// `expiring` found something within the window.
    Expiring = 9,
}

impl Exit {
    pub const fn of(err: &PlatformError) -> Self {
        match err {
            PlatformError::Auth(_)
            | PlatformError::Credentials(_)
            | PlatformError::SecondFactor(_) => Self::Auth,
            PlatformError::NotFound(_) => Self::NotFound,
            PlatformError::RateLimited { .. } => Self::RateLimited,
            PlatformError::Api {
                status: 401 | 403, ..
            } => Self::Auth,
            PlatformError::Api { status: 404, .. } => Self::NotFound,
            PlatformError::Api { status: 429, .. } => Self::RateLimited,
            PlatformError::Api { status, .. } if *status >= 500 => Self::Server,
            PlatformError::Timeout(_) | PlatformError::Network(_) | PlatformError::Decode(_) => {
                Self::Server
            }
            PlatformError::Api { .. }
            | PlatformError::Rejected { .. }
            | PlatformError::Invalid(_)
            | PlatformError::Unsupported(_) => Self::Failure,
        }
    }

    pub fn code(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}

/// A command's failure: the message for stderr and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub exit: Exit,
    pub message: String,
}

impl Failed {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
        }
    }

    /// Writing the output failed. A reader that stopped reading (`| head`)
    /// has what it wanted, so a closed pipe is not reported, only exited on.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "a map_err adapter takes the error by value"
    )]
    pub fn output(err: std::io::Error) -> Self {
        let message = if err.kind() == std::io::ErrorKind::BrokenPipe {
            String::new()
        } else {
            format!("cannot write the output: {err}")
        };
        Self::new(Exit::Failure, message)
    }

    pub fn platform(tenant: &str, err: &PlatformError) -> Self {
        Self::new(Exit::of(err), format!("{tenant}: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_class_has_its_own_code() {
        let codes = [
            Exit::of(&PlatformError::Auth("x".into())),
            Exit::of(&PlatformError::NotFound("x".into())),
            Exit::of(&PlatformError::RateLimited { retry_after: None }),
            Exit::of(&PlatformError::Api {
                status: 503,
                message: String::new(),
            }),
            Exit::ReadOnly,
            Exit::Usage,
            Exit::Partial,
            Exit::Expiring,
        ];
        let mut numbers: Vec<u8> = codes.iter().map(|c| *c as u8).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), codes.len());
        assert_eq!(
            Exit::of(&PlatformError::Network("refused".into())),
            Exit::Server
        );
    }
}

//! Where a newly issued secret is handed on: a command the user names per
//! tenant, or per resource by a name pattern.

use std::time::Duration;

/// One `[tenants.delivery]` or `[[tenants.deliveries]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// A name pattern (`*` any run, `?` one character); `None` for the
    /// tenant-wide delivery.
    pattern: Option<String>,
    command: String,
    timeout: Duration,
}

pub(super) const DEFAULT_TIMEOUT_SECS: u64 = 30;

impl Delivery {
    pub(super) const fn new(pattern: Option<String>, command: String, timeout: Duration) -> Self {
        Self {
            pattern,
            command,
            timeout,
        }
    }

    /// The shell command; it reads the secret on stdin.
    pub fn command(&self) -> &str {
        &self.command
    }

    pub const fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn pattern(&self) -> Option<&str> {
        self.pattern.as_deref()
    }

    /// Whether it applies to a resource named `name`.
    pub fn matches(&self, name: &str) -> bool {
        match &self.pattern {
            None => true,
            Some(p) => glob(p.as_bytes(), name.as_bytes()),
        }
    }

    /// How the screen and the audit log name it: its command, which
    /// never holds the secret.
    pub fn describe(&self) -> String {
        format!("`{}`", self.command)
    }
}

/// `*` and `?` matching, iterative so a hostile name cannot blow the stack.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_names() {
        let d = |p: &str| Delivery::new(Some(p.into()), "true".into(), Duration::from_secs(1));
        assert!(d("ci-*").matches("ci-robot"));
        assert!(d("*robot").matches("ci-robot"));
        assert!(d("c?-*t").matches("ci-robot"));
        assert!(!d("ci-*").matches("prod-robot"));
        assert!(d("*").matches(""));
        assert!(!d("a").matches("ab"));
        assert!(Delivery::new(None, "x".into(), Duration::from_secs(1)).matches("anything"));
    }
}

//! Credentials: where a secret comes from and how to fetch it.

use std::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

/// One credential value from a tenant's `[tenants.auth]` table.
///
/// In the file it is a literal string, `{ env = "VAR" }` or
/// `{ command = "..." }`. Only a literal holds the secret itself; the other
/// two are fetched by [`Credential::resolve`] when the tenant is used, so a
/// config file can be shared without its secrets.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// The value written in the file. Wiped from memory when dropped.
    Literal(Zeroizing<String>),
    /// The name of an environment variable holding the value.
    Env(String),
    /// A shell command (run with `sh -c`) whose trimmed stdout is the value.
    Command(String),
}

/// Why a credential could not be fetched. Never contains the secret.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("environment variable {var} is not set")]
    EnvUnset { var: String },
    #[error("environment variable {var} is empty")]
    EnvEmpty { var: String },
    #[error("environment variable {var} is not valid UTF-8")]
    EnvNotUnicode { var: String },
    #[error("cannot run the credential command: {source}")]
    CommandSpawn {
        #[source]
        source: std::io::Error,
    },
    /// The command failed. `stderr` is the command's own stderr, trimmed and
    /// shortened; its stdout (possibly a partial secret) is never kept.
    #[error("the credential command {status}{}", stderr_suffix(stderr))]
    CommandFailed { status: String, stderr: String },
    #[error("the credential command did not finish within {}s and was killed", .0.as_secs().max(1))]
    CommandTimedOut(Duration),
    #[error("the credential command printed nothing on stdout")]
    CommandEmpty,
    #[error("the credential command's output is not valid UTF-8")]
    CommandNotUnicode,
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// Longest stderr excerpt kept in an error; a chatty tool should not flood
/// the status line.
const STDERR_LIMIT: usize = 500;

/// How long a credential command may take (a password manager may wait
/// for an unlock) before it and its children are killed.
pub const COMMAND_TIMEOUT: Duration = Duration::from_mins(1);

impl Credential {
    /// Fetches the value: the literal, the environment variable, or the
    /// command's stdout with surrounding whitespace removed.
    ///
    /// This blocks (a command may take a while, e.g. a password manager), so
    /// call it off the UI task, e.g. in `tokio::task::spawn_blocking`.
    pub fn resolve(&self) -> Result<Zeroizing<String>, CredentialError> {
        self.resolve_within(COMMAND_TIMEOUT)
    }

    /// As [`Credential::resolve`], killing a command (and its process
    /// group) that runs longer than `timeout`.
    pub fn resolve_within(&self, timeout: Duration) -> Result<Zeroizing<String>, CredentialError> {
        match self {
            Self::Literal(value) => Ok(value.clone()),
            Self::Env(var) => resolve_env(var),
            Self::Command(command) => resolve_command(command, timeout),
        }
    }

    /// Written in the file itself, not fetched from elsewhere.
    pub const fn is_literal(&self) -> bool {
        matches!(self, Self::Literal(_))
    }

    /// A short, secret-free description for listings: `literal`,
    /// `env $VAR` or `command: <command>`.
    pub fn describe(&self) -> String {
        match self {
            Self::Literal(_) => "literal".to_owned(),
            Self::Env(var) => format!("env ${var}"),
            Self::Command(command) => format!("command: {command}"),
        }
    }
}

fn resolve_env(var: &str) -> Result<Zeroizing<String>, CredentialError> {
    env_value(var, std::env::var(var))
}

fn env_value(
    var: &str,
    lookup: Result<String, std::env::VarError>,
) -> Result<Zeroizing<String>, CredentialError> {
    match lookup {
        Ok(value) if value.is_empty() => Err(CredentialError::EnvEmpty {
            var: var.to_owned(),
        }),
        Ok(value) => Ok(Zeroizing::new(value)),
        Err(std::env::VarError::NotPresent) => Err(CredentialError::EnvUnset {
            var: var.to_owned(),
        }),
        Err(std::env::VarError::NotUnicode(_)) => Err(CredentialError::EnvNotUnicode {
            var: var.to_owned(),
        }),
    }
}

fn resolve_command(command: &str, timeout: Duration) -> Result<Zeroizing<String>, CredentialError> {
    // stdin is closed so a tool that wants to prompt fails instead of hanging
    // on a terminal the TUI owns.
    let output = crate::subprocess::run(command, &[], None, timeout).map_err(|e| match e {
        crate::subprocess::RunError::Spawn(source) => CredentialError::CommandSpawn { source },
        crate::subprocess::RunError::TimedOut(after) => CredentialError::CommandTimedOut(after),
    })?;
    let stdout = output.stdout;
    if !output.status.success() {
        let status = match output.status.code() {
            Some(code) => format!("exited with status {code}"),
            None => "was killed by a signal".to_owned(),
        };
        return Err(CredentialError::CommandFailed {
            status,
            stderr: clean_stderr(&output.stderr),
        });
    }
    let text = std::str::from_utf8(&stdout).map_err(|_| CredentialError::CommandNotUnicode)?;
    let value = text.trim();
    if value.is_empty() {
        return Err(CredentialError::CommandEmpty);
    }
    Ok(Zeroizing::new(value.to_owned()))
}

/// Trimmed, shortened, and stripped of control characters: the text ends up
/// in a terminal UI, where escape sequences would garble the screen.
pub fn clean_stderr(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let cleaned: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    if cleaned.chars().count() > STDERR_LIMIT {
        let mut short: String = cleaned.chars().take(STDERR_LIMIT).collect();
        short.push('…');
        short
    } else {
        cleaned
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Literal(_) => f.debug_tuple("Literal").field(&"***").finish(),
            Self::Env(var) => f.debug_tuple("Env").field(var).finish(),
            Self::Command(command) => f.debug_tuple("Command").field(command).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_set_resolves_to_its_value() {
        // Cargo sets this for the test process at run time; reading a real
        // variable avoids `set_var`, which races with other test threads.
        let value = Credential::Env("CARGO_PKG_NAME".to_owned())
            .resolve()
            .unwrap();
        assert_eq!(value.as_str(), env!("CARGO_PKG_NAME"));
    }

    #[test]
    fn env_unset_names_the_variable() {
        let var = "PORTICO_TEST_CRED_NEVER_SET";
        let err = Credential::Env(var.to_owned()).resolve().unwrap_err();
        assert!(matches!(err, CredentialError::EnvUnset { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "environment variable PORTICO_TEST_CRED_NEVER_SET is not set"
        );
    }

    #[test]
    fn env_empty_or_not_unicode_is_an_error() {
        let err = env_value("V", Ok(String::new())).unwrap_err();
        assert_eq!(err.to_string(), "environment variable V is empty");
        let err =
            env_value("V", Err(std::env::VarError::NotUnicode("\u{fffd}".into()))).unwrap_err();
        assert_eq!(err.to_string(), "environment variable V is not valid UTF-8");
    }

    #[test]
    fn command_stdout_is_trimmed() {
        let cred = Credential::Command("printf '  from-command\\n\\n'".to_owned());
        assert_eq!(cred.resolve().unwrap().as_str(), "from-command");
    }

    #[test]
    fn command_runs_through_the_shell() {
        let cred = Credential::Command("echo one | tr a-z A-Z".to_owned());
        assert_eq!(cred.resolve().unwrap().as_str(), "ONE");
    }

    #[test]
    fn failing_command_shows_stderr_but_never_stdout() {
        // The secret-looking text is assembled by the shell so it does not
        // appear in the command line itself.
        let cred = Credential::Command(
            "x=leak; printf \"$x-ed-stdout\"; echo 'vault locked' >&2; exit 3".to_owned(),
        );
        let err = cred.resolve().unwrap_err();
        let text = err.to_string();
        assert_eq!(
            text,
            "the credential command exited with status 3: vault locked"
        );
        assert!(!format!("{err:?}").contains("leak-ed-stdout"));
    }

    #[test]
    fn missing_program_fails_with_the_shell_message() {
        let cred = Credential::Command("portico-no-such-program-xyz".to_owned());
        let err = cred.resolve().unwrap_err();
        match &err {
            CredentialError::CommandFailed { status, stderr } => {
                assert_eq!(status, "exited with status 127");
                assert!(stderr.contains("portico-no-such-program-xyz"), "{stderr}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_hung_command_is_killed_at_its_deadline() {
        let started = std::time::Instant::now();
        let err = Credential::Command("sleep 300".to_owned())
            .resolve_within(Duration::from_millis(200))
            .unwrap_err();
        assert!(
            matches!(err, CredentialError::CommandTimedOut(_)),
            "{err:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(
            err.to_string(),
            "the credential command did not finish within 1s and was killed"
        );
    }

    #[test]
    fn command_with_empty_output_is_an_error() {
        let err = Credential::Command("true".to_owned())
            .resolve()
            .unwrap_err();
        assert!(matches!(err, CredentialError::CommandEmpty), "{err:?}");
    }

    #[test]
    fn stderr_is_cleaned_and_shortened() {
        let long = format!("\u{1b}[31mred\u{1b}[0m {}", "x".repeat(1000));
        let cleaned = clean_stderr(long.as_bytes());
        assert!(cleaned.starts_with(" [31mred [0m x"), "{cleaned}");
        assert_eq!(cleaned.chars().count(), STDERR_LIMIT + 1);
    }

    #[test]
    fn literal_resolves_and_never_shows_in_debug() {
        let cred = Credential::Literal(Zeroizing::new("hunter2".to_owned()));
        assert_eq!(cred.resolve().unwrap().as_str(), "hunter2");
        let debug = format!("{cred:?} {cred:#?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("\"***\""), "{debug}");
        assert_eq!(cred.describe(), "literal");
    }

    #[test]
    fn env_and_command_debug_show_their_source() {
        assert_eq!(
            format!("{:?}", Credential::Env("P44_PASSWORD".into())),
            "Env(\"P44_PASSWORD\")"
        );
        assert_eq!(
            format!("{:?}", Credential::Command("pass show p44".into())),
            "Command(\"pass show p44\")"
        );
    }
}

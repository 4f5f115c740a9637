//! Diagnostics: with `PORTICO_LOG` set (e.g. `debug`), `tracing` writes to
//! `portico.log` in the data dir, owner-only, and never to the terminal,
//! which belongs to the console. What could carry a credential is
//! redacted here, where log lines are made: header values that
//! authenticate, query parameters that look like keys, a URL's password.
//! Request and response bodies are never logged.

use std::path::{Path, PathBuf};

use reqwest::header::HeaderMap;

use crate::secrets::perms;

const HIDDEN: &str = "[redacted]";

/// Starts the file log when `PORTICO_LOG` asks for one and returns its
/// path. A log file that group or others can open is refused.
pub fn init_from_env(data: &Path) -> Result<Option<PathBuf>, String> {
    let Ok(filter) = std::env::var("PORTICO_LOG") else {
        return Ok(None);
    };
    init(data, &filter).map(Some)
}

/// Starts the file log at `filter` (an `EnvFilter` directive such as
/// `debug` or `portico=trace`). Only the first call in a process installs it.
pub fn init(data: &Path, filter: &str) -> Result<PathBuf, String> {
    let path = data.join("portico.log");
    perms::private_file(&path).map_err(|e| format!("refusing the log file: {e}"))?;
    create_dir(data).map_err(|e| format!("{}: {e}", data.display()))?;
    let mut open = std::fs::OpenOptions::new();
    open.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let file = open
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
    Ok(path)
}

#[cfg(unix)]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Whether a header or parameter name suggests its value is a credential.
fn sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "auth", "cookie", "key", "secret", "token", "pass", "sig", "session", "code",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Headers as `name: value` pairs, credentials replaced.
pub fn headers(map: &HeaderMap) -> String {
    let mut out = Vec::with_capacity(map.len());
    for (name, value) in map {
        let shown = if sensitive(name.as_str()) {
            HIDDEN.to_string()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        out.push(format!("{name}: {shown}"));
    }
    out.join(", ")
}

/// The URL with its password and any key-like query values replaced.
pub fn url(raw: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(raw) else {
        // Not a URL Portico can take apart: show none of it.
        return HIDDEN.into();
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if sensitive(&k) {
                    HIDDEN.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};

    use super::*;

    #[test]
    fn credentials_are_redacted_and_the_rest_kept() {
        let mut map = HeaderMap::new();
        map.insert(AUTHORIZATION, HeaderValue::from_static("Bearer tok-s3cret"));
        map.insert("x-api-key", HeaderValue::from_static("k-s3cret"));
        map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let shown = headers(&map);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("content-type: application/json"), "{shown}");
        assert!(shown.contains("authorization: [redacted]"), "{shown}");

        let shown = url("https://user:pa55word@h.example/v3/keys?api_key=k-s3cret&sig=abc&page=2");
        assert!(!shown.contains("pa55word"), "{shown}");
        assert!(!shown.contains("k-s3cret"), "{shown}");
        assert!(!shown.contains("abc"), "{shown}");
        assert!(shown.contains("page=2"), "{shown}");
        assert_eq!(url("not a url pa55word"), HIDDEN);
    }
}

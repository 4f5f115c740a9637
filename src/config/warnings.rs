//! Things a valid config can still get wrong: secrets written into a file
//! others can read, and credentials sent in the clear to another host.

use std::net::IpAddr;
use std::path::Path;

use reqwest::Url;

use super::Config;

impl Config {
    /// Every warning about this config, one sentence each. A file's mode
    /// is read from disk, so this touches the filesystem.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(path) = self.path()
            && let Some(mode) = open_to_others(path)
        {
            for tenant in self.tenants() {
                let keys = tenant.literal_keys();
                if !keys.is_empty() {
                    out.push(format!(
                        "{}: tenant \"{}\" writes auth.{} into a file others can read (mode {:04o}); \
                         fix it with: chmod 600 '{}', or use {{ env = ... }} or {{ command = ... }}",
                        path.display(),
                        tenant.name(),
                        keys.join(", auth."),
                        mode & 0o7777,
                        path.display()
                    ));
                }
            }
        }
        for tenant in self.tenants() {
            if let Some(host) = cleartext_host(tenant.base_url()) {
                out.push(format!(
                    "tenant \"{}\": base_url is plain http:// to {host}, which is not this machine: \
                     credentials and secrets cross the network unencrypted; use https://",
                    tenant.name()
                ));
            }
        }
        out
    }
}

#[cfg(unix)]
fn open_to_others(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn open_to_others(_path: &Path) -> Option<u32> {
    None
}

/// The host of an `http://` address that is not loopback.
fn cleartext_host(base_url: &str) -> Option<String> {
    let url = Url::parse(base_url).ok()?;
    if url.scheme() != "http" {
        return None;
    }
    let host = url.host_str()?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = bare.eq_ignore_ascii_case("localhost")
        || bare.to_ascii_lowercase().ends_with(".localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    (!loopback).then(|| host.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cleartext_to_another_host_is_flagged() {
        for (url, flagged) in [
            ("http://127.0.0.1:8080/p44", false),
            ("http://127.9.9.9", false),
            ("http://localhost:3000", false),
            ("http://[::1]:8080", false),
            ("https://p44.example.com", false),
            ("http://p44.example.com", true),
            ("http://10.0.0.5:8080", true),
        ] {
            assert_eq!(cleartext_host(url).is_some(), flagged, "{url}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn literal_secrets_in_a_readable_file_are_flagged_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[[tenants]]\nname = \"lit\"\nplatform = \"project44\"\nbase_url = \"http://p44.example.com\"\n\
             [tenants.auth]\nusername = \"u\"\npassword = \"hunter2\"\n\n\
             [[tenants]]\nname = \"env\"\nplatform = \"project44\"\nregion = \"na\"\n\
             [tenants.auth]\nusername = { env = \"U\" }\npassword = { env = \"P\" }\n",
        )
        .expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let warnings = Config::load(&path).expect("valid").warnings();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("tenant \"lit\" writes auth.username, auth.password"));
        assert!(warnings[0].contains("mode 0644"), "{}", warnings[0]);
        assert!(warnings[0].contains("chmod 600"), "{}", warnings[0]);
        assert!(!warnings.join(" ").contains("hunter2"));
        assert!(
            warnings[1].contains("plain http:// to p44.example.com"),
            "{}",
            warnings[1]
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let warnings = Config::load(&path).expect("valid").warnings();
        assert_eq!(warnings.len(), 1, "owner-only: only the http warning stays");
    }
}

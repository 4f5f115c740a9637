//! Pending secrets in the OS keyring: filed there, listed and shown by
//! `portico secrets`, offered again and erased on confirmation, through
//! the real binary as well as the library.
//!
//! Without a Secret Service (a plain `cargo test` on a headless machine)
//! these tests say so and pass; with `PORTICO_REQUIRE_KEYRING=1`, as CI
//! sets it under `dbus-run-session` with gnome-keyring unlocked, a missing
//! keyring fails them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use portico::model::{IssuedSecret, Secret};
use portico::secrets::{Backend, Owner, Rest, Vault, os_keyring};
use support::sim::Standalone;

const BIN: &str = env!("CARGO_BIN_EXE_portico");

/// Whether a keyring answers; fails instead when CI requires one.
fn keyring_here() -> bool {
    match os_keyring::status() {
        Ok(()) => true,
        Err(why) => {
            assert!(
                std::env::var_os("PORTICO_REQUIRE_KEYRING").is_none_or(|v| v != "1"),
                "PORTICO_REQUIRE_KEYRING=1, but no keyring answers: {why}"
            );
            eprintln!("skipped: no OS keyring answers here ({why})");
            false
        }
    }
}

fn portico(data: &Path, store: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("PORTICO_DATA_DIR", data)
        .env("PORTICO_SECRET_STORE", store)
        .stdin(Stdio::null())
        .output()
        .expect("run portico")
}

fn every_file_text(dir: &Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.push_str(&every_file_text(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    out
}

#[test]
fn the_keyring_holds_the_value_and_the_record_only_names_it() {
    if !keyring_here() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Vault::with_backend(dir.path().join("issued"), Backend::Keyring);
    let value = format!("kr-{}", uuid::Uuid::new_v4());
    let issued = IssuedSecret {
        label: "client secret".into(),
        public_id: Some("app1".into()),
        secret: Secret::new(value.clone()),
    };
    let owner = Owner {
        tenant: "p44-na",
        platform: "project44",
        kind: "client application",
        resource: "app1",
        name: "Robot",
    };
    let path = vault.save(owner, &issued).expect("filed in the keyring");
    let text = std::fs::read_to_string(&path).expect("record");
    let record: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(record["store"], "keyring");
    let entry = record["entry"].as_str().expect("an entry name").to_string();
    assert!(!every_file_text(dir.path()).contains(&value));
    assert!(
        !dir.path().join("store.key").exists(),
        "no key file is needed"
    );
    assert_eq!(
        os_keyring::get(&entry).expect("in the keyring").as_str(),
        value
    );

    // Any backend reads a record by where it says its value is.
    let auto = Vault::with_backend(dir.path().join("issued"), Backend::File);
    let pending = auto.pending().expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].rest, Rest::Keyring);
    assert_eq!(pending[0].issued, issued);
    assert_eq!(
        vault
            .latest("p44-na", "app1")
            .map(|s| s.expose().to_string()),
        Some(value.clone())
    );

    // The command-line verbs see it.
    let listed = portico(dir.path(), "keyring", &["secrets", "pending"]);
    assert!(listed.status.success());
    let listed = String::from_utf8_lossy(&listed.stdout).to_string();
    assert!(
        listed.contains(&pending[0].id) && !listed.contains(&value),
        "{listed}"
    );
    let shown = portico(dir.path(), "auto", &["secrets", "show", &pending[0].id]);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&shown.stdout), format!("{value}\n"));

    // Confirming erases the keyring entry as well as the record.
    vault.forget(&path).expect("forgotten");
    assert!(!path.exists());
    assert!(
        os_keyring::get(&entry).is_err(),
        "the keyring entry is gone"
    );
}

#[test]
fn auto_uses_the_keyring_when_it_answers() {
    if !keyring_here() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Vault::with_backend(dir.path().join("issued"), Backend::Auto);
    let issued = IssuedSecret {
        label: "bot token".into(),
        public_id: None,
        secret: Secret::new(format!("auto-{}", uuid::Uuid::new_v4())),
    };
    let owner = Owner {
        tenant: "kitsu",
        platform: "kitsu",
        kind: "bot",
        resource: "b1",
        name: "CI bot",
    };
    let path = vault.save(owner, &issued).expect("filed");
    let found = vault.pending().expect("pending");
    assert_eq!(found[0].rest, Rest::Keyring);
    vault.forget(&path).expect("forgotten");
    assert!(vault.pending().expect("pending").is_empty());
}

/// A rotation by the real binary files its secret in the keyring; `secrets
/// show` prints the value the simulator issued, which gets a token.
#[test]
fn a_rotation_by_the_binary_is_filed_in_the_keyring_and_authenticates() {
    if !keyring_here() {
        return;
    }
    let sim = Standalone::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    let na: String = sim
        .config()
        .split("[[tenants]]")
        .find(|b| b.contains("name = \"p44-na\""))
        .map(|b| format!("[[tenants]]{b}"))
        .expect("p44-na");
    std::fs::write(&config, &na).expect("config");
    let data = dir.path().join("data");
    let name = "Yard Management Bridge";
    let out = Command::new(BIN)
        .args(["--config"])
        .arg(&config)
        .args(["--tenant", "p44-na", "apps", "rotate", name, "--yes"])
        .args(["--show-secret", "never", "-o", "json"])
        .env("PORTICO_DATA_DIR", &data)
        .env("PORTICO_SECRET_STORE", "keyring")
        .stdin(Stdio::null())
        .output()
        .expect("rotate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let vault = Vault::with_backend(data.join("issued"), Backend::Keyring);
    let pending = vault.pending().expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].rest, Rest::Keyring);
    let secret = pending[0].issued.secret.expose().to_string();
    assert!(!every_file_text(&data).contains(&secret));
    let shown = portico(&data, "keyring", &["secrets", "show", &pending[0].id]);
    assert_eq!(String::from_utf8_lossy(&shown.stdout).trim(), secret);
    let base = na
        .lines()
        .find_map(|l| l.strip_prefix("base_url = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("base_url");
    let client_id = pending[0].issued.public_id.clone().expect("client id");
    let accepted = token_accepted(base, &client_id, &secret);
    assert!(
        accepted,
        "the keyring holds the secret the simulator issued"
    );
    vault.forget(&pending[0].path).expect("forgotten");
}

fn token_accepted(base: &str, client_id: &str, secret: &str) -> bool {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::new();
        client
            .post(format!("{base}/api/v4/oauth2/token"))
            .basic_auth(client_id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token request")
            .status()
            .is_success()
    })
}

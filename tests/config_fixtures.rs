//! Every fixture under tests/fixtures/config: valid files load, invalid ones
//! fail exactly where their first line says.
//!
//! An invalid fixture starts with `# expect: LINE[:COLUMN] [KEY]`. The key is
//! omitted for TOML syntax errors, which have no key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::path::{Path, PathBuf};

use portico::config::{Config, ConfigError, PlatformKind};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn valid_fixtures_load() {
    let files = fixtures("valid");
    assert!(files.len() >= 5, "only {} valid fixtures", files.len());
    for path in files {
        let config = Config::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!config.tenants().is_empty(), "{}", path.display());
        assert_eq!(config.path(), Some(path.as_path()));
    }
}

struct Expectation {
    line: usize,
    column: Option<usize>,
    key: Option<String>,
}

fn expectation(path: &Path, text: &str) -> Expectation {
    let first = text.lines().next().unwrap_or_default();
    let spec = first
        .strip_prefix("# expect:")
        .unwrap_or_else(|| panic!("{}: first line must be `# expect: ...`", path.display()));
    let mut words = spec.split_whitespace();
    let place = words
        .next()
        .unwrap_or_else(|| panic!("{}: no line in the expectation", path.display()));
    let (line, column) = match place.split_once(':') {
        Some((l, c)) => (l.parse().unwrap(), Some(c.parse().unwrap())),
        None => (place.parse().unwrap(), None),
    };
    let key = words.next().map(str::to_owned);
    assert!(words.next().is_none(), "{}: trailing words", path.display());
    Expectation { line, column, key }
}

#[test]
fn invalid_fixtures_fail_where_they_say() {
    let files = fixtures("invalid");
    assert!(files.len() >= 10, "only {} invalid fixtures", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let want = expectation(&path, &text);
        let Err(err) = Config::load(&path) else {
            panic!("{}: loaded, but should fail", path.display())
        };
        let shown = err.to_string();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            shown.contains(&name),
            "{name}: message lacks the file name: {shown}"
        );
        assert!(
            shown.starts_with(&path.display().to_string()),
            "{name}: {shown}"
        );
        assert_eq!(err.line(), Some(want.line), "{name}: {shown}");
        let column = err.column().unwrap();
        if let Some(want_column) = want.column {
            assert_eq!(column, want_column, "{name}: {shown}");
        }
        assert!(
            shown.contains(&format!("{name}:{}:{column}: ", want.line)),
            "{name}: {shown}"
        );
        match &want.key {
            Some(key) => {
                assert!(
                    matches!(err, ConfigError::Invalid { .. }),
                    "{name}: {err:?}"
                );
                assert_eq!(err.key(), Some(key.as_str()), "{name}: {shown}");
                assert!(shown.contains(&format!(": {key}: ")), "{name}: {shown}");
            }
            None => {
                assert!(matches!(err, ConfigError::Syntax { .. }), "{name}: {err:?}");
            }
        }
    }
}

#[test]
fn example_config_is_valid_and_covers_every_platform() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let config = Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    for platform in PlatformKind::all() {
        assert!(
            config.tenants().iter().any(|t| t.platform() == platform),
            "no {platform} tenant in the example"
        );
    }
    let regions: Vec<&str> = config
        .tenants()
        .iter()
        .filter(|t| t.platform().as_str() == "project44")
        .filter_map(|t| t.region())
        .collect();
    assert_eq!(regions, ["na", "eu", "sandbox"]);
    let evrythng = config.tenant("evrythng-eu").unwrap();
    assert_eq!(evrythng.base_url(), "https://evt-proxy.example.com");
    let losant = config.tenant("losant-fleet").unwrap();
    assert_eq!(losant.base_url(), "https://api.losant.com");
}

#[test]
fn valid_fixture_values_are_read_as_written() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/valid");
    let config = Config::load(dir.join("region_vs_base_url.toml")).unwrap();
    let urls: Vec<&str> = config
        .tenants()
        .iter()
        .map(portico::config::Tenant::base_url)
        .collect();
    assert_eq!(
        urls,
        [
            "https://na12.api.sandbox.p-44.com",
            "https://p44-proxy.internal.example:8443",
            "http://127.0.0.1:8044/evrythng",
            "https://losant.example.org/api",
        ]
    );

    let config = Config::load(dir.join("flags.toml")).unwrap();
    let prod = &config.tenants()[0];
    assert_eq!(prod.name(), "Production (EU) — careful");
    assert!(prod.read_only() && prod.protected());
    assert_eq!(prod.timeout().as_secs(), 300);
    assert_eq!(config.tenants()[1].timeout().as_secs(), 1);
    assert!(!config.tenants()[1].read_only());
    assert_eq!(config.tenants()[2].color_spec(), Some("Dark Gray"));
    assert_eq!(prod.page_size(), Some(1000));
    assert_eq!(config.tenants()[1].page_size(), Some(1));
    assert_eq!(config.tenants()[2].page_size(), None);

    let config = Config::load(dir.join("credential_sources.toml")).unwrap();
    let mixed = config.tenant("mixed").unwrap();
    assert_eq!(
        mixed.auth().keys().collect::<Vec<_>>(),
        ["api_key", "api_secret", "username", "password", "area_id"]
    );
    assert_eq!(
        format!("{:?}", mixed.auth().get("password").unwrap()),
        r#"Command("printf '%s' \"$MASHERY_PASSWORD\"")"#
    );
}

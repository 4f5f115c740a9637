//! The command-line verbs of the real binary.

use std::process::{Command, Output};

use portico::config::Config;

fn portico(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("tempdir");
    Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env_remove("PORTICO_CONFIG")
        .output()
        .expect("run portico")
}

#[test]
fn config_check_names_file_line_column_and_key() {
    let out = portico(&[
        "config",
        "check",
        "tests/fixtures/config/invalid/bad_platform.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad_platform.toml:10:1"), "{err}");
    assert!(err.contains("tenants[1].platform"), "{err}");

    let out = portico(&["config", "check", "config.example.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok"));
}

#[test]
fn a_broken_config_stops_the_tui_with_the_position() {
    let out = portico(&[
        "--config",
        "tests/fixtures/config/invalid/syntax_error.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("syntax_error.toml:"), "{err}");
}

#[test]
fn config_path_explains_the_lookup() {
    let out = portico(&["config", "path"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("PORTICO_CONFIG"), "{text}");
    assert!(text.contains("config.toml"), "{text}");
}

#[test]
fn printed_sim_config_is_valid_and_names_every_demo_tenant() {
    let out = portico(&["sim", "--addr", "127.0.0.1:8044", "--print-config"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let config = Config::parse(&text, "printed").expect("the printed config parses");
    let names: Vec<&str> = config.tenants().iter().map(|t| t.name()).collect();
    for name in [
        "p44-na",
        "p44-eu",
        "p44-sandbox",
        "losant",
        "kitsu",
        "evrythng-us",
        "evrythng-eu",
    ] {
        assert!(names.contains(&name), "{names:?}");
    }
    let eu = config.tenant("p44-eu").expect("eu");
    assert_eq!(eu.base_url(), "http://127.0.0.1:8044/project44/eu");
}

#[test]
fn keymap_prints_the_live_keymap_and_refuses_a_key_bound_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    let config = config.to_str().expect("utf-8 path");

    let out = portico(&["keymap", "--config", config]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[normal]\n"), "{text}");
    assert!(text.contains("rotate = [\"R\"]"), "{text}");
    assert!(text.contains("[typed-confirm]"), "{text}");
    let defaults = portico::keymap::Keymap::defaults();
    assert_eq!(
        portico::keymap::Keymap::with_overrides(&text).expect("output parses"),
        defaults
    );

    std::fs::write(
        dir.path().join("keymap.toml"),
        "[confirm]\nconfirm = [\"ctrl-y\"]\n",
    )
    .expect("write keymap");
    let out = portico(&["keymap", "--config", config]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("confirm = [\"ctrl-y\"]"), "{text}");

    std::fs::write(dir.path().join("keymap.toml"), "[normal]\nsort = [\"q\"]\n")
        .expect("write keymap");
    let out = portico(&["keymap", "--config", config]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keymap.toml") && err.contains("quit") && err.contains("sort"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn config_check_warns_of_readable_literal_secrets_and_cleartext_hosts() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[[tenants]]\nname = \"t\"\nplatform = \"project44\"\nbase_url = \"http://p44.example.com\"\n\
         [tenants.auth]\nusername = \"u\"\npassword = \"the-literal-pw\"\n",
    )
    .expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let out = portico(&["config", "check", &path.display().to_string()]);
    assert!(out.status.success(), "a warning is not an error");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning:") && err.contains("chmod 600"),
        "{err}"
    );
    assert!(err.contains("plain http:// to p44.example.com"), "{err}");
    assert!(!err.contains("the-literal-pw"), "{err}");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let out = portico(&["config", "check", &path.display().to_string()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("chmod 600"), "{err}");
}

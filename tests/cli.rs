//! The command-line verbs of the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

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
    let names: Vec<&str> = config
        .tenants()
        .iter()
        .map(portico::config::Tenant::name)
        .collect();
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

/// A `portico sim` child process, killed when the test ends.
struct SimProcess {
    child: std::process::Child,
    addr: String,
}

impl SimProcess {
    fn start() -> Self {
        // A free port: bind to 0, then hand the number to the child.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["sim", "--addr", &addr])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn portico sim");
        let mut sim = Self { child, addr };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(&sim.addr).is_err() {
            assert!(
                sim.child.try_wait().expect("poll child").is_none(),
                "portico sim exited early"
            );
            assert!(
                std::time::Instant::now() < deadline,
                "portico sim never listened"
            );
            // A poll interval, not a wait for a guessed duration.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        sim
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Logs in as the tenant and lists its first pane that needs no parent.
async fn logs_in(tenant: &portico::config::Tenant) -> Result<usize, String> {
    use portico::model::Pane;
    use portico::platform::{PaneBody, Source, registry};
    let platform = registry::connect(tenant).map_err(|e| e.to_string())?;
    let caps = platform.capabilities();
    let pane = Pane::ALL
        .into_iter()
        .find(|p| matches!(caps.pane(*p).body(), PaneBody::List { scope: None, .. }))
        .ok_or("no unscoped pane")?;
    let progress: portico::platform::Progress = std::sync::Arc::new(|_, _| {});
    platform
        .list(Source::Pane(pane), None, progress)
        .await
        .map(|rows| rows.len())
        .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_printed_credential_works_against_another_sim_process() {
    let sim = SimProcess::start();
    // Printed by a process of its own, which exits before any login.
    let out = portico(&["sim", "--addr", &sim.addr, "--print-config"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let config = Config::parse(&text, "printed").expect("the printed config parses");
    assert!(config.tenants().len() >= 5);
    for tenant in config.tenants() {
        let rows = logs_in(tenant)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", tenant.name()));
        assert!(rows > 0, "{}: logged in but listed nothing", tenant.name());
    }

    // The commented-out Losant API token is a printed credential too.
    let token = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("# token = "))
        .expect("a printed Losant token")
        .trim_matches('"');
    let losant = config.tenant("losant").expect("losant tenant");
    let with_token = format!(
        "[[tenants]]\nname = \"losant-token\"\nplatform = \"losant\"\nbase_url = \"{}\"\n\n\
         [tenants.auth]\ntoken = \"{token}\"\n",
        losant.base_url()
    );
    let config = Config::parse(&with_token, "token").expect("token config parses");
    let tenant = config.tenant("losant-token").expect("tenant");
    let rows = logs_in(tenant)
        .await
        .unwrap_or_else(|e| panic!("the printed Losant token: {e}"));
    assert!(rows > 0);
}

#[test]
fn without_a_terminal_the_console_stops_with_one_line_and_no_panic() {
    for args in [&["--config", "config.example.toml"][..], &["--demo"][..]] {
        // `output()` gives the child a null stdin and piped stdout.
        let out = portico(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("needs a terminal"), "{args:?}: {err}");
        assert!(err.contains("portico --help"), "{args:?}: {err}");
    }
}

#[test]
fn help_describes_the_arguments_and_the_environment() {
    let out = portico(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for var in [
        "PORTICO_CONFIG",
        "PORTICO_DATA_DIR",
        "PORTICO_LOG",
        "NO_COLOR",
    ] {
        assert!(help.contains(var), "{var}:\n{help}");
    }
    let out = portico(&["sim", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    let addr = help
        .lines()
        .find(|l| l.contains("--addr"))
        .unwrap_or_else(|| panic!("{help}"));
    assert!(addr.contains("listen"), "--addr is described: {help}");
    let out = portico(&["config", "check", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("The file to check"), "{help}");
}

#[test]
fn sim_refuses_options_it_would_ignore() {
    for args in [
        &["sim", "--config", "x.toml"][..],
        &["--config", "x.toml", "sim"][..],
        &["--tenant", "na", "sim", "--print-config"][..],
    ] {
        let out = portico(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("does not use"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed nothing");
    }
}

#[test]
fn config_check_reports_every_error_with_its_position() {
    let out = portico(&[
        "config",
        "check",
        "tests/fixtures/config/invalid/many_errors.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for (place, key) in [
        ("many_errors.toml:7:1", "tenants[0].colour"),
        ("many_errors.toml:6:1", "tenants[0].region"),
        ("many_errors.toml:16:1", "tenants[1].base_url"),
        ("many_errors.toml:17:1", "tenants[1].timeout_secs"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(key))
            .unwrap_or_else(|| panic!("{key} reported:\n{err}"));
        assert!(
            line.starts_with("tests/fixtures/config/invalid/") && line.contains(place),
            "{line}"
        );
    }
    assert!(err.contains("4 errors"), "{err}");
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

#[test]
fn completion_scripts_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = portico(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {:?}", out.status);
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(!script.trim().is_empty(), "{shell}: empty script");
        for sub in ["expiring", "certs", "config", "completions", "man", "sim"] {
            assert!(script.contains(sub), "{shell} script lacks {sub}");
        }
    }
    let out = portico(&["completions", "tcsh"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn man_page_is_roff_with_the_commands() {
    let out = portico(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH"), "{page}");
    assert!(page.contains("expiring"), "{page}");
}

#[test]
fn version_names_the_crate_version() {
    let out = portico(&["--version"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("portico {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
}

#[test]
fn committed_schema_is_the_generated_one() {
    let out = portico(&["config", "schema"]);
    assert!(out.status.success());
    let committed = std::fs::read_to_string("assets/config.schema.json").expect("schema file");
    assert!(
        String::from_utf8_lossy(&out.stdout) == committed,
        "assets/config.schema.json is stale: run `portico config schema > assets/config.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).expect("schema is JSON");
    assert_eq!(schema["title"], "Portico configuration");
}

#[test]
fn config_check_reports_schema_violations_by_key_path() {
    let out = portico(&[
        "config",
        "check",
        "tests/fixtures/config/invalid/bad_platform.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("schema: tenants[1].platform: "), "{err}");
    // The loader's positioned error is still there.
    assert!(err.contains("bad_platform.toml:10:1"), "{err}");

    let out = portico(&[
        "config",
        "check",
        "tests/fixtures/config/invalid/conflicting_auth.toml",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("schema: tenants[0].auth: "), "{err}");
    assert!(!err.contains("bot-token"), "a credential was echoed: {err}");
}

const KEYS_BEGIN: &str =
    "<!-- every binding: generated from the keymap, checked by tests/cli.rs -->\n";
const KEYS_END: &str = "<!-- end of every binding -->\n";

/// The help's rows, layer by layer, as the README's markdown.
fn key_tables() -> String {
    use std::fmt::Write;
    let cell = |text: &str| {
        let fence = if text.contains('`') { "`` " } else { "`" };
        let close = if text.contains('`') { " ``" } else { "`" };
        format!("{fence}{}{close}", text.replace('|', "\\|"))
    };
    let mut out = String::new();
    for (layer, rows) in portico::keymap::Keymap::defaults().help() {
        if rows.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "\n**{}** (`[{}]`)\n\n| keys | action |\n|---|---|\n",
            layer.title(),
            layer.name()
        );
        for (keys, action) in rows {
            let keys: Vec<String> = keys
                .split(' ')
                .filter(|k| !k.is_empty())
                .map(cell)
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} |",
                keys.join(" "),
                action.replace('|', "\\|")
            );
        }
    }
    out.push('\n');
    out
}

#[test]
fn readme_key_tables_are_the_keymaps_help() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let start = readme
        .find(KEYS_BEGIN)
        .expect("README has the binding tables' start marker");
    let end = readme
        .find(KEYS_END)
        .expect("README has the binding tables' end marker");
    let written = &readme[start + KEYS_BEGIN.len()..end];
    let generated = key_tables();
    if written != generated && std::env::var_os("PORTICO_BLESS").is_some() {
        let updated = format!(
            "{}{generated}{}",
            &readme[..start + KEYS_BEGIN.len()],
            &readme[end..]
        );
        std::fs::write("README.md", updated).expect("write README.md");
        return;
    }
    assert!(
        written == generated,
        "README's key tables differ from the keymap's help; PORTICO_BLESS=1 cargo test --test cli rewrites them:\n{generated}"
    );
}

/// Every exit code, by an exhaustive match so a new one cannot be left out.
const fn exit_code(exit: portico::cli::Exit) -> u8 {
    use portico::cli::Exit;
    match exit {
        Exit::Ok => 0,
        Exit::Failure => 1,
        Exit::Usage => 2,
        Exit::Auth => 3,
        Exit::NotFound => 4,
        Exit::ReadOnly => 5,
        Exit::RateLimited => 6,
        Exit::Server => 7,
        Exit::Partial => 8,
        Exit::Expiring => 9,
    }
}

#[test]
fn readme_exit_codes_are_the_programs() {
    use portico::cli::Exit;
    let all = [
        Exit::Ok,
        Exit::Failure,
        Exit::Usage,
        Exit::Auth,
        Exit::NotFound,
        Exit::ReadOnly,
        Exit::RateLimited,
        Exit::Server,
        Exit::Partial,
        Exit::Expiring,
    ];
    for exit in all {
        assert_eq!(exit as u8, exit_code(exit), "{exit:?}");
    }
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let section = readme
        .split("## Exit codes")
        .nth(1)
        .expect("README has an Exit codes section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let documented: Vec<u8> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(' ').next())
        .filter_map(|code| code.parse().ok())
        .collect();
    let expected: Vec<u8> = all.iter().map(|e| exit_code(*e)).collect();
    assert_eq!(
        documented, expected,
        "README's exit codes vs src/cli/exit.rs"
    );
}

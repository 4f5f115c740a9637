//! Per-tenant auto-refresh: the pure update path, the config rule, and
//! the real binary picking up a change made behind its back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use portico::app::{Effect, Message, State, TenantInfo, start, update};
use portico::config::Config;
use portico::keymap::Keymap;
use portico::model::{Kind, Resource};
use portico::platform::project44;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::app::answer_at;
use support::pty::Pty;
use support::sim::Standalone;

fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

fn app(name: &str) -> Resource {
    Resource::new(Kind::ClientApp, name, name)
}

/// Two tenants: the first refreshes every 30 s, the second never.
fn loaded() -> State {
    let tenants = vec![
        TenantInfo::new("na", "project44", project44::capabilities())
            .with_refresh(Some(Duration::from_secs(30))),
        TenantInfo::new("eu", "project44", project44::capabilities()),
    ];
    let mut state = State::new(tenants, Keymap::defaults());
    let fx = start(&mut state);
    let more = answer_at(&mut state, &fx, at(), |_| vec![app("one")]);
    assert!(more.is_empty(), "{more:?}");
    state
}

fn lists(fx: &[Effect]) -> usize {
    fx.iter()
        .filter(|e| matches!(e, Effect::List { tenant: 0, .. }))
        .count()
}

#[test]
fn a_tick_lists_the_visible_panes_again_through_the_normal_path() {
    let mut state = loaded();
    assert_eq!(state.auto_refresh(), Some(Duration::from_secs(30)));
    let fx = update(&mut state, Message::AutoRefresh { tenant: 0 });
    assert_eq!(lists(&fx), 1, "{fx:?}");
    assert_eq!(fx.len(), 1, "{fx:?}");

    // A second tick while the first is unanswered asks nothing more.
    let again = update(&mut state, Message::AutoRefresh { tenant: 0 });
    assert!(again.is_empty(), "{again:?}");

    // The answer lands like any list: the new row shows.
    let later = at() + Duration::from_secs(30);
    answer_at(&mut state, &fx, later, |_| vec![app("one"), app("two")]);
    let names: Vec<&str> = state
        .listing(state.focus())
        .unwrap()
        .items()
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, ["one", "two"]);
    assert_eq!(
        state.listing(state.focus()).unwrap().loaded_at(),
        Some(later)
    );
}

#[test]
fn a_tick_for_another_tenant_or_without_refresh_is_ignored() {
    let mut state = loaded();
    // A stale tick from a tenant no longer active.
    assert!(update(&mut state, Message::AutoRefresh { tenant: 1 }).is_empty());
    // Switch to the tenant without refresh: no timer is wanted, and a
    // late tick for the first tenant does nothing.
    let fx = update(
        &mut state,
        Message::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('2'),
            crossterm::event::KeyModifiers::NONE,
        )),
    );
    answer_at(&mut state, &fx, at(), |_| vec![app("eu")]);
    assert_eq!(state.active(), 1);
    assert_eq!(state.auto_refresh(), None);
    assert!(update(&mut state, Message::AutoRefresh { tenant: 0 }).is_empty());
    assert!(update(&mut state, Message::AutoRefresh { tenant: 1 }).is_empty());
}

#[test]
fn the_status_line_shows_the_age_and_the_interval() {
    let state = loaded();
    let mut terminal = Terminal::new(TestBackend::new(120, 20)).unwrap();
    terminal
        .draw(|f| portico::ui::render(f, &state, at() + Duration::from_secs(42)))
        .unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("42s old"), "{screen}");
    assert!(screen.contains("auto 30s"), "{screen}");
}

#[test]
fn refresh_secs_is_optional_and_checked() {
    let tenant = |extra: &str| {
        format!(
            "[[tenants]]\nname = \"a\"\nplatform = \"losant\"\n{extra}\n[tenants.auth]\ntoken = \"x\"\n"
        )
    };
    let cfg = Config::parse(&tenant(""), "t.toml").unwrap();
    assert_eq!(cfg.tenants()[0].refresh(), None);
    let cfg = Config::parse(&tenant("refresh_secs = 30"), "t.toml").unwrap();
    assert_eq!(cfg.tenants()[0].refresh(), Some(Duration::from_secs(30)));
    for bad in [
        "refresh_secs = 4",
        "refresh_secs = 86401",
        "refresh_secs = -1",
    ] {
        let err = Config::parse(&tenant(bad), "t.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "t.toml:4:1: tenants[0].refresh_secs: refresh_secs must be between 5 and 86400"
            ),
            "{err}"
        );
    }
    let err = Config::parse(&tenant("refresh_secs = \"30\""), "t.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected an integer"), "{err}");
}

/// The console shows an application created by another process (the
/// command line, over HTTP) within one refresh, with no key pressed.
#[test]
fn a_resource_created_behind_the_consoles_back_appears_on_its_own() {
    let sim = Standalone::start(&[]);
    let block = sim
        .config()
        .split("[[tenants]]")
        .find(|b| b.contains("name = \"p44-na\""))
        .expect("p44-na")
        .to_string();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[tenants]]{}",
            block.replacen(
                "name = \"p44-na\"",
                "name = \"p44-na\"\nrefresh_secs = 5",
                1
            )
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    let pty = Pty::portico(&["--config", &config], home.path(), &[], 40, 160);
    pty.wait_for("TMS Integration - Oracle OTM");
    pty.wait_for("auto 5s");

    let made = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["--config", &config, "--tenant", "p44-na", "apps", "create"])
        .args(["--set", "name=Made Behind The Back", "-o", "json"])
        .env("PORTICO_DATA_DIR", home.path().join("cli-data"))
        .stdin(Stdio::null())
        .output()
        .expect("run the command line");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    pty.wait_within("the new application", Duration::from_secs(20), |screen| {
        screen.contents().contains("Made Behind The Back")
    });
}

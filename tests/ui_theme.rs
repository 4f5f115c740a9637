//! Themes: the shipped files parse, a user file overrides, bad files say
//! where, and the light and high-contrast themes are snapshotted with
//! their styles (the text alone would not show a theme).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use portico::app::{State, TenantInfo, start};
use portico::config::Config;
use portico::keymap::Keymap;
use portico::model::{Kind, Resource};
use portico::platform::project44;
use portico::ui::{Theme, render_with, theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use support::app::answer_at;

fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

fn app(name: &str, id: &str, expires_in_days: Option<i64>) -> Resource {
    let mut r = Resource::new(Kind::ClientApp, id, name).with_detail("name", name);
    r.cells = vec![id.to_string()];
    r.expires = expires_in_days.map(|d| time::OffsetDateTime::from(at()) + time::Duration::days(d));
    r
}

fn state(color: Option<Color>) -> State {
    let tenants = vec![
        TenantInfo::new("p44-na", "project44", project44::capabilities()).with_color(color),
        TenantInfo::new("p44-eu", "project44", project44::capabilities()).with_flags(true, false),
    ];
    let mut state = State::new(tenants, Keymap::defaults());
    let fx = start(&mut state);
    answer_at(&mut state, &fx, at(), |_| {
        vec![
            app("Carrier Visibility Sync", "63P82d4M", None),
            app("Dock Scheduling Relay", "IBpEyO92", Some(10)),
            app("Legacy EDI Bridge", "9fQk2LmX", Some(-3)),
        ]
    });
    state
}

fn buffer(state: &State, theme: &Theme) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(100, 20)).expect("terminal");
    terminal
        .draw(|f| render_with(f, state, theme, at() + Duration::from_secs(42)))
        .expect("draw");
    terminal.backend().buffer().clone()
}

/// The screen's text, then each run of cells drawn in one non-default
/// style, as `row col..col: style`.
fn styled(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let line: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out.push_str("---\n");
    for y in 0..area.height {
        let mut x = 0;
        while x < area.width {
            let style = buffer[(x, y)].style();
            let mut end = x + 1;
            while end < area.width && buffer[(end, y)].style() == style {
                end += 1;
            }
            let plain = style.fg.is_none_or(|c| c == Color::Reset)
                && style.bg.is_none_or(|c| c == Color::Reset)
                && style.add_modifier.is_empty();
            if !plain {
                let _ = writeln!(
                    out,
                    "{y:>2} {x:>3}..{:<3} fg={:?} bg={:?} +{:?} -{:?}",
                    end - 1,
                    style.fg.unwrap_or(Color::Reset),
                    style.bg.unwrap_or(Color::Reset),
                    style.add_modifier,
                    style.sub_modifier
                );
            }
            x = end;
        }
    }
    out
}

fn fg_at(buffer: &Buffer, x: u16, y: u16) -> Option<Color> {
    buffer[(x, y)].style().fg
}

#[test]
fn every_shipped_theme_parses_and_each_differs() {
    let mut seen: Vec<Theme> = Vec::new();
    for (name, _) in theme::BUILT_IN {
        let parsed = Theme::built_in(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!seen.contains(&parsed), "{name} repeats another theme");
        seen.push(parsed);
    }
    assert_eq!(Theme::built_in("dark").unwrap(), Theme::default());
    let err = Theme::built_in("solarized").unwrap_err().to_string();
    assert!(err.contains("unknown theme \"solarized\""), "{err}");
}

#[test]
fn shipped_themes_use_only_the_sixteen_ansi_colours() {
    let state = state(None);
    for (name, _) in theme::BUILT_IN {
        let buffer = buffer(&state, &Theme::built_in(name).unwrap());
        for cell in buffer.content() {
            let style = cell.style();
            for colour in [style.fg, style.bg].into_iter().flatten() {
                assert!(
                    !matches!(colour, Color::Rgb(..) | Color::Indexed(_)),
                    "{name} draws {colour:?}"
                );
            }
        }
    }
}

#[test]
fn light_theme() {
    let buffer = buffer(&state(None), &Theme::built_in("light").unwrap());
    insta::assert_snapshot!(styled(&buffer));
}

#[test]
fn high_contrast_theme() {
    let buffer = buffer(&state(None), &Theme::built_in("high-contrast").unwrap());
    insta::assert_snapshot!(styled(&buffer));
}

#[test]
fn the_tenant_colour_beats_the_theme_in_its_chrome() {
    let state = state(Some(Color::Green));
    let buffer = buffer(&state, &Theme::built_in("high-contrast").unwrap());
    // The focused pane's top border, and the active tenant's chip in the
    // tenant bar and the status line.
    let focused_x = (0..100)
        .find(|x| buffer[(*x, 1)].symbol() == "┏")
        .expect("a focused pane");
    assert_eq!(fg_at(&buffer, focused_x, 1), Some(Color::Green));
    assert_eq!(buffer[(1, 0)].style().bg, Some(Color::Green));
    let status = (0..20)
        .find(|y| {
            let row: String = (0..20).map(|x| buffer[(x, *y)].symbol()).collect();
            row.starts_with(" p44-na  project44")
        })
        .expect("a status line");
    assert_eq!(buffer[(1, status)].style().bg, Some(Color::Green));
    // Without a colour of its own, the theme's tenant colour is used.
    let plain = buffer_for(None, "high-contrast");
    assert_eq!(plain[(1, 0)].style().bg, Some(Color::LightCyan));
}

fn buffer_for(color: Option<Color>, name: &str) -> Buffer {
    buffer(&state(color), &Theme::built_in(name).unwrap())
}

#[test]
fn no_color_strips_every_theme() {
    let state = state(Some(Color::Green)).with_no_color(true);
    for (name, _) in theme::BUILT_IN {
        let buffer = buffer(&state, &Theme::built_in(name).unwrap());
        for cell in buffer.content() {
            assert_eq!(cell.fg, Color::Reset, "{name}");
            assert_eq!(cell.bg, Color::Reset, "{name}");
        }
    }
}

#[test]
fn a_user_theme_overrides_a_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("themes")).unwrap();
    std::fs::write(
        dir.path().join("themes/mine.toml"),
        "# on top of light\nextends = \"light\"\nborder = { fg = \"light-magenta\" }\n",
    )
    .unwrap();
    let mine = Theme::named("mine", Some(dir.path())).unwrap();
    let light = Theme::built_in("light").unwrap();
    assert_ne!(mine, light);
    let buffer = buffer(&state(None), &mine);
    // The unfocused first pane's corner takes the user's colour...
    assert_eq!(buffer[(0, 1)].symbol(), "┌");
    assert_eq!(fg_at(&buffer, 0, 1), Some(Color::LightMagenta));
    // ...and the rest is the light theme's.
    assert_eq!(buffer[(1, 0)].style().bg, Some(Color::Blue));

    // A file named like a built-in theme replaces it.
    std::fs::write(
        dir.path().join("themes/dark.toml"),
        "focused_border = { fg = \"light-green\" }\n",
    )
    .unwrap();
    let dark = Theme::named("dark", Some(dir.path())).unwrap();
    assert_ne!(dark, Theme::default());
    assert_eq!(Theme::named("dark", None).unwrap(), Theme::default());
    // No such file and no such built-in theme.
    let err = Theme::named("nope", Some(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("themes/nope.toml"), "{err}");
}

#[test]
fn a_bad_theme_file_names_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let cases = [
        (
            "border = { fg = \"cyan\" }\n\nheader = { fg = \"orange\" }\n",
            3,
            "unknown colour",
        ),
        (
            "border = { fg = \"cyan\" }\nborderr = { fg = \"red\" }\n",
            2,
            "borderr",
        ),
        (
            "border = { fg = \"cyan\" }\nerror = { fg = \"red\", modifiers = [\"blink\"] }\n",
            2,
            "blink",
        ),
        ("border = { fg = \"cyan\"\n", 1, ""),
        ("\n\nextends = \"solarized\"\n", 3, "unknown theme"),
    ];
    for (text, line, says) in cases {
        std::fs::write(&path, text).unwrap();
        let err = Theme::load(&path).unwrap_err();
        let shown = err.to_string();
        let prefix = format!("{}:{line}:", path.display());
        assert!(
            shown.starts_with(&prefix),
            "{shown} should start with {prefix}"
        );
        assert!(shown.contains(says), "{shown} should say {says}");
        assert_eq!(err.line(), line);
    }
}

#[test]
fn the_console_table_names_the_theme() {
    let tenant =
        "[[tenants]]\nname = \"a\"\nplatform = \"losant\"\n[tenants.auth]\ntoken = \"x\"\n";
    let cfg = Config::parse(tenant, "t.toml").unwrap();
    assert_eq!(cfg.console().theme(), "dark");
    let cfg = Config::parse(
        &format!("[console]\ntheme = \"high-contrast\"\n{tenant}"),
        "t.toml",
    )
    .unwrap();
    assert_eq!(cfg.console().theme(), "high-contrast");
    for bad in ["\"../etc/x\"", "\"\"", "3"] {
        let err = Config::parse(&format!("[console]\ntheme = {bad}\n{tenant}"), "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t.toml:2:"), "{err}");
        assert!(err.contains("console.theme"), "{err}");
    }
}

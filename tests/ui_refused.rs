//! The hint bar draws the changes a tenant or its credential may not make
//! dimmed and marked instead of leaving them out, gives what can be done
//! the room first, and a click on a refused hint only says why.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use support::app::answer_at;

use portico::app::{Level, Message, Pointer, State, TenantInfo, start, update};
use portico::keymap::{Action, Keymap};
use portico::model::{Change, Kind, Resource};
use portico::platform::project44;
use portico::ui::Regions;

const WHY: &str =
    "the API token's scopes (all.Application.read) do not allow applicationCertificate.patch";

fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

/// A Losant tenant whose token may only read: its application refuses
/// new credentials, its active certificate every change.
fn read_only_token() -> State {
    let losant = TenantInfo::new("los", "Losant", portico::platform::losant::capabilities());
    let mut state = State::new(vec![losant], Keymap::defaults());
    let fx = start(&mut state);
    let fx = answer_at(&mut state, &fx, at(), |_| {
        let mut app = Resource::new(Kind::Application, "app1", "Fleet");
        app.refused = vec![(Change::CreateUnder, "no credentials".into())];
        vec![app]
    });
    answer_at(&mut state, &fx, at(), |_| {
        let mut cert = Resource::new(Kind::Certificate, "c1", "van-0142");
        cert.status = Some("active".into());
        cert.refused = [Change::Edit, Change::Toggle, Change::Rotate]
            .into_iter()
            .map(|c| (c, WHY.to_string()))
            .chain([(Change::Delete, "no delete".to_string())])
            .collect();
        vec![cert]
    });
    let key = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
    update(&mut state, Message::Key(key));
    state
}

fn buffer(state: &State, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| portico::ui::render(f, state, at()))
        .expect("draw");
    terminal.backend().buffer().clone()
}

fn bottom(buffer: &Buffer) -> String {
    let y = buffer.area.height - 1;
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

/// The column where `text` starts on the bottom row.
fn column(line: &str, text: &str) -> u16 {
    let byte = line
        .find(text)
        .unwrap_or_else(|| panic!("{text:?} not in {line:?}"));
    u16::try_from(line[..byte].chars().count()).expect("column")
}

/// The style of the bottom row's cells covering `text`, one per cell.
fn styles(buffer: &Buffer, text: &str) -> Vec<ratatui::style::Style> {
    let line = bottom(buffer);
    let x = column(&line, text);
    let y = buffer.area.height - 1;
    (x..x + u16::try_from(text.chars().count()).expect("width"))
        .map(|x| buffer[(x, y)].style())
        .collect()
}

#[test]
fn refused_changes_stay_in_the_hint_bar_dimmed_and_marked() {
    let state = read_only_token();
    let screen = buffer(&state, 160, 30);
    let bar = bottom(&screen);
    for refused in ["n new✗", "e edit✗", "d delete✗", "R rotate✗", "a disable✗"] {
        let cells = styles(&screen, refused);
        assert!(
            cells.iter().all(|s| s.add_modifier.contains(Modifier::DIM)
                && s.add_modifier.contains(Modifier::CROSSED_OUT)),
            "{refused} is drawn refused: {cells:?}\n{bar}"
        );
        assert!(
            cells.iter().all(|s| s.fg.is_none_or(|c| c == Color::Reset)),
            "{refused}'s key is not in the key colour: {cells:?}"
        );
    }
    for allowed in ["y copy id", "s sort", "r refresh", "q quit"] {
        let key = styles(&screen, allowed)[0];
        assert_eq!(key.fg, Some(Color::Cyan), "{allowed}'s key: {bar}");
        assert!(
            !key.add_modifier.contains(Modifier::DIM),
            "{allowed}: {key:?}"
        );
        let after = column(&bar, allowed) as usize + allowed.chars().count();
        assert_ne!(bar.chars().nth(after), Some('✗'), "{allowed}: {bar}");
    }
    assert!(bar.contains("pane"), "{bar}");
}

#[test]
fn a_short_bar_keeps_what_can_be_done_and_drops_refused_pairs_first() {
    let state = read_only_token();
    let full = bottom(&buffer(&state, 160, 30));
    let allowed = [
        "open", "filter", "copy id", "sort", "refresh", "command", "quit", "pane",
    ];
    for word in allowed {
        assert!(full.contains(&format!(" {word} ")), "{word} at 160: {full}");
    }
    // Ten columns short of every pair: the last refused one, at least,
    // must give way, and `quit` and `pane` after it must not.
    let narrow = u16::try_from(full.trim_end().chars().count() - 10).expect("width");
    let bar = bottom(&buffer(&state, narrow, 30));
    for word in allowed {
        assert!(
            bar.contains(&format!(" {word} ")),
            "{word} kept at {narrow}: {bar:?}"
        );
    }
    assert!(
        bar.matches('✗').count() < full.matches('✗').count(),
        "a refused pair gave way at {narrow}: {bar:?}"
    );
    // What is kept keeps its order and no pair is cut.
    assert!(bar.trim_end().ends_with("pane"), "{bar:?}");
    assert!(column(&bar, "edit✗") < column(&bar, "copy id"), "{bar:?}");
}

#[test]
fn a_click_on_a_refused_hint_says_why_and_asks_for_nothing() {
    let mut state = read_only_token();
    let area = Rect::new(0, 0, 160, 30);
    let screen = buffer(&state, area.width, area.height);
    let bar = bottom(&screen);
    let regions = Regions::of(&state, area, at());
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: column(&bar, "edit✗"),
        row: area.height - 1,
        modifiers: KeyModifiers::NONE,
    };
    let pointer = regions.hit(&click);
    assert_eq!(pointer, Some(Pointer::Hint(Action::Edit)), "{bar}");
    let fx = update(&mut state, Message::Pointer(pointer.expect("hit")));
    assert!(fx.is_empty(), "a refused click asked for {fx:?}");
    assert!(state.modal().is_none(), "no form opens");
    let notice = state.notice().expect("a notice");
    assert_eq!(notice.level, Level::Error);
    assert_eq!(notice.text, format!("not allowed: {WHY}"));
}

#[test]
fn a_read_only_tenant_shows_its_changes_refused() {
    let tenants =
        vec![TenantInfo::new("ro", "project44", project44::capabilities()).with_flags(true, false)];
    let mut state = State::new(tenants, Keymap::defaults());
    let fx = start(&mut state);
    answer_at(&mut state, &fx, at(), |_| {
        vec![Resource::new(Kind::ClientApp, "id-alpha", "alpha")]
    });
    let screen = buffer(&state, 160, 30);
    let bar = bottom(&screen);
    for refused in ["n new✗", "e edit✗", "d delete✗", "R rotate✗"] {
        let key = styles(&screen, refused)[0];
        assert!(key.add_modifier.contains(Modifier::DIM), "{refused}: {bar}");
    }
    assert!(bar.contains(" y copy id "), "{bar}");
    assert!(!bar.contains("y copy id✗"), "{bar}");

    // Clicked, a refused change names the tenant's flag and sends nothing.
    let area = Rect::new(0, 0, 160, 30);
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: column(&bar, "delete✗"),
        row: area.height - 1,
        modifiers: KeyModifiers::NONE,
    };
    let pointer = Regions::of(&state, area, at()).hit(&click).expect("a hint");
    assert_eq!(pointer, Pointer::Hint(Action::Delete));
    let fx = update(&mut state, Message::Pointer(pointer));
    assert!(fx.is_empty(), "{fx:?}");
    let notice = state.notice().expect("a notice");
    assert!(notice.text.contains("read-only [RO]"), "{}", notice.text);
}

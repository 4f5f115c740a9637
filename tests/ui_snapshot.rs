//! Renders `State` into a `TestBackend` and snapshots the screen.

mod support;

use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::app::answer_at;

use portico::app::{Message, State, TenantInfo, start, update};
use portico::keymap::Keymap;
use portico::model::{Kind, Resource};
use portico::platform::project44;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

fn app(name: &str, id: &str) -> Resource {
    let mut r = Resource::new(Kind::ClientApp, id, name)
        .with_detail("name", name)
        .with_detail("client id", id);
    r.cells = vec![id.to_string()];
    r
}

fn state_with(names: &[(&str, &str)]) -> State {
    let tenants = ["p44-na", "p44-eu", "p44-sandbox"]
        .iter()
        .map(|n| TenantInfo::new(*n, "project44", project44::capabilities()))
        .collect();
    let mut state = State::new(tenants, Keymap::defaults()).with_demo("Demo: a hint");
    let fx = start(&mut state);
    answer_at(&mut state, &fx, at(), |_| {
        names.iter().map(|(n, id)| app(n, id)).collect()
    });
    state
}

fn draw(state: &State, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| portico::ui::render(f, state, at() + Duration::from_secs(42)))
        .expect("draw");
    terminal.backend().to_string()
}

#[test]
fn main_screen() {
    let state = state_with(&[
        ("TMS Integration - Oracle OTM", "7m2JJJ8FgY8jTnFzC5DiLERs"),
        ("Carrier Visibility Sync", "63P82d4MvzBVwv1peZIAESOi"),
        ("Dock Scheduling Webhook Relay", "IBpEyO92Iwh0LMCnbiep7Q7T"),
    ]);
    insta::assert_snapshot!(draw(&state, 120, 30));
}

#[test]
fn help_is_generated_from_the_keymap() {
    let mut state = state_with(&[("one", "1")]);
    update(
        &mut state,
        Message::Key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE)),
    );
    let screen = draw(&state, 120, 50);
    assert!(screen.contains("Rotate the selection's secret"), "{screen}");
    assert!(screen.contains("Shift-Tab"), "{screen}");
    let custom = Keymap::with_overrides("[normal]\nrotate = [\"ctrl-r\"]\n").expect("keymap");
    let mut state = State::new(
        vec![TenantInfo::new("x", "project44", project44::capabilities())],
        custom,
    );
    update(
        &mut state,
        Message::Key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE)),
    );
    assert!(draw(&state, 120, 50).contains("Ctrl-r"));
}

#[test]
fn hostile_names_are_drawn_inert() {
    let state = state_with(&[("evil\x1b[2J\x1b]0;pwned\x07name", "id1")]);
    let screen = draw(&state, 120, 30);
    assert!(screen.contains("evil^[[2J^[]0;pwned^Gname"), "{screen}");
    assert!(!screen.contains('\x1b'));
}

#[test]
fn only_the_visible_rows_are_drawn() {
    let many: Vec<(String, String)> = (0..5000)
        .map(|i| (format!("app {i:04}"), format!("id{i}")))
        .collect();
    let refs: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let mut state = state_with(&refs);
    update(
        &mut state,
        Message::Key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE)),
    );
    let screen = draw(&state, 120, 30);
    assert!(screen.contains("app 4999"), "{screen}");
    assert!(!screen.contains("app 0000"));
    assert!(screen.contains("5000"));
}

#[test]
fn command_tab_lists_the_choices_above_the_prompt() {
    let mut state = state_with(&[("Carrier Visibility Sync", "63P82d4MvzBVwv1peZIAESOi")]);
    let key = |code| Message::Key(KeyEvent::new(code, KeyModifiers::NONE));
    update(&mut state, key(KeyCode::Char(':')));
    for c in "tenant ".chars() {
        update(&mut state, key(KeyCode::Char(c)));
    }
    update(&mut state, key(KeyCode::Tab));
    let screen = draw(&state, 80, 20);
    let lines: Vec<&str> = screen.lines().collect();
    let prompt = lines
        .iter()
        .rposition(|l| l.contains(":tenant p44-"))
        .unwrap_or_else(|| panic!("prompt completed to the shared prefix:\n{screen}"));
    let above = lines[prompt - 1];
    for name in ["na", "eu", "sandbox"] {
        assert!(
            above.contains(name),
            "{name} listed above the prompt:\n{screen}"
        );
    }
    assert!(lines[prompt - 2].contains("3 choices"), "{screen}");
}

fn filtered(text: &str) -> State {
    let mut state = state_with(&[
        (
            "ERP Order Feed - SAP S/4HANA Classic",
            "nNOs4B49TR3hZwkw5scC9U7K",
        ),
        ("TMS Integration - Oracle OTM", "eyidnoDBzTLqpbGyhy0qTTv5"),
    ]);
    let key = |code| Message::Key(KeyEvent::new(code, KeyModifiers::NONE));
    update(&mut state, key(KeyCode::Char('/')));
    for c in text.chars() {
        update(&mut state, key(KeyCode::Char(c)));
    }
    update(&mut state, key(KeyCode::Enter));
    state
}

#[test]
fn filter_matches_are_highlighted_and_a_bad_field_is_named() {
    use ratatui::style::Modifier;
    let state = filtered("integ");
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
    terminal
        .draw(|f| portico::ui::render(f, &state, at()))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let screen = terminal.backend().to_string();
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("┃TMS Integration"))
        .unwrap_or_else(|| panic!("the hit is listed:\n{screen}"));
    let y = row as u16;
    let lit = |x: u16| {
        let cell = &buffer[(x, y)];
        cell.modifier.contains(Modifier::UNDERLINED) && cell.modifier.contains(Modifier::BOLD)
    };
    // The backend's text quotes each line.
    let line = line.strip_prefix('"').unwrap_or(line);
    let x0 = line
        .find("Integ")
        .map(|b| line[..b].chars().count() as u16)
        .expect("the name on the row");
    for x in x0..x0 + 5 {
        assert!(lit(x), "column {x} of \"Integ\" is highlighted:\n{screen}");
    }
    assert!(!lit(x0 - 2), "the text around it is not");

    let state = filtered("colour:red");
    let screen = draw(&state, 120, 30);
    assert!(screen.contains("no field \"colour:\""), "{screen}");
    assert!(
        screen.contains("status:") && screen.contains("kind:"),
        "{screen}"
    );
}

#[test]
fn no_color_draws_without_colours_but_keeps_the_selection() {
    use ratatui::style::{Color, Modifier};
    let state =
        state_with(&[("Carrier Visibility Sync", "63P82d4MvzBVwv1peZIAESOi")]).with_no_color(true);
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).expect("terminal");
    terminal
        .draw(|f| portico::ui::render(f, &state, at()))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    let cells = || buffer.content().iter();
    assert!(cells().all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
    assert!(cells().any(|c| c.modifier.contains(Modifier::REVERSED)));
}

#[test]
fn rows_of_the_same_name_show_the_tail_of_their_id() {
    let state = state_with(&[
        ("Gateway key", "5f00000000000000000000a1"),
        ("Gateway key", "5f00000000000000000000b2"),
        ("Other", "5f00000000000000000000c3"),
    ]);
    let screen = draw(&state, 140, 30);
    assert!(screen.contains("Gateway key …0000a1"), "{screen}");
    assert!(screen.contains("Gateway key …0000b2"), "{screen}");
    assert!(!screen.contains("Other …"), "{screen}");
}

#[test]
fn a_tiny_terminal_says_what_it_needs() {
    let state = state_with(&[("Carrier Visibility Sync", "63P82d4MvzBVwv1peZIAESOi")]);
    let screen = draw(&state, 40, 10);
    assert!(screen.contains("terminal too small"), "{screen}");
    assert!(screen.contains("need 48x12"), "{screen}");
    assert!(!draw(&state, 48, 12).contains("too small"));
}

#[test]
fn at_60x15_names_stay_readable_and_extra_columns_give_way() {
    let state = state_with(&[
        ("Carrier Visibility Sync", "63P82d4MvzBVwv1peZIAESOi"),
        ("Dock Scheduling Webhook Relay", "IBpEyO92Iwh0LMCnbiep7Q7T"),
    ]);
    let screen = draw(&state, 60, 15);
    assert!(screen.contains("Carrier Visibil"), "{screen}");
    assert!(screen.contains("Dock Scheduling"), "{screen}");
    assert!(!screen.contains("CLIENT ID"), "{screen}");
    // With room, the column is back.
    assert!(draw(&state, 160, 40).contains("CLIENT ID"));
}

#[test]
fn a_long_status_message_wraps_instead_of_being_cut() {
    let mut state = state_with(&[("Carrier Visibility Sync", "63P82d4MvzBVwv1peZIAESOi")]);
    let long = "the terminal refused the write because the pipe was closed by the other \
                side, and this sentence ends here: THE-END";
    update(&mut state, Message::Copied(Err(long.to_string())));
    let screen = draw(&state, 80, 24);
    assert!(screen.contains("THE-END"), "{screen}");
    assert!(screen.contains("copy failed: the terminal"), "{screen}");
}

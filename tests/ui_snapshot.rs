//! Renders `State` into a `TestBackend` and snapshots the screen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::app::answer_at;

use portico::app::{Message, Modal, State, TenantInfo, start, update};
use portico::keymap::Keymap;
use portico::model::{IssuedSecret, Kind, Resource, Secret};
use portico::platform::{Outcome, project44};
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
    let y = u16::try_from(row).expect("row fits the screen");
    let lit = |x: u16| {
        let cell = &buffer[(x, y)];
        cell.modifier.contains(Modifier::UNDERLINED) && cell.modifier.contains(Modifier::BOLD)
    };
    // The backend's text quotes each line.
    let line = line.strip_prefix('"').unwrap_or(line);
    let x0 = line
        .find("Integ")
        .map(|b| u16::try_from(line[..b].chars().count()).expect("column fits the screen"))
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

fn press(state: &mut State, code: KeyCode, modifiers: KeyModifiers) -> Vec<portico::app::Effect> {
    update(state, Message::Key(KeyEvent::new(code, modifiers)))
}

fn ch(state: &mut State, c: char) -> Vec<portico::app::Effect> {
    press(state, KeyCode::Char(c), KeyModifiers::NONE)
}

/// A loaded project44 tenant under `keymap`, without the demo note.
fn rebound(keymap: &str) -> State {
    let keymap = Keymap::with_overrides(keymap).expect("keymap");
    let tenants = vec![TenantInfo::new(
        "p44-na",
        "project44",
        project44::capabilities(),
    )];
    let mut state = State::new(tenants, keymap);
    let fx = start(&mut state);
    answer_at(&mut state, &fx, at(), |_| vec![app("alpha", "id-alpha")]);
    state
}

fn help_screen(state: &mut State, help: char) -> String {
    ch(state, help);
    let screen = draw(state, 120, 120);
    press(state, KeyCode::Esc, KeyModifiers::NONE);
    screen
}

fn bottom_line(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

#[test]
fn a_rebound_browse_key_shows_in_the_hint_bar_and_help_and_the_old_key_is_gone() {
    let mut state = rebound("[normal]\nnew = [\"+\"]\n");
    let screen = draw(&state, 120, 30);
    assert!(bottom_line(&screen).contains("+ new"), "{screen}");
    assert!(!bottom_line(&screen).contains("n new"), "{screen}");
    let help = help_screen(&mut state, '?');
    assert!(
        help.lines()
            .any(|l| l.contains(" +  ") && l.contains("Create in this pane")),
        "{help}"
    );
    ch(&mut state, 'n');
    assert!(state.modal().is_none(), "n no longer creates");
    ch(&mut state, '+');
    assert!(matches!(state.modal(), Some(Modal::Form(_))));
}

#[test]
fn a_rebound_form_key_shows_in_the_footer_hint_bar_and_help_and_the_old_key_is_gone() {
    let mut state = rebound("[form]\nsubmit = [\"ctrl-s\"]\n");
    let help = help_screen(&mut state, '?');
    assert!(
        help.lines()
            .any(|l| l.contains("Ctrl-s") && l.contains("Submit")),
        "{help}"
    );
    ch(&mut state, 'n');
    for c in "Rate Engine".chars() {
        ch(&mut state, c);
    }
    let screen = draw(&state, 120, 30);
    let footer = screen
        .lines()
        .find(|l| l.contains("submit") && l.contains("cancel"))
        .unwrap_or_default();
    assert!(footer.contains("Ctrl-s submit"), "{screen}");
    assert!(bottom_line(&screen).contains("Ctrl-s submit"), "{screen}");
    assert!(!screen.contains("Enter submit"), "{screen}");
    let fx = press(&mut state, KeyCode::Enter, KeyModifiers::NONE);
    assert!(fx.is_empty(), "Enter no longer submits");
    assert!(matches!(state.modal(), Some(Modal::Form(_))));
    let fx = press(&mut state, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        fx.iter()
            .any(|e| matches!(e, portico::app::Effect::Perform { .. })),
        "{fx:?}"
    );
}

#[test]
fn a_rebound_confirm_key_changes_the_dialog_footer_and_the_old_key_is_gone() {
    let mut state = rebound("[confirm]\nconfirm = [\"ctrl-y\"]\n");
    let help = help_screen(&mut state, '?');
    assert!(
        help.lines()
            .any(|l| l.contains("Ctrl-y") && l.contains("Go ahead")),
        "{help}"
    );
    ch(&mut state, 'd');
    let screen = draw(&state, 120, 30);
    assert!(screen.contains(" Ctrl-y  go ahead"), "{screen}");
    assert!(!screen.contains("y/Enter"), "{screen}");
    assert!(bottom_line(&screen).contains("Ctrl-y confirm"), "{screen}");
    assert!(ch(&mut state, 'y').is_empty(), "y no longer confirms");
    assert!(press(&mut state, KeyCode::Enter, KeyModifiers::NONE).is_empty());
    assert!(matches!(state.modal(), Some(Modal::Confirm(_))));
    let fx = press(&mut state, KeyCode::Char('y'), KeyModifiers::CONTROL);
    assert!(
        fx.iter()
            .any(|e| matches!(e, portico::app::Effect::Perform { .. })),
        "{fx:?}"
    );
}

fn issue_secret(state: &mut State) {
    ch(state, 'R');
    let fx = press(state, KeyCode::Enter, KeyModifiers::NONE);
    let request = fx
        .iter()
        .find_map(|e| match e {
            portico::app::Effect::Perform { request, .. } => Some(*request),
            _ => None,
        })
        .expect("rotation sent");
    update(
        state,
        Message::Performed {
            tenant: 0,
            request,
            result: Box::new(Ok(Outcome {
                summary: "new secret issued".into(),
                secret: Some(IssuedSecret {
                    label: "client secret".into(),
                    public_id: Some("id-alpha".into()),
                    secret: Secret::new("s3cr3t-value"),
                }),
                ..Outcome::default()
            })),
            saved: None,
        },
    );
}

#[test]
fn a_rebound_secret_view_key_shows_in_the_footer_and_the_old_key_is_gone() {
    let mut state = rebound("[secret]\nreveal = [\"x\"]\n");
    let help = help_screen(&mut state, '?');
    assert!(
        help.lines()
            .any(|l| l.contains(" x ") && l.contains("Reveal or mask")),
        "{help}"
    );
    issue_secret(&mut state);
    let screen = draw(&state, 120, 30);
    assert!(screen.contains("x reveal"), "{screen}");
    assert!(!screen.contains("v reveal"), "{screen}");
    assert!(bottom_line(&screen).contains("x reveal"), "{screen}");
    ch(&mut state, 'v');
    assert!(matches!(state.modal(), Some(Modal::Secret(v)) if !v.revealed));
    ch(&mut state, 'x');
    assert!(matches!(state.modal(), Some(Modal::Secret(v)) if v.revealed));
    assert!(draw(&state, 120, 30).contains("s3cr3t-value"));
}

#[test]
fn the_hint_bar_follows_the_pane_and_the_platform() {
    let state = rebound("");
    let bar = draw(&state, 160, 30);
    let bar = bottom_line(&bar);
    for hint in ["n new", "e edit", "d delete", "R rotate", "y copy id"] {
        assert!(bar.contains(hint), "{hint}: {bar}");
    }
    // project44 client applications have no status to toggle.
    assert!(!bar.contains(" a "), "{bar}");
    // A `:` view lists what cannot be created or rotated from Portico.
    let kitsu = TenantInfo::new("kit", "Kitsu", portico::platform::kitsu::capabilities());
    let mut state = State::new(vec![kitsu], Keymap::defaults());
    let fx = start(&mut state);
    let fx = answer_at(&mut state, &fx, at(), |_| {
        vec![Resource::new(Kind::Project, "p1", "Harbor")]
    });
    answer_at(&mut state, &fx, at(), |_| Vec::new());
    ch(&mut state, ':');
    for c in "persons".chars() {
        ch(&mut state, c);
    }
    let fx = press(&mut state, KeyCode::Enter, KeyModifiers::NONE);
    answer_at(&mut state, &fx, at(), |_| {
        vec![Resource::new(Kind::Person, "u1", "Ada")]
    });
    let screen = draw(&state, 160, 30);
    let bar = bottom_line(&screen);
    assert!(bar.contains("y copy id"), "{screen}");
    assert!(!bar.contains("n new") && !bar.contains("R rotate"), "{bar}");
    assert!(bar.contains("Esc close view"), "{bar}");

    let tenants =
        vec![TenantInfo::new("ro", "project44", project44::capabilities()).with_flags(true, false)];
    let mut state = State::new(tenants, Keymap::defaults());
    let fx = start(&mut state);
    answer_at(&mut state, &fx, at(), |_| vec![app("alpha", "id-alpha")]);
    let screen = draw(&state, 160, 30);
    let bar = bottom_line(&screen);
    // A read-only tenant's changes stay in their places, refused.
    assert!(bar.contains(" y copy id "), "{bar}");
    assert!(
        bar.contains(" n new✗ ") && bar.contains(" R rotate✗ "),
        "{bar}"
    );

    let losant = TenantInfo::new("los", "Losant", portico::platform::losant::capabilities());
    let mut state = State::new(vec![losant], Keymap::defaults());
    let fx = start(&mut state);
    let fx = answer_at(&mut state, &fx, at(), |_| {
        vec![Resource::new(Kind::Application, "app1", "Fleet")]
    });
    answer_at(&mut state, &fx, at(), |_| {
        let mut key = Resource::new(Kind::AccessKey, "k1", "edge key");
        key.status = Some("active".into());
        vec![key]
    });
    press(&mut state, KeyCode::Tab, KeyModifiers::NONE);
    let screen = draw(&state, 160, 30);
    let bar = bottom_line(&screen);
    assert!(
        bar.contains("a deactivate") && bar.contains("R rotate"),
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

#[test]
fn the_hint_bar_can_be_turned_off_and_the_demo_note_stays_on_top() {
    let state = state_with(&[("one", "1")]);
    let screen = draw(&state, 120, 30);
    assert!(
        screen
            .lines()
            .next()
            .unwrap_or_default()
            .contains("Demo: a hint")
    );
    assert!(bottom_line(&screen).contains("/ filter"), "{screen}");
    let state = rebound("hint-bar = false\n");
    let screen = draw(&state, 120, 30);
    assert!(!screen.contains("/ filter"), "{screen}");
    assert!(
        bottom_line(&screen).contains("p44-na"),
        "the status line moves down"
    );
}

fn cursor(state: &State, width: u16, height: u16) -> (u16, u16) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| portico::ui::render(f, state, at()))
        .expect("draw");
    assert!(terminal.backend().cursor_visible(), "a cursor is shown");
    let position = terminal.backend().cursor_position();
    (position.x, position.y)
}

#[test]
fn the_terminal_cursor_sits_where_editing_happens() {
    let mut state = rebound("");
    ch(&mut state, '/');
    for c in "sync".chars() {
        ch(&mut state, c);
    }
    press(&mut state, KeyCode::Left, KeyModifiers::NONE);
    press(&mut state, KeyCode::Left, KeyModifiers::NONE);
    ch(&mut state, 'X');
    let screen = draw(&state, 120, 30);
    assert!(bottom_line(&screen).starts_with("\"/syXnc "), "{screen}");
    assert!(!screen.contains('▏'), "no drawn bar: the terminal's cursor");
    assert_eq!(cursor(&state, 120, 30), (4, 29), "after \"/syX\"");
    press(&mut state, KeyCode::Esc, KeyModifiers::NONE);

    ch(&mut state, ':');
    for c in "sort".chars() {
        ch(&mut state, c);
    }
    press(&mut state, KeyCode::Home, KeyModifiers::NONE);
    assert_eq!(cursor(&state, 120, 30), (1, 29));
    press(&mut state, KeyCode::Esc, KeyModifiers::NONE);

    ch(&mut state, 'n');
    for c in "abcd".chars() {
        ch(&mut state, c);
    }
    press(&mut state, KeyCode::Char('b'), KeyModifiers::ALT);
    let screen = draw(&state, 120, 30);
    let (x, y) = cursor(&state, 120, 30);
    let row: Vec<char> = screen
        .lines()
        .nth(usize::from(y))
        .unwrap_or_default()
        .chars()
        .collect();
    let col = usize::from(x) + 1; // the snapshot quotes each row
    assert_eq!(
        row.get(col),
        Some(&'a'),
        "cursor on the a of abcd: {screen}"
    );
}

#[test]
fn dialogs_keep_their_key_line_with_long_content() {
    let long = "N".repeat(300);
    let mut state = rebound("");
    issue_secret(&mut state);
    let screen = draw(&state, 100, 30);
    assert!(screen.contains("v reveal"), "{screen}");

    let mut state = rebound("");
    ch(&mut state, 'n');
    for c in long.chars() {
        ch(&mut state, c);
    }
    let screen = draw(&state, 100, 20);
    assert!(screen.contains("Enter submit"), "{screen}");
    assert!(
        !screen.contains(&"N".repeat(80)),
        "the field scrolls inside the box"
    );
    press(&mut state, KeyCode::Enter, KeyModifiers::NONE);

    // A confirmation with a 300-character name wraps it and keeps its keys.
    let tenants = vec![TenantInfo::new(
        "p44-na",
        "project44",
        project44::capabilities(),
    )];
    let mut state = State::new(tenants, Keymap::defaults());
    let fx = start(&mut state);
    answer_at(&mut state, &fx, at(), |_| vec![app(&long, "id-long")]);
    ch(&mut state, 'd');
    let screen = draw(&state, 100, 20);
    assert!(screen.contains("y/Enter"), "{screen}");
    assert!(screen.contains("n/Esc"), "{screen}");
}

/// A Losant tenant with one application and its certificates pane focused.
fn losant_certificates() -> State {
    let losant = TenantInfo::new("los", "Losant", portico::platform::losant::capabilities());
    let mut state = State::new(vec![losant], Keymap::defaults());
    let fx = start(&mut state);
    let fx = answer_at(&mut state, &fx, at(), |_| {
        vec![Resource::new(Kind::Application, "app1", "Fleet")]
    });
    answer_at(&mut state, &fx, at(), |_| Vec::new());
    press(&mut state, KeyCode::Tab, KeyModifiers::NONE);
    state
}

#[test]
fn a_tall_form_scrolls_to_its_focus_and_keeps_errors_and_keys_in_view() {
    let mut state = losant_certificates();
    ch(&mut state, 'n');
    if matches!(state.modal(), Some(Modal::Choose(_))) {
        press(&mut state, KeyCode::Enter, KeyModifiers::NONE);
    }
    assert!(
        matches!(state.modal(), Some(Modal::Form(_))),
        "a form opens"
    );
    let screen = draw(&state, 80, 12);
    assert!(screen.contains("Enter submit"), "{screen}");
    for _ in 0..4 {
        press(&mut state, KeyCode::Down, KeyModifiers::NONE);
    }
    let screen = draw(&state, 80, 12);
    assert!(
        screen.contains("Subscribe topics"),
        "the focused field shows: {screen}"
    );
    assert!(screen.contains("Enter submit"), "{screen}");

    // A pasted PEM the server refuses: the error shows inside the box.
    press(&mut state, KeyCode::Up, KeyModifiers::NONE);
    for _ in 0..3 {
        press(&mut state, KeyCode::Up, KeyModifiers::NONE);
    }
    update(
        &mut state,
        Message::Paste("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into()),
    );
    let fx = press(&mut state, KeyCode::Enter, KeyModifiers::NONE);
    let request = fx
        .iter()
        .find_map(|e| match e {
            portico::app::Effect::Perform { request, .. } => Some(*request),
            _ => None,
        })
        .expect("the form is sent");
    let reason = format!(
        "broken PEM block: {}",
        "the base64 body does not decode ".repeat(6)
    );
    update(
        &mut state,
        Message::Performed {
            tenant: 0,
            request,
            result: Box::new(Err(reason)),
            saved: None,
        },
    );
    let screen = draw(&state, 80, 14);
    assert!(screen.contains("✗ broken PEM block"), "{screen}");
    assert!(screen.contains("Enter submit"), "{screen}");
    let rows: Vec<&str> = screen.lines().collect();
    let box_bottom = rows.iter().rposition(|l| l.contains('╯')).expect("box");
    let error_row = rows
        .iter()
        .position(|l| l.contains("✗ broken"))
        .expect("error");
    assert!(
        error_row < box_bottom,
        "the error is inside the box: {screen}"
    );
}

#[test]
fn the_two_phase_rotation_box_shows_its_prompt_and_keys_on_a_small_screen() {
    let mut state = losant_certificates();
    let checks = (0..6)
        .map(|i| portico::platform::Check {
            label: format!("check {i}: the new key signs a request and the old one still works"),
            passed: true,
        })
        .collect();
    update(
        &mut state,
        Message::Performed {
            tenant: 0,
            request: 77,
            result: Box::new(Ok(Outcome {
                summary: format!("new access key for \"{}\"", "edge ".repeat(40)),
                secret: Some(IssuedSecret {
                    label: "access key secret".into(),
                    public_id: Some("key-2".into()),
                    secret: Secret::new("k2-secret"),
                }),
                checks,
                follow_up: Some(portico::platform::FollowUp {
                    prompt: "Stored it? Enter deactivates the old key".into(),
                    op: portico::platform::Operation::Delete {
                        target: portico::platform::Target {
                            kind: Kind::AccessKey,
                            id: "key-1".into(),
                            name: "old".into(),
                            parent: None,
                        },
                    },
                    abort_note: "both keys stay active".into(),
                }),
                ..Outcome::default()
            })),
            saved: None,
        },
    );
    let screen = draw(&state, 90, 16);
    assert!(screen.contains("Enter deactivates the old key"), "{screen}");
    assert!(screen.contains("v reveal"), "{screen}");
    assert!(screen.contains("c/y copy"), "{screen}");
    assert!(screen.contains("Esc/q stop here"), "{screen}");
}

#[test]
fn a_failed_list_offers_its_error_in_the_hint_bar_and_the_view_shows_its_own_keys() {
    let mut state = rebound("[text]\nclose = [\"x\"]\n");
    assert!(!bottom_line(&draw(&state, 140, 30)).contains("! error"));
    let fx = ch(&mut state, 'r');
    let Some(portico::app::Effect::List {
        tenant,
        key,
        request,
    }) = fx.first().cloned()
    else {
        panic!("refresh lists: {fx:?}");
    };
    update(
        &mut state,
        Message::Listed {
            tenant,
            key,
            request,
            at: at(),
            result: Err(portico::platform::PlatformError::Network(
                "Connection refused".into(),
            )),
        },
    );
    let screen = draw(&state, 140, 30);
    assert!(bottom_line(&screen).contains("! error"), "{screen}");
    ch(&mut state, '!');
    let screen = draw(&state, 140, 30);
    assert!(screen.contains("Connection refused"), "{screen}");
    // The view's key line and the hint bar name the rebound close key.
    assert!(screen.contains("x close"), "{screen}");
    assert!(!screen.contains("Esc/q close"), "{screen}");
    press(&mut state, KeyCode::Esc, KeyModifiers::NONE);
    assert!(
        matches!(state.modal(), Some(Modal::Text(_))),
        "Esc is unbound"
    );
    ch(&mut state, 'x');
    assert!(state.modal().is_none(), "x closes it");
}

#[test]
fn a_view_pane_drops_columns_when_narrow_and_no_color_keeps_the_hint_bar() {
    use portico::platform::Source;
    use ratatui::style::{Color, Modifier};
    let tenants = vec![TenantInfo::new(
        "kit",
        "Kitsu",
        portico::platform::kitsu::capabilities(),
    )];
    let mut state = State::new(tenants, Keymap::defaults()).with_no_color(true);
    let fx = start(&mut state);
    answer_at(&mut state, &fx, at(), |_| Vec::new());
    ch(&mut state, ':');
    for c in "persons".chars() {
        ch(&mut state, c);
    }
    let fx = press(&mut state, KeyCode::Enter, KeyModifiers::NONE);
    answer_at(&mut state, &fx, at(), |key| match key.source {
        Source::View(_) => {
            let mut r = Resource::new(Kind::Person, "p1", "Alexandra Montgomery-Smythe");
            r.cells = vec![
                "alexandra.montgomery@studio.example".into(),
                "supervisor".into(),
                "no".into(),
                "yes".into(),
            ];
            vec![r]
        }
        Source::Pane(_) => Vec::new(),
    });
    let wide = draw(&state, 200, 30);
    assert!(wide.contains("EMAIL") && wide.contains("ACTIVE"), "{wide}");
    let mut terminal = Terminal::new(TestBackend::new(90, 20)).expect("terminal");
    terminal
        .draw(|f| portico::ui::render(f, &state, at()))
        .expect("draw");
    let screen = terminal.backend().to_string();
    assert!(screen.contains("Alexandra Mont"), "{screen}");
    // The rightmost extra column goes first; the name stays readable.
    assert!(!screen.contains("ACTIVE"), "{screen}");
    assert!(bottom_line(&screen).contains("close view"), "{screen}");
    let buffer = terminal.backend().buffer();
    let cells = || buffer.content().iter();
    assert!(cells().all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
    assert!(cells().any(|c| c.modifier.contains(Modifier::REVERSED)));
}

/// Every platform's main screen, with the pane titles and columns its
/// capabilities give, over rows made from those columns.
#[test]
fn each_platform_titles_its_own_panes() {
    use portico::config::PlatformKind;
    use portico::model::Pane;
    use portico::platform::{PaneBody, Source};
    for kind in PlatformKind::all() {
        let caps = kind.capabilities();
        let tenant = TenantInfo::new(kind.as_str(), kind.label(), caps.clone());
        let mut state = State::new(vec![tenant], Keymap::defaults());
        let mut fx = start(&mut state);
        // Parents first: a scoped pane lists once its parent has a row.
        for _ in 0..3 {
            fx = answer_at(&mut state, &fx, at(), |key| {
                let Source::Pane(pane) = key.source else {
                    return Vec::new();
                };
                let spec = caps.pane(pane);
                let PaneBody::List { columns, .. } = spec.body() else {
                    return Vec::new();
                };
                let row_kind = spec.creates().first().copied().unwrap_or(Kind::Application);
                (1..=2)
                    .map(|n| {
                        let title = spec.title();
                        let mut r = Resource::new(
                            row_kind,
                            format!("{pane:?}-{n}"),
                            format!("{title} {n}"),
                        );
                        r.cells = columns.iter().map(|c| format!("{c} {n}")).collect();
                        r
                    })
                    .collect()
            });
        }
        let screen = draw(&state, 120, 24);
        for pane in Pane::ALL {
            let title = caps.pane(pane).title();
            assert!(screen.contains(title), "{kind}: no {title:?} on screen");
        }
        insta::assert_snapshot!(format!("main_screen_{kind}"), screen);
    }
}

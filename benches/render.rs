//! Frame and filter costs as lists grow. Run: cargo bench --bench render

#[path = "../tests/support/app.rs"]
mod support;

use std::time::SystemTime;

use portico::app::{Message, State, TenantInfo, start, update};
use portico::keymap::Keymap;
use portico::model::{Kind, Resource};
use portico::platform::project44;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() {
    divan::main();
}

fn loaded(rows: usize) -> State {
    let tenant = TenantInfo::new("bench", "project44", project44::capabilities());
    let mut state = State::new(vec![tenant], Keymap::defaults());
    let fx = start(&mut state);
    support::answer_at(&mut state, &fx, SystemTime::now(), |_| {
        (0..rows)
            .map(|i| {
                let mut r = Resource::new(
                    Kind::ClientApp,
                    format!("id{i:07}"),
                    format!("Integration {i}"),
                );
                r.cells = vec![format!("id{i:07}")];
                r
            })
            .collect()
    });
    state
}

#[divan::bench(args = [100, 10_000, 100_000])]
fn frame_200x50(bencher: divan::Bencher, rows: usize) {
    let state = loaded(rows);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let now = SystemTime::now();
    bencher.bench_local(|| {
        terminal
            .draw(|f| portico::ui::render(f, &state, now))
            .expect("draw");
    });
}

#[divan::bench(args = [1_000, 10_000, 100_000])]
fn fuzzy_filter_keystroke(bencher: divan::Bencher, rows: usize) {
    let mut state = loaded(rows);
    update(
        &mut state,
        Message::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('/'),
        )),
    );
    let mut flip = false;
    bencher.bench_local(|| {
        // Alternate two keystrokes so each one recomputes the rows.
        let code = if flip {
            crossterm::event::KeyCode::Backspace
        } else {
            crossterm::event::KeyCode::Char('7')
        };
        flip = !flip;
        update(
            &mut state,
            Message::Key(crossterm::event::KeyEvent::from(code)),
        )
    });
}

//! Frame and filter costs as lists grow. Run: cargo bench --bench render
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

#[path = "../tests/support/app.rs"]
mod support;

use std::time::SystemTime;

use portico::app::Sort;
use portico::app::{Effect, Message, State, TenantInfo, start, update};
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
    support::answer_at(&mut state, &fx, SystemTime::now(), |_| names(rows));
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

fn key(code: crossterm::event::KeyCode) -> Message {
    Message::Key(crossterm::event::KeyEvent::from(code))
}

/// Does what the runtime would with a large pane's match jobs (on its
/// blocking thread) and feeds their answers back, as it would.
fn settle(state: &mut State, fx: Vec<Effect>) {
    for effect in fx {
        if let Effect::Match(job) = effect {
            let more = update(state, job.run());
            settle(state, more);
        }
    }
}

fn typed(rows: usize, text: &str) -> State {
    let mut state = loaded(rows);
    update(&mut state, key(crossterm::event::KeyCode::Char('/')));
    for c in text.chars() {
        let fx = update(&mut state, key(crossterm::event::KeyCode::Char(c)));
        settle(&mut state, fx);
    }
    state
}

/// What a filter keystroke costs the UI task, 100k-row pane: `update`
/// and the frame it draws (query shown, the last rows kept). Matching
/// is left to the runtime's blocking thread.
#[divan::bench(args = [100_000], sample_count = 30, sample_size = 1)]
fn filter_key_to_frame(bencher: divan::Bencher, rows: usize) {
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let now = SystemTime::now();
    bencher
        .with_inputs(|| typed(rows, "int"))
        .bench_local_refs(|state| {
            let fx = update(state, key(crossterm::event::KeyCode::Char('e')));
            terminal
                .draw(|f| portico::ui::render(f, state, now))
                .expect("draw");
            fx
        });
}

/// The frame the match answer brings, 100k-row pane: `update` taking
/// the matched rows, then drawing them.
#[divan::bench(args = [100_000], sample_count = 30, sample_size = 1)]
fn filter_answer_to_frame(bencher: divan::Bencher, rows: usize) {
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let now = SystemTime::now();
    bencher
        .with_inputs(|| {
            let mut state = typed(rows, "");
            let fx = update(&mut state, key(crossterm::event::KeyCode::Char('i')));
            let answers: Vec<Message> = fx
                .into_iter()
                .filter_map(|e| match e {
                    Effect::Match(job) => Some(job.run()),
                    _ => None,
                })
                .collect();
            (state, answers)
        })
        .bench_local_refs(|(state, answers)| {
            for answer in answers.drain(..) {
                update(state, answer);
            }
            terminal
                .draw(|f| portico::ui::render(f, state, now))
                .expect("draw");
        });
}

/// A key press (Down) through `update` and a full frame, 100k-row pane.
#[divan::bench(args = [100_000])]
fn key_to_frame(bencher: divan::Bencher, rows: usize) {
    let mut state = loaded(rows);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let now = SystemTime::now();
    let mut down = true;
    bencher.bench_local(|| {
        // Down then Up, so the cursor stays near the top and every press moves it.
        let code = if down {
            crossterm::event::KeyCode::Down
        } else {
            crossterm::event::KeyCode::Up
        };
        down = !down;
        update(&mut state, key(code));
        terminal
            .draw(|f| portico::ui::render(f, &state, now))
            .expect("draw");
    });
}

/// The first filter keystroke, all its work (the UI task's and the
/// match off it, run here in line): every name is scored.
#[divan::bench(args = [100_000], sample_count = 30, sample_size = 1)]
fn filter_first_key(bencher: divan::Bencher, rows: usize) {
    bencher
        .with_inputs(|| typed(rows, ""))
        .bench_local_refs(|state| {
            let fx = update(state, key(crossterm::event::KeyCode::Char('i')));
            settle(state, fx);
        });
}

/// A keystroke that grows the query ("int" -> "inte"), all its work:
/// only the last matches are scored again.
#[divan::bench(args = [100_000], sample_count = 30, sample_size = 1)]
fn filter_grown_key(bencher: divan::Bencher, rows: usize) {
    bencher
        .with_inputs(|| typed(rows, "int"))
        .bench_local_refs(|state| {
            let fx = update(state, key(crossterm::event::KeyCode::Char('e')));
            settle(state, fx);
        });
}

/// A keystroke that grows words found inside every name ("teg" ->
/// "tegr"), all its work: no name begins with them, so every row the
/// last query kept is scored again.
#[divan::bench(args = [100_000], sample_count = 30, sample_size = 1)]
fn filter_grown_key_inside(bencher: divan::Bencher, rows: usize) {
    bencher
        .with_inputs(|| typed(rows, "teg"))
        .bench_local_refs(|state| {
            let fx = update(state, key(crossterm::event::KeyCode::Char('r')));
            settle(state, fx);
        });
}

/// Typing then erasing, all the work: the erase rescans all rows.
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
        let fx = update(
            &mut state,
            Message::Key(crossterm::event::KeyEvent::from(code)),
        );
        settle(&mut state, fx);
    });
}

fn names(rows: usize) -> Vec<Resource> {
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
}

/// The match alone, the first keystroke's: every name scored, ranked
/// and sorted, with no `update` around it.
#[divan::bench(args = [100_000], sample_count = 30)]
fn match_first_key(bencher: divan::Bencher, rows: usize) {
    let items = names(rows);
    bencher.bench_local(|| portico::app::visible_among(&items, None, "i", Sort::Listed, None));
}

/// The match alone for a grown query ("int" -> "inte"), over the rows
/// "int" kept.
#[divan::bench(args = [100_000], sample_count = 30)]
fn match_grown_key(bencher: divan::Bencher, rows: usize) {
    let items = names(rows);
    let kept = portico::app::visible_among(&items, None, "int", Sort::Listed, None).rows;
    bencher.bench_local(|| {
        portico::app::visible_among(&items, Some(&kept), "inte", Sort::Listed, None)
    });
}

/// The match alone for words found inside every name ("teg" -> "tegr").
#[divan::bench(args = [100_000], sample_count = 30)]
fn match_grown_key_inside(bencher: divan::Bencher, rows: usize) {
    let items = names(rows);
    let kept = portico::app::visible_among(&items, None, "teg", Sort::Listed, None).rows;
    bencher.bench_local(|| {
        portico::app::visible_among(&items, Some(&kept), "tegr", Sort::Listed, None)
    });
}

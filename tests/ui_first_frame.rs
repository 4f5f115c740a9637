//! The opening frame skips ratatui's diff (the screen is blank), so it is
//! held to what `Terminal::draw` writes: the same bytes, and afterwards
//! ratatui knows the frame, so drawing it again writes no cell.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::time::SystemTime;

use portico::app::State;
use portico::config::Config;
use portico::keymap::Keymap;
use portico::platform::registry;
use portico::runtime::tty::Tty;
use portico::runtime::{first_frame, tenant_info};
use portico::ui::{Theme, render_with};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

const BEGIN: &[u8] = b"\x1b[?2026h";
const END: &[u8] = b"\x1b[?2026l";

fn opening(config: &str, no_color: bool) -> State {
    let cfg = Config::parse(config, "<test>").expect("config");
    let infos = cfg.tenants().iter().map(tenant_info).collect();
    State::new(infos, Keymap::defaults())
        .with_no_color(no_color)
        .with_demo("Demo on a built-in simulator.".to_string())
}

/// What a terminal was sent, readable while the terminal holds the writer.
#[derive(Clone, Default)]
struct Sent(Rc<RefCell<Vec<u8>>>);

impl Write for Sent {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Sent {
    fn bytes(&self) -> Vec<u8> {
        self.0.borrow().clone()
    }
}

fn terminal(width: u16, height: u16) -> (Terminal<Tty<Sent>>, Sent) {
    let sent = Sent::default();
    let terminal = Terminal::with_options(
        Tty::new(sent.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        },
    )
    .expect("terminal");
    (terminal, sent)
}

fn configs() -> Vec<String> {
    let wide = "[[tenants]]\nname = \"東京 ❤\u{fe0f} 👍 ﾞ\"\nplatform = \"project44\"\n\
                base_url = \"http://127.0.0.1:1\"\n[tenants.auth]\nusername = \"a\"\npassword = \"b\"\n";
    vec![
        registry::demo_config("http://127.0.0.1:1"),
        wide.to_string(),
    ]
}

#[test]
fn the_opening_frame_is_what_draw_writes() {
    let theme = Theme::default();
    for config in configs() {
        for (width, height) in [(160, 45), (80, 24), (200, 50), (40, 10)] {
            for no_color in [false, true] {
                let state = opening(&config, no_color);
                let (mut fast, fast_sent) = terminal(width, height);
                first_frame(&mut fast, &state, &theme).expect("first frame");
                let (mut drawn, drawn_sent) = terminal(width, height);
                drawn
                    .draw(|f| render_with(f, &state, &theme, SystemTime::now()))
                    .expect("draw");
                let expected = [BEGIN, &drawn_sent.bytes(), END].concat();
                let got = fast_sent.bytes();
                assert!(got.len() > 100, "{width}x{height}: a frame was written");
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&expected),
                    "{width}x{height} no_color={no_color}"
                );
                // ratatui measures the next frame against the opening one.
                let before = got.len();
                fast.draw(|f| render_with(f, &state, &theme, SystemTime::now()))
                    .expect("second draw");
                let again = &fast_sent.bytes()[before..];
                assert!(
                    !again.windows(3).any(|w| w == "─".as_bytes()),
                    "{width}x{height}: the same frame drawn again wrote cells: {:?}",
                    String::from_utf8_lossy(again)
                );
            }
        }
    }
}

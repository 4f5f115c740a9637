//! Overlays: help, full detail, tenant picker, forms, confirms, the
//! issued-secret view and long text. Every dialog sizes itself from its wrapped content,
//! scrolls what does not fit, and keeps its key line and errors in view;
//! every key it names comes from the live keymap.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use super::detail;
use super::fit::{cells, input_window, wrap};
use super::text::inert;
use super::theme::{self, Theme};
use crate::app::{
    Choose, Confirm, Form, Intent, LineInput, Modal, Offer, Picker, SecretView, State,
};
use crate::keymap::{Action, Keymap, Layer};
use crate::platform::Input;

pub fn render(frame: &mut Frame, state: &State, now: SystemTime) {
    match state.modal() {
        None | Some(Modal::Filter(_) | Modal::Command(_)) => {}
        Some(Modal::Help(scroll)) => help(frame, state, *scroll),
        Some(Modal::Detail(scroll)) => full_detail(frame, state, now, *scroll),
        Some(Modal::Picker(p)) => picker(frame, state, p),
        Some(Modal::Choose(c)) => choose(frame, state, c),
        Some(Modal::Form(f)) => form(frame, state, f),
        Some(Modal::Confirm(c)) => confirm(frame, state, c),
        Some(Modal::Secret(s)) => secret(frame, state, s),
        Some(Modal::Text(view)) => super::textview::render(frame, state.keymap(), view),
        Some(Modal::BulkConfirm(c)) => super::progress::confirm(frame, state, c),
        Some(Modal::Progress(scroll)) => super::progress::render(frame, state, *scroll, now),
        Some(Modal::Raw(doc)) => super::rawdoc::render(frame, state.keymap(), doc),
    }
}

fn popup(area: Rect, width_pct: u16, height_pct: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Percentage(height_pct)])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Percentage(width_pct)])
        .flex(Flex::Center)
        .areas(row);
    cell
}

fn sized(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

fn frame_block(title: String, color: Color) -> Block<'static> {
    Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(color))
        .title(Span::styled(
            title,
            Style::new().add_modifier(Modifier::BOLD),
        ))
}

fn dim() -> Style {
    th().dimmed
}

fn th() -> Theme {
    theme::current()
}

/// `key label · key label`, each key from the keymap.
pub(super) fn key_line(map: &Keymap, layer: Layer, items: &[(Action, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (action, label)) in items.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", dim()));
        }
        spans.push(Span::styled(map.hints(layer, *action, 2), th().hint_key));
        spans.push(Span::styled(format!(" {label}"), th().hint_text));
    }
    Line::from(spans)
}

/// A bordered dialog built row by row: a body that scrolls to keep its
/// focus in view and a footer (errors, keys) that is always drawn.
pub(super) struct Dialog {
    title: String,
    color: Color,
    width: u16,
    body: Vec<Line<'static>>,
    footer: Vec<Line<'static>>,
    focus: Option<usize>,
    cursor: Option<(usize, u16)>,
}

impl Dialog {
    pub(super) fn new(title: String, color: Color, width: u16, area: Rect) -> Self {
        Self {
            title,
            color,
            width: width.min(area.width).max(4),
            body: Vec::new(),
            footer: Vec::new(),
            focus: None,
            cursor: None,
        }
    }

    fn inner_width(&self) -> usize {
        usize::from(self.width.saturating_sub(2))
    }

    #[allow(
        clippy::needless_pass_by_value,
        reason = "callers build each line in place"
    )]
    pub(super) fn line(&mut self, line: Line<'_>) {
        let rows = wrap(&line, self.inner_width());
        self.body.extend(rows);
    }

    #[allow(
        clippy::needless_pass_by_value,
        reason = "callers build each line in place"
    )]
    pub(super) fn foot(&mut self, line: Line<'_>) {
        let rows = wrap(&line, self.inner_width());
        self.footer.extend(rows);
    }

    /// Keeps the next body row in view.
    pub(super) const fn mark(&mut self) {
        self.focus = Some(self.body.len());
    }

    /// One row holding an input, scrolled so its cursor shows; with
    /// `cursor`, the terminal's cursor is placed there.
    pub(super) fn input(&mut self, prefix: Span<'static>, input: &LineInput, cursor: bool) {
        let room = self.inner_width().saturating_sub(prefix.width());
        let (shown, col) = input_window(input, room);
        if cursor {
            self.cursor = Some((self.body.len(), cells(prefix.width() + col)));
        }
        self.focus = Some(self.body.len());
        self.body.push(Line::from(vec![prefix, Span::raw(shown)]));
    }

    pub(super) fn draw(self, frame: &mut Frame) {
        let area = frame.area();
        let wanted = self.body.len() + self.footer.len() + 2;
        let rect = sized(area, self.width, cells(wanted));
        frame.render_widget(Clear, rect);
        let block = frame_block(self.title, self.color);
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let footer_rows = cells(self.footer.len()).min(inner.height);
        let [body_area, footer_area] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(footer_rows)]).areas(inner);
        let visible = usize::from(body_area.height);
        let keep = self.cursor.map(|(row, _)| row).or(self.focus);
        let scroll = match keep {
            Some(row) if visible > 0 && row >= visible => row + 1 - visible,
            _ => 0,
        };
        if let Some((row, col)) = self.cursor
            && row >= scroll
            && row < scroll + visible
        {
            frame.set_cursor_position(Position::new(
                body_area.x + col.min(body_area.width.saturating_sub(1)),
                body_area.y + cells(row - scroll),
            ));
        }
        frame.render_widget(
            Paragraph::new(self.body).scroll((cells(scroll), 0)),
            body_area,
        );
        frame.render_widget(Paragraph::new(self.footer), footer_area);
    }
}

fn help(frame: &mut Frame, state: &State, scroll: u16) {
    let area = popup(frame.area(), 80, 90);
    frame.render_widget(Clear, area);
    let map = state.keymap();
    let mut lines = Vec::new();
    for (layer, rows) in map.help() {
        if rows.is_empty() {
            continue;
        }
        lines.push(Line::styled(
            layer.title(),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        ));
        for (keys, text) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<22}"), th().hint_key),
                Span::raw(text),
            ]));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::styled(
        "Keys are rebindable in keymap.toml next to your config file; `portico keymap` prints the live keymap.",
        dim(),
    ));
    let block = frame_block(" Help ".into(), Theme::colour(th().dialog));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), body);
    let keys = key_line(
        map,
        Layer::Help,
        &[
            (Action::Down, "scroll"),
            (Action::PageDown, "page"),
            (Action::Close, "close"),
        ],
    );
    frame.render_widget(Paragraph::new(keys), foot);
}

fn full_detail(frame: &mut Frame, state: &State, now: SystemTime, scroll: u16) {
    let area = popup(frame.area(), 90, 90);
    frame.render_widget(Clear, area);
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    detail::render(frame, body, state, now, Some(scroll));
    let keys = key_line(
        state.keymap(),
        Layer::Detail,
        &[
            (Action::Down, "scroll"),
            (Action::CopyId, "copy id"),
            (Action::Close, "close"),
        ],
    );
    frame.render_widget(Paragraph::new(keys), foot);
}

fn picker(frame: &mut Frame, state: &State, p: &Picker) {
    let mut d = Dialog::new(
        " Switch tenant ".into(),
        Theme::colour(th().dialog),
        50,
        frame.area(),
    );
    d.input(Span::styled("> ", th().hint_key), &p.input, true);
    for (row, index) in p.matches.iter().enumerate() {
        let Some(t) = state.tenants().get(*index) else {
            continue;
        };
        let style = if row == p.selected {
            d.mark();
            th().selected
        } else {
            Style::new()
        };
        d.line(Line::from(vec![
            Span::styled(
                format!(" {} ", index + 1),
                th().tenant.fg(th().tenant_colour(t.color())),
            ),
            Span::styled(format!("{:<24}", inert(t.name())), style),
            Span::styled(format!(" {}", t.platform()), dim()),
        ]));
    }
    d.foot(key_line(
        state.keymap(),
        Layer::Picker,
        &[
            (Action::Pick, "switch"),
            (Action::Down, "next"),
            (Action::Cancel, "cancel"),
        ],
    ));
    d.draw(frame);
}

fn choose(frame: &mut Frame, state: &State, c: &Choose) {
    let mut d = Dialog::new(
        " Create which? ".into(),
        Theme::colour(th().dialog),
        40,
        frame.area(),
    );
    for (i, kind) in c.kinds.iter().enumerate() {
        let style = if i == c.selected {
            d.mark();
            th().selected
        } else {
            Style::new()
        };
        d.line(Line::styled(format!(" {} ", kind.label()), style));
    }
    d.foot(key_line(
        state.keymap(),
        Layer::Choose,
        &[(Action::Pick, "choose"), (Action::Cancel, "cancel")],
    ));
    d.draw(frame);
}

fn form(frame: &mut Frame, state: &State, f: &Form) {
    let map = state.keymap();
    let title = format!(" {} ", inert(&f.title));
    let mut d = Dialog::new(title, Theme::colour(th().dialog), 72, frame.area());
    if let Intent::SecondFactor { prompt, .. } = &f.intent {
        d.line(Line::raw(inert(prompt)));
    }
    for (i, field) in f.fields.iter().enumerate() {
        let focused = i == f.focus;
        let label = format!(
            "{}{}",
            field.spec.label,
            if field.spec.required { " *" } else { "" }
        );
        let hint = match field.spec.input {
            Input::Path | Input::Pem => {
                format!(" · {} completes", map.hint(Layer::Form, Action::Complete))
            }
            Input::Date => " (YYYY-MM-DD)".into(),
            Input::List => " (comma-separated)".into(),
            Input::Choice(options) => format!(
                "  {}/{} picks: {}",
                map.hint(Layer::Choice, Action::ChoicePrev),
                map.hint(Layer::Choice, Action::ChoiceNext),
                options.join(" | ")
            ),
            Input::Row(_) => {
                format!(" · {} completes", map.hint(Layer::Form, Action::Complete))
            }
            Input::Offered => match &field.offer {
                Offer::Ready(options) if !options.is_empty() => format!(
                    "  {}/{} picks one of {}",
                    map.hint(Layer::Choice, Action::ChoicePrev),
                    map.hint(Layer::Choice, Action::ChoiceNext),
                    options.len()
                ),
                Offer::Ready(_) => " (none offered: type it)".into(),
                Offer::Failed(err) => format!(" (choices unreadable: {}; type it)", inert(err)),
                Offer::Unasked | Offer::Reading => " (reading the choices…)".into(),
            },
            Input::Text => String::new(),
        };
        let color = if focused { th().hint_key } else { th().field };
        if focused {
            d.mark();
        }
        d.line(Line::styled(format!("{label}{hint}"), color));
        match &field.pasted {
            Some(text) => d.line(Line::raw(format!(
                " (pasted text, {} lines; {} clears)",
                text.lines().count(),
                map.hint(Layer::Edit, Action::DeleteBack)
            ))),
            None => d.input(Span::raw(" "), &field.input, focused),
        }
        if let Some(why) = &field.rejected {
            d.line(Line::styled(format!("   ✗ {}", inert(why)), th().error));
        }
        if focused {
            for c in field.completions.iter().take(8) {
                d.line(Line::styled(format!("   {}", inert(c)), dim()));
            }
            if let Offer::Ready(options) = &field.offer {
                offered(&mut d, options, field.input.text());
            }
        }
    }
    if f.pending.is_some() {
        d.foot(Line::styled("working…", th().warning));
    } else if let Some(err) = &f.error {
        d.foot(Line::styled(format!("✗ {}", inert(err)), th().error));
    }
    d.foot(key_line(
        map,
        Layer::Form,
        &[
            (Action::Submit, "submit"),
            (Action::NextField, "next field"),
            (Action::PrevField, "previous"),
            (Action::Cancel, "cancel"),
        ],
    ));
    d.draw(frame);
}

fn confirm(frame: &mut Frame, state: &State, c: &Confirm) {
    let map = state.keymap();
    let title = format!(" {} ", inert(&c.title));
    let mut d = Dialog::new(title, Theme::colour(th().error), 70, frame.area());
    for line in &c.lines {
        d.line(Line::raw(inert(line).into_owned()));
    }
    d.line(Line::from(""));
    if let Some(err) = &c.error {
        d.foot(Line::styled(format!("✗ {}", inert(err)), th().error));
    }
    match &c.typed {
        Some((expected, input)) => {
            d.line(Line::styled(
                format!(
                    "{}: type \"{}\" and press {}",
                    if c.typed_is_id {
                        "It has no name, so type its id"
                    } else {
                        "To confirm"
                    },
                    inert(expected),
                    map.hint(Layer::Typed, Action::Confirm)
                ),
                th().protected,
            ));
            d.input(Span::raw(" "), input, true);
            d.foot(key_line(
                map,
                Layer::Typed,
                &[(Action::Confirm, "go ahead"), (Action::Cancel, "cancel")],
            ));
        }
        None => d.foot(Line::from(vec![
            Span::styled(
                format!(" {} ", map.hints(Layer::Confirm, Action::Confirm, 2)),
                th().button_danger,
            ),
            Span::raw(" go ahead   "),
            Span::styled(
                format!(" {} ", map.hints(Layer::Confirm, Action::Cancel, 2)),
                th().button,
            ),
            Span::raw(" cancel"),
        ])),
    }
    d.draw(frame);
}

fn secret(frame: &mut Frame, state: &State, s: &SecretView) {
    let map = state.keymap();
    let title = if s.rereadable {
        " Secret "
    } else {
        " New secret "
    };
    let mut d = Dialog::new(title.into(), Theme::colour(th().warning), 84, frame.area());
    d.line(Line::raw(inert(&s.summary).into_owned()));
    d.line(Line::from(""));
    if let Some(id) = &s.issued.public_id {
        d.line(Line::from(vec![
            Span::styled("id:     ", th().hint_key),
            Span::raw(inert(id).into_owned()),
        ]));
    }
    let shown = if s.revealed {
        inert(s.issued.secret.expose()).into_owned()
    } else {
        s.issued.secret.masked()
    };
    d.line(Line::from(vec![
        Span::styled("secret: ", th().hint_key),
        Span::styled(shown, th().secret),
    ]));
    d.line(Line::from(""));
    let note = if s.rereadable {
        format!(
            "The platform shows this {} again on request; Portico keeps no copy.",
            inert(&s.issued.label)
        )
    } else {
        format!(
            "This {} is shown only now. Copy it somewhere safe.",
            inert(&s.issued.label)
        )
    };
    d.line(Line::styled(
        note,
        Style::new().add_modifier(Modifier::BOLD),
    ));
    match &s.saved {
        Some(Ok(path)) => d.line(Line::styled(
            format!(
                "A copy is saved (owner-only) at {}",
                inert(&path.display().to_string())
            ),
            dim(),
        )),
        Some(Err(err)) => d.line(Line::styled(
            format!("Could not save a copy: {}", inert(err)),
            th().error,
        )),
        None => {}
    }
    for check in &s.checks {
        let (mark, color) = if check.passed {
            ("✓", Theme::colour(th().success))
        } else {
            ("✗", Theme::colour(th().error))
        };
        d.line(Line::styled(
            format!("{mark} {}", inert(&check.label)),
            Style::new().fg(color),
        ));
    }
    if let Some(follow) = &s.follow_up {
        d.foot(Line::styled(
            inert(&follow.prompt).into_owned(),
            th().warning,
        ));
    }
    let (stored, close) = if s.follow_up.is_some() {
        ("stored, continue", "stop here")
    } else {
        ("done", "close")
    };
    d.foot(key_line(
        map,
        Layer::Secret,
        &[
            (Action::Reveal, if s.revealed { "mask" } else { "reveal" }),
            (Action::CopySecret, "copy"),
            (Action::Stored, stored),
            (Action::Close, close),
        ],
    ));
    d.draw(frame);
}

/// An offered field's choices, a window of them around the one chosen.
fn offered(d: &mut Dialog, options: &[String], chosen: &str) {
    const SHOWN: usize = 6;
    let at = options.iter().position(|o| o == chosen).unwrap_or(0);
    let start = at
        .saturating_sub(SHOWN / 2)
        .min(options.len().saturating_sub(SHOWN));
    for (i, option) in options.iter().enumerate().skip(start).take(SHOWN) {
        let (mark, style) = if i == at && option == chosen {
            ("▸", th().hint_key)
        } else {
            (" ", dim())
        };
        d.line(Line::styled(format!("  {mark} {}", inert(option)), style));
    }
    if options.len() > SHOWN {
        d.line(Line::styled(
            format!("    ({} in all)", options.len()),
            dim(),
        ));
    }
}

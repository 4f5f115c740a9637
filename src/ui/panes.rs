//! The three panes: a table of the visible rows only, or, where the
//! platform has no such thing, a dimmed box that says why.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::text::{expiry_style, expiry_text, inert, spinner};
use super::theme::{self, Theme};
use crate::app::{Sort, State, TenantInfo, highlights, short_id};
use crate::model::{Lifecycle, Pane, Resource};

pub fn render(frame: &mut Frame, area: Rect, state: &State, pane: Pane, now: SystemTime) {
    let t = theme::current();
    let focused = state.focus() == pane;
    let border = if focused {
        focused_border(&t, state)
    } else {
        t.border
    };
    let mut title = vec![Span::styled(
        format!(" {} ", title_of(state, pane)),
        if focused {
            border.add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        },
    )];
    if let Some(reason) = state.unsupported_reason(pane) {
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(t.border)
            .title(Line::from(title).style(t.dimmed));
        let text = Paragraph::new(vec![
            Line::from(""),
            Line::styled(format!("not on {}", platform(state)), t.dimmed),
            Line::from(""),
            Line::styled(reason, t.dimmed.add_modifier(Modifier::ITALIC)),
        ])
        .wrap(Wrap { trim: true })
        .block(block);
        frame.render_widget(text, area);
        return;
    }
    let listing = state.listing(pane);
    let cursor = state.cursor(pane);
    let total = listing.map_or(0, |l| l.items().len());
    let shown = cursor.map_or(0, |c| c.visible().len());
    title.push(Span::raw(if shown == total {
        format!("{total} ")
    } else {
        format!("{shown}/{total} ")
    }));
    if let Some(l) = listing.filter(|l| l.is_loading()) {
        let progress = match l.progress() {
            Some((done, Some(all))) => format!(" {done}/{all}"),
            Some((done, None)) => format!(" {done}"),
            None => String::new(),
        };
        title.push(Span::styled(
            format!("{}{progress} ", spinner(state.spinner())),
            t.busy,
        ));
    }
    if let Some(c) = cursor {
        // The user typed it, yet it is echoed inert like everything else.
        if let Some(query) = c.search() {
            title.push(Span::styled(
                format!("/{} (server) ", inert(query)),
                t.filter,
            ));
        }
        if !c.filter().is_empty() {
            title.push(Span::styled(format!("/{} ", inert(c.filter())), t.filter));
        }
        if c.is_matching() {
            title.push(Span::styled("filtering… ", t.busy));
        }
        if c.sort() != Sort::Listed {
            title.push(Span::styled(format!("↕{} ", c.sort().label()), t.sort));
        }
    }
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(Line::from(title));
    let (problem_area, inner) = split_body(state, pane, area);
    frame.render_widget(block, area);
    // A filter term that was not understood says so above the rows.
    if let (Some(line), Some(problem)) = (problem_area, cursor.and_then(|c| c.problem())) {
        frame.render_widget(
            Paragraph::new(format!("✗ {problem}"))
                .style(t.error)
                .wrap(Wrap { trim: true }),
            line,
        );
    }

    let Some((columns, scope)) = state.layout(pane) else {
        return;
    };
    let (Some(listing), Some(cursor)) = (listing, cursor) else {
        let hint = match scope {
            Some(parent) if state.selected(parent).is_none() => {
                format!("select one in {}", state.title(parent))
            }
            _ => "loading…".to_string(),
        };
        frame.render_widget(Paragraph::new(hint).style(t.dimmed), inner);
        return;
    };
    if let Some(err) = listing.error()
        && listing.items().is_empty()
    {
        let mut lines = vec![Line::styled(
            format!("✗ {}", inert(&err.to_string())),
            t.error,
        )];
        if let Some(remedy) = state.remedy(err) {
            lines.push(Line::from(""));
            lines.push(Line::styled(remedy, t.warning));
        }
        let text = Paragraph::new(lines).wrap(Wrap { trim: true });
        frame.render_widget(text, inner);
        return;
    }
    if cursor.visible().is_empty() {
        let text = if listing.is_loading() && listing.loaded_at().is_none() {
            "loading…"
        } else if total == 0 {
            "(empty)"
        } else {
            "(no match)"
        };
        frame.render_widget(Paragraph::new(text).style(t.dimmed), inner);
        return;
    }
    // Only the rows that fit are built: cost stays flat however long the list.
    let height = inner.height.saturating_sub(1) as usize;
    let selected = cursor.selected();
    let offset = first_row(selected, height);
    let texts: Vec<(&Resource, Vec<String>)> = cursor
        .visible()
        .iter()
        .skip(offset)
        .take(height)
        .filter_map(|index| listing.items().get(*index))
        .map(|res| {
            let mut cells = texts(res, &columns, now);
            // Same-named rows (a key and its rotated successor) get the
            // tail of their id, so they can be told apart.
            if cursor.is_twin(&res.name) {
                cells[0] = format!("{} …{}", cells[0], inert(short_id(&res.id)));
            }
            (res, cells)
        })
        .collect();
    // Extra columns take what their widest visible cell needs, within
    // 60% of the pane; the name gets the rest.
    let wanted: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            texts
                .iter()
                .map(|(_, cells)| cells[i + 1].chars().count())
                .chain(std::iter::once(column.len()))
                .max()
                .unwrap_or(0)
                .min(28)
        })
        .collect();
    let budget = (inner.width as usize * 60 / 100).saturating_sub(columns.len());
    let mut wanted = wanted;
    // Over budget, the widest column gives way first, so short ones
    // (kind, status) stay readable.
    while wanted.iter().sum::<usize>() > budget {
        match wanted.iter_mut().max() {
            Some(widest) if *widest > 4 => *widest -= 1,
            _ => break,
        }
    }
    let keep = columns_to_keep(&columns, &wanted, usize::from(inner.width));
    // A mark column only while the pane holds marks, so an unmarked
    // pane looks as it always did.
    let marking = state.marked_in(pane) > 0;
    let widths: Vec<Constraint> = marking
        .then_some(Constraint::Length(1))
        .into_iter()
        .chain(std::iter::once(Constraint::Fill(1)))
        .chain(
            keep.iter()
                .map(|i| Constraint::Length(u16::try_from(wanted[*i]).unwrap_or(u16::MAX))),
        )
        .collect();
    let rows = texts.into_iter().enumerate().map(|(i, (res, cells))| {
        let lit = highlights(res, cursor.filter());
        let mut cells = cells.into_iter();
        let name = cells.next().unwrap_or_default();
        let extra: Vec<String> = cells.collect();
        let shown = std::iter::once(name)
            .chain(
                keep.iter()
                    .map(|c| extra.get(*c).cloned().unwrap_or_default()),
            )
            .collect();
        let mark = marking.then(|| state.is_marked(pane, res));
        row(res, shown, &lit, offset + i == selected, focused, now, mark)
    });
    let mut header: Vec<Cell> = marking.then(|| Cell::from("●")).into_iter().collect();
    header.push(Cell::from("NAME"));
    header.extend(keep.iter().map(|i| Cell::from(columns[*i].to_uppercase())));
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.header))
        .column_spacing(1);
    frame.render_widget(table, inner);
}

/// The index, among the visible rows, of the first one drawn: the list
/// scrolls just enough to keep the selection on screen.
pub(super) const fn first_row(selected: usize, height: usize) -> usize {
    if height == 0 {
        selected
    } else {
        (selected + 1).saturating_sub(height)
    }
}

/// A pane's inside: the line for a filter problem, if any, and the rest,
/// where the header and rows go.
pub(super) fn split_body(state: &State, pane: Pane, area: Rect) -> (Option<Rect>, Rect) {
    let inner = Block::new().borders(Borders::ALL).inner(area);
    let Some(problem) = state.cursor(pane).and_then(|c| c.problem()) else {
        return (None, inner);
    };
    if inner.height <= 1 {
        return (None, inner);
    }
    let text = format!("✗ {problem}");
    // Wrapped, never cut: the valid fields are the point of it.
    let width = usize::from(inner.width.max(1));
    let lines = text.chars().count().div_ceil(width) + 1;
    let lines = u16::try_from(lines)
        .unwrap_or(u16::MAX)
        .min(inner.height - 1);
    let [line, rest] =
        Layout::vertical([Constraint::Length(lines), Constraint::Fill(1)]).areas(inner);
    (Some(line), rest)
}

/// Fewer name characters than this and a row cannot be recognised.
const MIN_NAME: usize = 14;

/// The extra columns that fit beside a readable name. When they do not
/// all fit, the rightmost go first (platforms list their columns most
/// useful first), except the expiry, which carries the urgency and goes
/// last.
fn columns_to_keep(columns: &[&str], wanted: &[usize], width: usize) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..columns.len()).collect();
    let room = |keep: &[usize]| width.saturating_sub(keep.iter().map(|i| wanted[*i] + 1).sum());
    while room(&keep) < MIN_NAME && !keep.is_empty() {
        let drop = keep
            .iter()
            .rposition(|i| columns[*i] != EXPIRES)
            .unwrap_or(keep.len() - 1);
        keep.remove(drop);
    }
    keep
}

/// A column titled "Expires" is drawn from [`Resource::expires`], coloured.
pub const EXPIRES: &str = "Expires";

/// The name and the pane's extra columns of one row, made inert.
fn texts(res: &Resource, columns: &[&str], now: SystemTime) -> Vec<String> {
    let mut cells = vec![inert(&res.name).into_owned()];
    cells.extend(columns.iter().enumerate().map(|(i, column)| {
        if *column == EXPIRES {
            res.expires.map(|e| expiry_text(e, now)).unwrap_or_default()
        } else {
            inert(res.cells.get(i).map_or("", String::as_str)).into_owned()
        }
    }));
    cells
}

/// The name cell with the characters the filter matched picked out.
/// A name shown with escapes has shifted positions, so it stays plain.
fn name_cell(res: &Resource, shown: String, lit: &[usize]) -> Cell<'static> {
    if lit.is_empty() || !shown.starts_with(&res.name) {
        return Cell::from(shown);
    }
    // Modifiers only: the row's colour (expiry urgency, dimmed when
    // disabled) must show through the highlight.
    let mark = Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let spans: Vec<Span<'static>> = shown
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if lit.binary_search(&i).is_ok() {
                Span::styled(c.to_string(), mark)
            } else {
                Span::raw(c.to_string())
            }
        })
        .collect();
    Cell::from(Line::from(spans))
}

fn row(
    res: &Resource,
    cells: Vec<String>,
    lit: &[usize],
    selected: bool,
    focused: bool,
    now: SystemTime,
    mark: Option<bool>,
) -> Row<'static> {
    let t = theme::current();
    let inactive = res.state == Lifecycle::Inactive;
    // A disabled credential cannot be used, so its expiry is no alarm:
    // only live rows are coloured yellow or red.
    let style = match res.expires {
        _ if inactive => t.inactive,
        Some(exp) => expiry_style(exp, now),
        None => Style::new(),
    };
    let mut cells = cells.into_iter();
    let name = name_cell(res, cells.next().unwrap_or_default(), lit);
    let glyph = mark.map(|on| {
        if on {
            Cell::from("●").style(t.marked.add_modifier(Modifier::BOLD))
        } else {
            Cell::from(" ")
        }
    });
    let cells: Vec<Cell> = glyph
        .into_iter()
        .chain(std::iter::once(name))
        .chain(cells.map(Cell::from))
        .collect();
    let marker = if selected && focused {
        t.selected
    } else if selected {
        t.selected_unfocused
    } else {
        Style::new()
    };
    Row::new(cells).style(style.patch(marker))
}

fn platform(state: &State) -> String {
    state
        .tenant()
        .map(|t| t.platform().to_string())
        .unwrap_or_default()
}

fn title_of(state: &State, pane: Pane) -> String {
    match state.view() {
        Some(view) if pane == Pane::View => match view.scope.and_then(|p| state.selected(p)) {
            Some(parent) => format!("{} · {}", view.title, inert(&parent.name)),
            None => view.title.to_string(),
        },
        _ => state.title(pane).to_string(),
    }
}

/// The focused pane's border: the theme's, in the tenant's own colour
/// when it has one.
pub(super) fn focused_border(t: &Theme, state: &State) -> Style {
    match state.tenant().and_then(TenantInfo::color) {
        Some(colour) => t.focused_border.fg(colour),
        None => t.focused_border,
    }
}

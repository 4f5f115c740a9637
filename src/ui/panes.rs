//! The three panes: a table of the visible rows only, or, where the
//! platform has no such thing, a dimmed box that says why.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::text::{expiry_style, expiry_text, inert, spinner};
use crate::app::{Sort, State};
use crate::model::{Lifecycle, Pane, Resource};

pub fn render(frame: &mut Frame, area: Rect, state: &State, pane: Pane, now: SystemTime) {
    let focused = state.focus() == pane;
    let border = if focused {
        Style::new().fg(state
            .tenant()
            .and_then(|t| t.color())
            .unwrap_or(Color::Cyan))
    } else {
        Style::new().fg(Color::DarkGray)
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
            .border_style(Style::new().fg(Color::DarkGray))
            .title(Line::from(title).style(Style::new().add_modifier(Modifier::DIM)));
        let text = Paragraph::new(vec![
            Line::from(""),
            Line::styled(
                format!("not on {}", platform(state)),
                Style::new().add_modifier(Modifier::DIM),
            ),
            Line::from(""),
            Line::styled(
                reason,
                Style::new().add_modifier(Modifier::DIM | Modifier::ITALIC),
            ),
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
            Style::new().fg(Color::Yellow),
        ));
    }
    if let Some(c) = cursor {
        if !c.filter().is_empty() {
            title.push(Span::styled(
                format!("/{} ", inert(c.filter())),
                Style::new().fg(Color::Magenta),
            ));
        }
        if c.sort() != Sort::Listed {
            title.push(Span::styled(
                format!("↕{} ", c.sort().label()),
                Style::new().fg(Color::Blue),
            ));
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
    let inner = block.inner(area);
    frame.render_widget(block, area);

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
        frame.render_widget(
            Paragraph::new(hint).style(Style::new().add_modifier(Modifier::DIM)),
            inner,
        );
        return;
    };
    if let Some(err) = listing.error()
        && listing.items().is_empty()
    {
        let mut lines = vec![Line::styled(
            format!("✗ {}", inert(&err.to_string())),
            Style::new().fg(Color::Red),
        )];
        if let Some(remedy) = state.remedy(err) {
            lines.push(Line::from(""));
            lines.push(Line::styled(remedy, Style::new().fg(Color::Yellow)));
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
        frame.render_widget(
            Paragraph::new(text).style(Style::new().add_modifier(Modifier::DIM)),
            inner,
        );
        return;
    }
    // Only the rows that fit are built: cost stays flat however long the list.
    let height = inner.height.saturating_sub(1) as usize;
    let selected = cursor.selected();
    let offset = if height == 0 {
        selected
    } else {
        (selected + 1).saturating_sub(height)
    };
    let texts: Vec<(&Resource, Vec<String>)> = cursor
        .visible()
        .iter()
        .skip(offset)
        .take(height)
        .filter_map(|index| listing.items().get(*index))
        .map(|res| (res, texts(res, &columns, now)))
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
    let widths: Vec<Constraint> = std::iter::once(Constraint::Fill(1))
        .chain(wanted.iter().map(|w| Constraint::Length(*w as u16)))
        .collect();
    let rows = texts
        .into_iter()
        .enumerate()
        .map(|(i, (res, cells))| row(res, cells, offset + i == selected, focused, now));
    let mut header = vec![Cell::from("NAME")];
    header.extend(columns.iter().map(|c| Cell::from(c.to_uppercase())));
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(Style::new().add_modifier(Modifier::BOLD | Modifier::DIM)))
        .column_spacing(1);
    frame.render_widget(table, inner);
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

fn row(
    res: &Resource,
    cells: Vec<String>,
    selected: bool,
    focused: bool,
    now: SystemTime,
) -> Row<'static> {
    let inactive = res.state == Lifecycle::Inactive;
    // A disabled credential cannot be used, so its expiry is no alarm:
    // only live rows are coloured yellow or red.
    let style = match res.expires {
        _ if inactive => Style::new().add_modifier(Modifier::DIM),
        Some(exp) => expiry_style(exp, now),
        None => Style::new(),
    };
    let cells: Vec<Cell> = cells.into_iter().map(Cell::from).collect();
    let marker = if selected && focused {
        Style::new().add_modifier(Modifier::REVERSED)
    } else if selected {
        Style::new().add_modifier(Modifier::UNDERLINED)
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

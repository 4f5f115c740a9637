//! The `:find` / `:expiring` pane: a status line for each tenant that has
//! not answered cleanly, then the rows that fit, with a tenant column.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Cell, Paragraph, Row, Table};
use time::OffsetDateTime;

use super::fit::cells;
use super::text::{expiry_style, inert, spinner};
use super::theme;
use crate::app::{Hit, Radar, Reach, Search, State, TenantInfo};
use crate::model::Pane;

pub fn render(frame: &mut Frame, area: Rect, state: &State, radar: &Radar, now: SystemTime) {
    let t = theme::current();
    let focused = state.focus() == Pane::View;
    let border = if focused {
        super::panes::focused_border(&t, state)
    } else {
        t.border
    };
    let tenants = state.tenants();
    let mut title = vec![
        Span::styled(
            format!(" {} ", inert(&radar.title())),
            if focused {
                border.add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            },
        ),
        Span::raw(format!(
            "{} · {}/{} tenants ",
            radar.hits().len(),
            radar.answered(),
            tenants.len()
        )),
    ];
    if radar.is_searching() {
        title.push(Span::styled(
            format!("{} ", spinner(state.spinner())),
            t.busy,
        ));
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

    // Each tenant still out, or that failed, says so on a line of its own.
    let notes: Vec<Line> = radar
        .reach()
        .iter()
        .enumerate()
        .filter_map(|(i, reach)| {
            let name = tenants.get(i).map_or("?", TenantInfo::name);
            let (text, style) = match reach {
                Reach::Answered(_) => return None,
                Reach::Searching => (format!("… {name}: searching"), t.busy),
                Reach::Down(err) => (format!("✗ {name}: down: {err}"), t.error),
                Reach::Slow(after) => (
                    format!("⌛ {name}: slow: no answer within {}s", after.as_secs()),
                    t.error,
                ),
            };
            Some(Line::styled(inert(&text).into_owned(), style))
        })
        .collect();
    let room = inner.height.saturating_sub(2);
    let note_rows = cells(notes.len()).min(room);
    let [top, body] =
        Layout::vertical([Constraint::Length(note_rows), Constraint::Fill(1)]).areas(inner);
    frame.render_widget(Paragraph::new(notes), top);

    if radar.hits().is_empty() {
        let text = if radar.is_searching() {
            "searching every tenant…"
        } else {
            "(nothing found)"
        };
        frame.render_widget(Paragraph::new(text).style(t.dimmed), body);
        return;
    }
    let expiring = matches!(radar.search(), Search::Expiring(_));
    let height = usize::from(body.height.saturating_sub(1));
    let selected = radar.selected();
    let offset = (selected + 1).saturating_sub(height.max(1));
    let today = OffsetDateTime::from(now);
    let rows = radar
        .hits()
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, hit)| {
            let row = row_of(hit, tenants, expiring, today, now);
            if i == selected {
                let style = if focused {
                    t.selected
                } else {
                    t.selected_unfocused
                };
                row.style(style)
            } else {
                row
            }
        });
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if expiring {
        (
            vec!["TENANT", "PLATFORM", "KIND", "NAME", "EXPIRES", "DAYS"],
            vec![
                Constraint::Max(14),
                Constraint::Max(10),
                Constraint::Length(6),
                Constraint::Fill(1),
                Constraint::Length(10),
                Constraint::Length(9),
            ],
        )
    } else {
        (
            vec!["TENANT", "KIND", "NAME", "ID"],
            vec![
                Constraint::Max(14),
                Constraint::Length(11),
                Constraint::Fill(2),
                Constraint::Fill(1),
            ],
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header.into_iter().map(Cell::from)).style(t.header))
        .column_spacing(1);
    frame.render_widget(table, body);
}

fn row_of(
    hit: &Hit,
    tenants: &[TenantInfo],
    expiring: bool,
    today: OffsetDateTime,
    now: SystemTime,
) -> Row<'static> {
    let res = &hit.found().resource;
    let tenant = tenants.get(hit.tenant()).map_or("?", TenantInfo::name);
    let name = inert(&res.name).into_owned();
    if !expiring {
        return Row::new(vec![
            Cell::from(inert(tenant).into_owned()),
            Cell::from(res.kind.short()),
            Cell::from(name),
            Cell::from(inert(&res.id).into_owned()),
        ]);
    }
    let platform = tenants.get(hit.tenant()).map_or("?", TenantInfo::platform);
    let (date, days, style) = match res.expires {
        Some(at) => {
            let left = (at - today).whole_days();
            let days = if left >= 0 {
                format!("{left}d left")
            } else {
                format!("{}d ago", -left)
            };
            (
                format!(
                    "{:04}-{:02}-{:02}",
                    at.year(),
                    u8::from(at.month()),
                    at.day()
                ),
                days,
                expiry_style(at, now),
            )
        }
        None => (String::new(), String::new(), Style::new()),
    };
    Row::new(vec![
        Cell::from(inert(tenant).into_owned()),
        Cell::from(inert(platform).into_owned()),
        Cell::from(res.kind.short()),
        Cell::from(name),
        Cell::from(Span::styled(date, style)),
        Cell::from(Span::styled(days, style)),
    ])
}

//! Table, CSV, JSON and YAML writers. Server text in a table or CSV goes
//! through the same inert-text function the console draws with.
use std::fmt::Write as _;

use std::io::Write;

use serde_json::Value;

use super::args::Format;
use crate::ui::text::inert;

/// A column: its header and the record key it shows.
pub type Column = (&'static str, &'static str);

pub struct Sink {
    format: Format,
    columns: Vec<Column>,
    rows: Vec<Value>,
    /// Rows are printed as they arrive (find, expiring), so a table uses
    /// fixed widths instead of measuring every row first.
    streaming: bool,
    header_done: bool,
}

const STREAM_WIDTH: usize = 24;

impl Sink {
    pub const fn new(format: Format, columns: Vec<Column>, streaming: bool) -> Self {
        Self {
            format,
            columns,
            rows: Vec::new(),
            streaming,
            header_done: false,
        }
    }

    pub fn row(&mut self, out: &mut dyn Write, row: Value) -> std::io::Result<()> {
        match (self.format, self.streaming) {
            (Format::Csv, _) => {
                self.header(out)?;
                let cells: Vec<String> = self.cells(&row).iter().map(|c| csv_cell(c)).collect();
                writeln!(out, "{}", cells.join(","))?;
                out.flush()
            }
            (Format::Table, true) => {
                self.header(out)?;
                let cells = self.cells(&row);
                writeln!(out, "{}", fixed(&cells))?;
                out.flush()
            }
            _ => {
                self.rows.push(row);
                Ok(())
            }
        }
    }

    fn header(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        if self.header_done {
            return Ok(());
        }
        self.header_done = true;
        let names: Vec<String> = self.columns.iter().map(|(h, _)| h.to_string()).collect();
        match self.format {
            Format::Csv => writeln!(out, "{}", names.join(",")),
            _ => writeln!(out, "{}", fixed(&names)),
        }
    }

    fn cells(&self, row: &Value) -> Vec<String> {
        self.columns
            .iter()
            .map(|(_, key)| inert(&cell(row.get(*key))).into_owned())
            .collect()
    }

    pub fn finish(mut self, out: &mut dyn Write) -> std::io::Result<()> {
        match self.format {
            Format::Json => {
                let text = serde_json::to_string_pretty(&Value::Array(self.rows))
                    .unwrap_or_else(|_| "[]".into());
                writeln!(out, "{text}")
            }
            Format::Yaml => {
                let mut text = String::new();
                yaml(&Value::Array(self.rows), 0, &mut text);
                write!(out, "{text}")
            }
            Format::Csv => self.header(out),
            Format::Table if self.streaming => self.header(out),
            Format::Table => {
                let header: Vec<String> = self.columns.iter().map(|(h, _)| h.to_string()).collect();
                let body: Vec<Vec<String>> = self.rows.iter().map(|r| self.cells(r)).collect();
                let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
                for row in &body {
                    for (w, c) in widths.iter_mut().zip(row) {
                        *w = (*w).max(c.chars().count());
                    }
                }
                for row in std::iter::once(&header).chain(&body) {
                    let line: Vec<String> = row
                        .iter()
                        .zip(&widths)
                        .map(|(c, w)| format!("{c:<w$}"))
                        .collect();
                    writeln!(out, "{}", line.join("  ").trim_end())?;
                }
                Ok(())
            }
        }
    }
}

fn fixed(cells: &[String]) -> String {
    let padded: Vec<String> = cells
        .iter()
        .map(|c| {
            let short: String = c.chars().take(STREAM_WIDTH).collect();
            format!("{short:<STREAM_WIDTH$}")
        })
        .collect();
    padded.join("  ").trim_end().to_string()
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A small YAML emitter for the record shapes above: maps, lists and
/// scalars; strings are double-quoted (JSON escapes are valid YAML).
fn yaml(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Array(items) if items.is_empty() => {
            let _ = writeln!(out, "{pad}[]");
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        let mut inner = String::new();
                        yaml(item, indent + 2, &mut inner);
                        // The first key shares the dash's line.
                        let trimmed = inner.trim_start_matches(' ');
                        let _ = write!(out, "{pad}- {trimmed}");
                    }
                    Value::Array(_) | Value::Object(_) => {
                        let _ = writeln!(out, "{pad}-");
                        yaml(item, indent + 2, out);
                    }
                    scalar => {
                        let _ = writeln!(out, "{pad}- {}", yaml_scalar(scalar));
                    }
                }
            }
        }
        Value::Object(map) if map.is_empty() => {
            let _ = writeln!(out, "{pad}{{}}");
        }
        Value::Object(map) => {
            for (key, item) in map {
                let key = yaml_scalar(&Value::String(key.clone()));
                match item {
                    Value::Object(m) if !m.is_empty() => {
                        let _ = writeln!(out, "{pad}{key}:");
                        yaml(item, indent + 2, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        let _ = writeln!(out, "{pad}{key}:");
                        yaml(item, indent + 2, out);
                    }
                    Value::Object(_) => {
                        let _ = writeln!(out, "{pad}{key}: {{}}");
                    }
                    Value::Array(_) => {
                        let _ = writeln!(out, "{pad}{key}: []");
                    }
                    scalar => {
                        let _ = writeln!(out, "{pad}{key}: {}", yaml_scalar(scalar));
                    }
                }
            }
        }
        scalar => {
            let _ = writeln!(out, "{pad}{}", yaml_scalar(scalar));
        }
    }
}

fn yaml_scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        other => other.to_string(),
    }
}

/// Writes one document (an object) as JSON or YAML.
pub fn document(format: Format, value: &Value, out: &mut dyn Write) -> std::io::Result<()> {
    if format == Format::Yaml {
        let mut text = String::new();
        yaml(value, 0, &mut text);
        write!(out, "{text}")
    } else {
        let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
        writeln!(out, "{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_nests_maps_in_lists_and_quotes_strings() {
        let mut text = String::new();
        yaml(
            &json!([{"id": "a:1", "details": {"k": "v\n"}, "empty": {}, "n": null}]),
            0,
            &mut text,
        );
        assert_eq!(
            text,
            "- \"details\":\n    \"k\": \"v\\n\"\n  \"empty\": {}\n  \"id\": \"a:1\"\n  \"n\": null\n"
        );
    }

    #[test]
    fn csv_quotes_what_needs_it_and_tables_stay_inert() {
        let mut sink = Sink::new(Format::Csv, vec![("NAME", "name")], false);
        let mut out = Vec::new();
        sink.row(&mut out, json!({"name": "a,\"b\"\u{1b}[2J"}))
            .expect("write");
        sink.finish(&mut out).expect("write");
        assert_eq!(
            String::from_utf8_lossy(&out),
            "NAME\n\"a,\"\"b\"\"^[[2J\"\n"
        );
    }
}

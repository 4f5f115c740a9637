//! An append-only record of every change Portico makes: who, where,
//! what, and whether it worked. Never values, never secrets.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::platform::Operation;

#[derive(Debug, Clone)]
pub struct Audit {
    path: PathBuf,
}

impl Audit {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Audit { path: path.into() }
    }

    /// One line per operation. Blocking: call it from a blocking task.
    pub fn record(
        &self,
        tenant: &str,
        op: &Operation,
        result: &Result<(), String>,
    ) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        writeln!(file, "{}", line(tenant, op, result))
    }
}

fn line(tenant: &str, op: &Operation, result: &Result<(), String>) -> String {
    let when = OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default();
    let (kind, id, name) = match op {
        Operation::Create { kind, parent, .. } => (
            kind.label(),
            parent.clone().unwrap_or_default(),
            String::new(),
        ),
        other => match other.target() {
            Some(t) => (t.kind.label(), t.id.clone(), t.name.clone()),
            None => ("", String::new(), String::new()),
        },
    };
    let outcome = match result {
        Ok(()) => "ok".to_string(),
        Err(err) => format!("failed: {err}"),
    };
    // Debug-quoting keeps hostile names on one line and escape-free.
    format!(
        "{when} tenant={tenant:?} op={} kind={kind:?} id={id:?} name={name:?} result={outcome:?}",
        op.verb()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::platform::Target;

    #[test]
    fn lines_carry_no_values_and_stay_on_one_line() {
        let op = Operation::Update {
            target: Target {
                kind: Kind::ClientApp,
                id: "id1".into(),
                name: "evil\nname\x1b[2J".into(),
                parent: None,
            },
            values: vec![("name".into(), "new-value-s3cret".into())],
        };
        let text = line("p44-na", &op, &Ok(()));
        assert!(!text.contains('\n'));
        assert!(!text.contains('\x1b'));
        assert!(!text.contains("new-value-s3cret"));
        assert!(text.contains("op=update"));
    }
}

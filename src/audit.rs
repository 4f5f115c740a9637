//! An append-only record of every change Portico makes, one JSON object a
//! line (`audit.jsonl`, owner-only): who, where, what, and whether it
//! worked. Never values, never secrets. A failed write is returned to the
//! caller, which shows it to the user.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::platform::{Operation, value};
use crate::secrets::perms;

#[derive(Debug, Clone)]
pub struct Audit {
    path: PathBuf,
}

/// One change, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub tenant: String,
    pub platform: String,
    pub action: String,
    pub kind: String,
    /// The resource acted on; for a create, the new resource's own id.
    pub resource_id: String,
    pub resource_name: String,
    pub outcome: Outcome,
    /// Why it failed, or a note such as where the new secret was filed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Failed,
}

impl Entry {
    /// The entry for `op` on `tenant`. `created` is the id a create made.
    pub fn for_op(tenant: &str, platform: &str, op: &Operation, created: Option<&str>) -> Self {
        let (kind, id, name) = match op {
            Operation::Create { kind, values, .. } => (
                kind.label(),
                created.unwrap_or_default().to_string(),
                value(values, "name").unwrap_or_default().to_string(),
            ),
            other => match other.target() {
                Some(t) => (t.kind.label(), t.id.clone(), t.name.clone()),
                None => ("", String::new(), String::new()),
            },
        };
        Self {
            tenant: tenant.to_string(),
            platform: platform.to_string(),
            action: op.verb().to_string(),
            kind: kind.to_string(),
            resource_id: id,
            resource_name: name,
            outcome: Outcome::Ok,
            detail: None,
        }
    }

    /// Names what a create made when its form had no name to give.
    #[must_use]
    pub fn named(mut self, name: &str) -> Self {
        if self.resource_name.is_empty() {
            self.resource_name = name.to_string();
        }
        self
    }

    pub fn failed(mut self, why: impl Into<String>) -> Self {
        self.outcome = Outcome::Failed;
        self.detail = Some(why.into());
        self
    }

    pub fn noting(mut self, note: impl Into<String>) -> Self {
        self.detail = Some(note.into());
        self
    }
}

#[derive(Serialize)]
struct Line<'a> {
    time: String,
    #[serde(flatten)]
    entry: &'a Entry,
}

impl Audit {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Refuses a log that group or others can read or write.
    pub fn check(&self) -> Result<(), perms::Exposed> {
        perms::private_file(&self.path)
    }

    /// Appends one line and syncs it. Blocking: call it from a blocking task.
    pub fn record(&self, entry: &Entry) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        perms::private_file(&self.path).map_err(std::io::Error::other)?;
        let line = Line {
            time: OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default(),
            entry,
        };
        // serde_json escapes control characters, so a hostile name stays on
        // one line and cannot drive a terminal that shows the log.
        let mut text = serde_json::to_string(&line).map_err(std::io::Error::other)?;
        text.push('\n');
        let mut file = open_append(&self.path)?;
        file.write_all(text.as_bytes())?;
        file.sync_data()
    }
}

#[cfg(unix)]
fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    OpenOptions::new().create(true).append(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::platform::Target;

    #[test]
    fn lines_are_json_carry_no_values_and_stay_on_one_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let audit = Audit::new(dir.path().join("audit.jsonl"));
        let op = Operation::Update {
            target: Target {
                kind: Kind::ClientApp,
                id: "id1".into(),
                name: "evil\nname\x1b[2J".into(),
                parent: None,
            },
            values: vec![("name".into(), "new-value-s3cret".into())],
        };
        audit
            .record(&Entry::for_op("p44-na", "project44", &op, None))
            .expect("written");
        let create = Operation::Create {
            kind: Kind::ClientApp,
            parent: None,
            values: vec![("name".into(), "Robot".into())],
        };
        audit
            .record(&Entry::for_op("p44-na", "project44", &create, Some("new-id")).failed("boom"))
            .expect("written");
        let text = std::fs::read_to_string(audit.path()).expect("read");
        assert!(!text.contains('\x1b'));
        assert!(!text.contains("new-value-s3cret"));
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["action"], "update");
        assert_eq!(lines[0]["resource_name"], "evil\nname\x1b[2J");
        assert_eq!(lines[0]["outcome"], "ok");
        assert_eq!(lines[1]["resource_id"], "new-id");
        assert_eq!(lines[1]["resource_name"], "Robot");
        assert_eq!(lines[1]["outcome"], "failed");
        assert_eq!(lines[1]["detail"], "boom");
        for key in ["time", "tenant", "platform", "kind"] {
            assert!(lines[1][key].is_string(), "{key}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(audit.path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(audit.path(), std::fs::Permissions::from_mode(0o644))
                .expect("chmod");
            let err = audit
                .record(&Entry::for_op("t", "p", &op, None))
                .expect_err("a readable log is refused");
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
    }
}

//! A bulk rotation: every item goes through the same path a single
//! rotation takes (the read-only rail, the adapter, the keeper that stores
//! a new secret the moment it is decoded, the audit log, the delivery),
//! a few at a time per tenant. A new-secret call is never retried, and a
//! failure stops only its own item. Once quitting starts, no item that
//! has not yet sent its request is started.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};

use super::settle::Settle;
use super::{Adapter, Failure, Stores, perform_on};
use crate::app::{BulkOutcome, BulkTarget, ExportFormat, Message};
use crate::config::Tenant;
use crate::model::Secret;
use crate::platform::{Operation, Outcome};

/// Rotations in flight at once on one tenant. Low on purpose: the
/// platforms' own limits (a Mashery key's QPS, which its adapter paces)
/// hold per tenant, and a throttled new-secret call cannot be retried.
pub const PER_TENANT: usize = 4;

/// One new secret of a run, kept for an export in memory only.
struct Issued {
    tenant: String,
    platform: &'static str,
    kind: &'static str,
    id: String,
    name: String,
    label: String,
    secret: Secret,
}

/// The new secrets of each bulk run, by run.
#[derive(Clone, Default)]
pub(super) struct Exports(Arc<Mutex<HashMap<u64, Vec<Issued>>>>);

/// What a bulk run needs from the runtime.
pub(super) struct Bulk<'a> {
    pub tenants: &'a [(Tenant, Adapter)],
    pub stores: &'a Stores,
    pub settle: &'a Settle,
    pub stopping: &'a Arc<AtomicBool>,
    pub exports: &'a Exports,
    pub tx: &'a mpsc::UnboundedSender<Message>,
}

impl Bulk<'_> {
    /// Starts every item; results come back as `BulkItem` messages.
    pub(super) fn start(&self, run: u64, items: Vec<BulkTarget>) {
        let mut gates: HashMap<usize, Arc<Semaphore>> = HashMap::new();
        for (index, item) in items.into_iter().enumerate() {
            let tx = self.tx.clone();
            let Some((config, adapter)) = self.tenants.get(item.tenant).cloned() else {
                let _ = tx.send(Message::BulkItem {
                    run,
                    index,
                    outcome: BulkOutcome {
                        error: Some("no such tenant".into()),
                        ..BulkOutcome::default()
                    },
                });
                continue;
            };
            let gate = gates
                .entry(item.tenant)
                .or_insert_with(|| Arc::new(Semaphore::new(PER_TENANT)))
                .clone();
            let stores = self.stores.clone();
            let hold = self.settle.hold();
            let stopping = self.stopping.clone();
            let exports = self.exports.clone();
            tokio::spawn(async move {
                let permit = gate.acquire_owned().await;
                // Held before the flag is read: a quit that sees no hold
                // also keeps this item from sending anything.
                hold.acquire();
                let outcome = if stopping.load(Ordering::SeqCst) || permit.is_err() {
                    hold.release();
                    BulkOutcome {
                        error: Some("not started: Portico was quitting".into()),
                        ..BulkOutcome::default()
                    }
                } else {
                    let op = Operation::Rotate {
                        target: item.target.clone(),
                        previous: None,
                    };
                    let (result, saved) =
                        perform_on(&config, &adapter, &[op], &stores, &hold).await;
                    hold.release();
                    if let Ok(Outcome {
                        secret: Some(issued),
                        ..
                    }) = &result
                    {
                        exports.keep(
                            run,
                            Issued {
                                tenant: config.name().to_string(),
                                platform: config.platform().as_str(),
                                kind: item.target.kind.label(),
                                id: item.target.id.clone(),
                                name: item.target.name.clone(),
                                label: issued.label.clone(),
                                secret: issued.secret.clone(),
                            },
                        );
                    }
                    outcome_of(result, saved)
                };
                let _ = tx.send(Message::BulkItem {
                    run,
                    index,
                    outcome,
                });
            });
        }
    }
}

fn outcome_of(result: Result<Outcome, Failure>, saved: super::Saved) -> BulkOutcome {
    match result {
        Ok(outcome) => BulkOutcome {
            issued: outcome.secret.as_ref().map(|s| s.label.clone()),
            saved,
            checks: outcome.checks,
            old_live: outcome.follow_up.map(|f| f.abort_note),
            error: None,
        },
        Err(failure) => BulkOutcome {
            error: Some(failure.to_string()),
            saved,
            ..BulkOutcome::default()
        },
    }
}

impl Exports {
    fn keep(&self, run: u64, issued: Issued) {
        if let Ok(mut all) = self.0.lock() {
            all.entry(run).or_default().push(issued);
        }
    }

    /// Writes run `run`'s new secrets to a new owner-only file under
    /// `dir`, and returns its path. Blocking.
    pub(super) fn write(
        &self,
        run: u64,
        format: ExportFormat,
        dir: &Path,
    ) -> Result<PathBuf, String> {
        let text = {
            let all = self.0.lock().map_err(|_| "the export list is unreadable")?;
            let items = all
                .get(&run)
                .filter(|i| !i.is_empty())
                .ok_or("no new secret to export")?;
            match format {
                ExportFormat::Json => json(items)?,
                ExportFormat::Env => env(items),
            }
        };
        let ext = match format {
            ExportFormat::Json => "json",
            ExportFormat::Env => "env",
        };
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let path = dir.join(format!("rotation-{run}-{stamp}.{ext}"));
        write_private(dir, &path, text.as_bytes()).map_err(|e| e.to_string())?;
        Ok(path)
    }
}

#[derive(Serialize)]
struct Row<'a> {
    tenant: &'a str,
    platform: &'a str,
    kind: &'a str,
    id: &'a str,
    name: &'a str,
    label: &'a str,
    secret: &'a str,
}

fn json(items: &[Issued]) -> Result<zeroize::Zeroizing<String>, String> {
    let rows: Vec<Row<'_>> = items
        .iter()
        .map(|i| Row {
            tenant: &i.tenant,
            platform: i.platform,
            kind: i.kind,
            id: &i.id,
            name: &i.name,
            label: &i.label,
            secret: i.secret.expose(),
        })
        .collect();
    // Serialising cannot fail for plain strings; the message says nothing
    // of the values either way.
    let mut text = serde_json::to_string_pretty(&rows).map_err(|_| "cannot write the JSON")?;
    text.push('\n');
    Ok(zeroize::Zeroizing::new(text))
}

/// `NAME=value` lines, one per secret; names are the tenant, the
/// resource's name and its label in capitals, with a number where two
/// would be the same.
fn env(items: &[Issued]) -> zeroize::Zeroizing<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = zeroize::Zeroizing::new(String::new());
    for i in items {
        let base = env_name(&format!("{}_{}_{}", i.tenant, i.name, i.label));
        let n = seen.entry(base.clone()).or_default();
        *n += 1;
        let name = if *n == 1 { base } else { format!("{base}_{n}") };
        out.push_str(&name);
        out.push_str("=\"");
        for c in i.secret.expose().chars() {
            match c {
                '"' | '\\' | '$' | '`' => {
                    out.push('\\');
                    out.push(c);
                }
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push_str("\"\n");
    }
    out
}

fn env_name(text: &str) -> String {
    let mut name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    let name = name.trim_matches('_').to_string();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name
    }
}

/// A new file that only its owner can read, in a directory only its owner
/// can enter; an existing file is never overwritten.
fn write_private(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        file.write_all(bytes)?;
        file.sync_all()
    }
    #[cfg(not(unix))]
    {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        file.write_all(bytes)?;
        file.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued(name: &str, secret: &str) -> Issued {
        Issued {
            tenant: "p44-na".into(),
            platform: "project44",
            kind: "client application",
            id: format!("id-{name}"),
            name: name.into(),
            label: "client secret".into(),
            secret: Secret::new(secret),
        }
    }

    #[test]
    fn exports_are_owner_only_and_escape_env_values() {
        let dir = tempfile::tempdir().expect("tempdir");
        let exports = Exports::default();
        exports.keep(7, issued("Robot one", "s3cr\"et$"));
        exports.keep(7, issued("Robot-one", "plain"));
        let out = dir.path().join("exports");
        let path = exports.write(7, ExportFormat::Env, &out).expect("written");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(
            text,
            "P44_NA_ROBOT_ONE_CLIENT_SECRET=\"s3cr\\\"et\\$\"\nP44_NA_ROBOT_ONE_CLIENT_SECRET_2=\"plain\"\n"
        );
        let json_path = exports.write(7, ExportFormat::Json, &out).expect("written");
        let rows: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json_path).expect("read"))
                .expect("json");
        assert_eq!(rows[1]["secret"], "plain");
        assert_eq!(rows[0]["id"], "id-Robot one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&json_path), 0o600);
            assert_eq!(mode(&out), 0o700);
        }
        assert!(exports.write(8, ExportFormat::Json, &out).is_err());
    }
}

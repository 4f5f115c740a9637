//! After a secret is stored: its delivery, when the config names one,
//! and for a two-phase rotation the old credential's retirement, which
//! happens only once the new one is both delivered and verified.
use std::fmt::Write as _;

use std::path::PathBuf;
use std::sync::Arc;

use super::Stores;
use super::settle::Hold;
use crate::audit::Entry;
use crate::config::{Delivery, Tenant};
use crate::platform::{Check, Issued, Outcome, Platform};
use crate::secrets::delivery::{self, About};

/// Delivers `issued` if the tenant has a delivery for it, and retires
/// the old credential of a two-phase rotation when that is safe. What
/// happened goes into `outcome`'s checks; `saved` becomes `None` once the
/// delivered secret's copy is erased (it is no longer pending).
pub(super) async fn hand_off(
    config: &Tenant,
    platform: &dyn Platform,
    stores: &Stores,
    hold: &Arc<Hold>,
    issued: &Issued,
    outcome: &mut Outcome,
    saved: &mut Option<Result<PathBuf, String>>,
) {
    let Some(delivery) = config.delivery_for(&issued.name).cloned() else {
        return;
    };
    // Verified means the platform checked the new secret and every check
    // passed; a platform that checks nothing has not verified it.
    let verified = !outcome.checks.is_empty() && outcome.checks.iter().all(|c| c.passed);
    hold.acquire();
    let (delivered, audited) = run(config, stores, &delivery, issued).await;
    if let Err(problem) = audited {
        outcome.checks.push(Check {
            label: format!("the audit log was not written: {problem}"),
            passed: false,
        });
    }
    match &delivered {
        Ok(()) => {
            let mut label = format!("delivered by {}", delivery.describe());
            if let Some(Ok(path)) = saved.as_ref() {
                let (vault, path) = (stores.vault.clone(), path.clone());
                let forgot = tokio::task::spawn_blocking(move || vault.forget(&path))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.map_err(|e| e.to_string()));
                match forgot {
                    Ok(()) => {
                        label.push_str("; Portico's copy is erased");
                        *saved = None;
                    }
                    Err(err) => {
                        let _ = write!(label, "; Portico's copy stays: {err}");
                    }
                }
            }
            outcome.checks.push(Check {
                label,
                passed: true,
            });
        }
        Err(err) => outcome.checks.push(Check {
            label: format!("{err}; the secret stays pending in Portico's store"),
            passed: false,
        }),
    }
    if let Some(follow) = outcome.follow_up.take() {
        match (&delivered, verified) {
            (Ok(()), true) => {
                let retired = platform.perform(&follow.op).await;
                let entry =
                    Entry::for_op(config.name(), config.platform().as_str(), &follow.op, None);
                let entry = match &retired {
                    Ok(_) => entry.noting("the new credential was delivered and verified"),
                    Err(err) => entry.failed(err.to_string()),
                };
                let audited = record(stores, entry).await;
                match retired {
                    Ok(done) => outcome.checks.push(Check {
                        label: format!("old credential retired: {}", done.summary),
                        passed: true,
                    }),
                    Err(err) => {
                        outcome.checks.push(Check {
                            label: format!("the old credential was NOT retired: {err}"),
                            passed: false,
                        });
                        outcome.follow_up = Some(follow);
                    }
                }
                if let Err(problem) = audited {
                    outcome.checks.push(Check {
                        label: format!("the audit log was not written: {problem}"),
                        passed: false,
                    });
                }
            }
            (Ok(()), false) => {
                outcome.checks.push(Check {
                    label: "Portico could not verify the new credential, so both stay live \
                            until you confirm"
                        .into(),
                    passed: false,
                });
                outcome.follow_up = Some(follow);
            }
            (Err(_), _) => outcome.checks.push(Check {
                label: format!("{}: the delivery failed", follow.abort_note),
                passed: false,
            }),
        }
    }
    hold.release();
}

/// Runs the delivery on a blocking thread and audits it by name: the
/// delivery's result, then the audit write's.
async fn run(
    config: &Tenant,
    stores: &Stores,
    delivery: &Delivery,
    issued: &Issued,
) -> (Result<(), String>, Result<(), String>) {
    let (d, owned) = (delivery.clone(), issued.clone());
    let (tenant, platform) = (config.name().to_string(), config.platform().as_str());
    let result = tokio::task::spawn_blocking(move || {
        let about = About {
            tenant: &tenant,
            platform,
            resource_id: &owned.resource,
            resource_name: &owned.name,
        };
        delivery::deliver(&d, about, &owned.secret).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    let entry = Entry {
        tenant: config.name().to_string(),
        platform: config.platform().as_str().to_string(),
        action: "deliver".into(),
        kind: issued.kind.label().to_string(),
        resource_id: issued.resource.clone(),
        resource_name: issued.name.clone(),
        outcome: crate::audit::Outcome::Ok,
        detail: None,
    };
    let entry = match &result {
        Ok(()) => entry.noting(format!(
            "new {} delivered by {}",
            issued.secret.label,
            delivery.describe()
        )),
        Err(err) => entry.failed(err.clone()),
    };
    let audited = record(stores, entry).await;
    (result, audited)
}

async fn record(stores: &Stores, entry: Entry) -> Result<(), String> {
    let audit = stores.audit.clone();
    tokio::task::spawn_blocking(move || audit.record(&entry))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()))
}

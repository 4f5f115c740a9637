//! The runtime's side of [`Keep`]: a secret an adapter has just decoded is
//! written to the store and its change to the audit log, on a blocking
//! thread, before the adapter may go on to verify it. Only then does the
//! task stop holding up a quit.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use super::Stores;
use super::settle::Hold;
use crate::audit::Entry;
use crate::config::Tenant;
use crate::platform::{Issued, Keep, Operation};
use crate::secrets::Owner;

/// What happened to the one secret an operation issued.
pub(super) struct Kept {
    pub(super) issued: Issued,
    pub(super) saved: Result<PathBuf, String>,
    pub(super) audited: Result<(), String>,
}

pub(super) struct Keeper {
    stores: Stores,
    tenant: String,
    platform: &'static str,
    op: Operation,
    hold: Arc<Hold>,
    kept: Mutex<Option<Kept>>,
}

impl Keeper {
    pub(super) fn new(stores: &Stores, config: &Tenant, op: &Operation, hold: Arc<Hold>) -> Self {
        Self {
            stores: stores.clone(),
            tenant: config.name().to_string(),
            platform: config.platform().as_str(),
            op: op.clone(),
            hold,
            kept: Mutex::new(None),
        }
    }

    pub(super) fn take(&self) -> Option<Kept> {
        self.kept.lock().ok().and_then(|mut k| k.take())
    }

    async fn store(&self, issued: &Issued) {
        let stores = self.stores.clone();
        let (tenant, platform) = (self.tenant.clone(), self.platform);
        let created = matches!(self.op, Operation::Create { .. }).then(|| issued.resource.clone());
        let mut entry = Entry::for_op(&tenant, platform, &self.op, created.as_deref());
        let owned = issued.clone();
        let job = tokio::task::spawn_blocking(move || {
            let owner = Owner {
                tenant: &tenant,
                platform,
                kind: owned.kind.label(),
                resource: &owned.resource,
                name: &owned.name,
            };
            let saved = stores
                .vault
                .save(owner, &owned.secret)
                .map_err(|e| e.to_string());
            // The change happened whatever becomes of the secret; the line
            // says where the secret went, never what it is.
            entry = match &saved {
                Ok(path) => entry.noting(format!(
                    "new {} stored, pending, in {}",
                    owned.secret.label,
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                )),
                Err(err) => entry.noting(format!(
                    "new {} could NOT be stored: {err}",
                    owned.secret.label
                )),
            };
            let audited = stores.audit.record(&entry).map_err(|e| e.to_string());
            (saved, audited)
        });
        let (saved, audited) = match job.await {
            Ok(done) => done,
            Err(err) => (Err(err.to_string()), Err(err.to_string())),
        };
        if let Ok(mut slot) = self.kept.lock() {
            *slot = Some(Kept {
                issued: issued.clone(),
                saved,
                audited,
            });
        }
        // Stored: from here on, quitting loses nothing the server issued.
        self.hold.release();
    }
}

impl Keep for Keeper {
    fn keep<'a>(&'a self, issued: &'a Issued) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(self.store(issued))
    }

    fn held<'a>(
        &'a self,
        resource: &'a str,
    ) -> Pin<Box<dyn Future<Output = Option<crate::model::Secret>> + Send + 'a>> {
        let (vault, tenant, id) = (
            self.stores.vault.clone(),
            self.tenant.clone(),
            resource.to_string(),
        );
        Box::pin(async move {
            tokio::task::spawn_blocking(move || vault.latest(&tenant, &id))
                .await
                .ok()
                .flatten()
        })
    }
}

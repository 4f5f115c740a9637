//! Every secret a platform issues is filed here the moment the adapter has
//! decoded it. It stays *pending* until the user confirms it is stored
//! elsewhere; then Portico's copy is erased.
//!
//! Each pending secret has a record file in the store directory (owner-only,
//! written atomically and synced) with what it belongs to and where its
//! value rests: an entry in the OS keyring, or, when no keyring answers,
//! sealed in the record under a key kept in its own owner-only file.
//! `PORTICO_SECRET_STORE` picks one (`keyring`, `file`, or `auto`, the
//! default: the keyring when it answers, else the sealed file).

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use super::files::{self, create_private_dir, sync_dir};
use super::sealed::{Sealed, Sealer};
use super::{os_keyring, perms};
use crate::model::{IssuedSecret, Secret};

/// Where new secrets' values go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The OS keyring when it answers, else the sealed file.
    Auto,
    /// The OS keyring only: a secret that cannot go there is not filed.
    Keyring,
    /// Sealed in the record file, never the keyring.
    File,
}

impl Backend {
    /// `PORTICO_SECRET_STORE`: `keyring`, `file` or `auto`. Anything else
    /// counts as `auto`, so a typo never stops a secret being filed.
    pub fn from_env() -> Self {
        match std::env::var("PORTICO_SECRET_STORE").as_deref() {
            Ok("keyring") => Self::Keyring,
            Ok("file") => Self::File,
            _ => Self::Auto,
        }
    }
}

/// Where one pending secret's value rests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rest {
    Keyring,
    SealedFile,
    /// A record written before values were kept apart: read, never written.
    PlainFile,
}

impl Rest {
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Keyring => "OS keyring",
            Self::SealedFile => "encrypted file",
            Self::PlainFile => "plaintext file",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Vault {
    dir: PathBuf,
    backend: Backend,
    sealer: Sealer,
}

/// Who and what a secret belongs to, as it is filed.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub tenant: &'a str,
    pub platform: &'a str,
    pub kind: &'a str,
    pub resource: &'a str,
    pub name: &'a str,
}

#[derive(Serialize)]
struct RecordOut<'a> {
    tenant: &'a str,
    platform: &'a str,
    kind: &'a str,
    resource: &'a str,
    name: &'a str,
    label: &'a str,
    public_id: Option<&'a str>,
    issued_at: String,
    store: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ciphertext: Option<String>,
}

#[derive(Deserialize)]
struct RecordIn {
    tenant: String,
    #[serde(default)]
    platform: String,
    kind: String,
    resource: String,
    #[serde(default)]
    name: String,
    label: String,
    public_id: Option<String>,
    #[serde(default)]
    issued_at: String,
    #[serde(default)]
    store: String,
    entry: Option<String>,
    nonce: Option<String>,
    ciphertext: Option<String>,
    secret: Option<String>,
}

/// A secret waiting for the user to confirm it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The record's file stem: what `portico secrets show` takes.
    pub id: String,
    pub path: PathBuf,
    pub tenant: String,
    pub platform: String,
    pub kind: String,
    pub resource: String,
    pub name: String,
    pub issued_at: String,
    pub rest: Rest,
    pub issued: IssuedSecret,
}

impl Vault {
    /// The store in `dir`, with the backend `PORTICO_SECRET_STORE` names.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self::with_backend(dir, Backend::from_env())
    }

    /// The sealed file's key lives beside the directory, not in it, so
    /// the records alone never carry what opens them.
    pub fn with_backend(dir: impl Into<PathBuf>, backend: Backend) -> Self {
        let dir = dir.into();
        let sealer = Sealer::new(dir.with_file_name("store.key"));
        Self {
            dir,
            backend,
            sealer,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub const fn backend(&self) -> Backend {
        self.backend
    }

    /// The sealed file backend's key.
    pub fn key_path(&self) -> &Path {
        self.sealer.key_path()
    }

    /// Refuses a store directory, record or key that group or others can
    /// open.
    pub fn check(&self) -> Result<(), perms::Exposed> {
        perms::private_dir(&self.dir)?;
        perms::private_file(self.sealer.key_path())?;
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            perms::private_file(&entry.path())?;
        }
        Ok(())
    }

    /// Files one issued secret and returns its record's path. The value
    /// goes to the keyring or is sealed first; the record is written to a
    /// temporary file, synced, linked into place and the directory synced,
    /// so a crash leaves either the whole record or none.
    /// Blocking: call it from a blocking task.
    pub fn save(&self, owner: Owner<'_>, issued: &IssuedSecret) -> std::io::Result<PathBuf> {
        create_private_dir(&self.dir)?;
        perms::private_dir(&self.dir).map_err(std::io::Error::other)?;
        let now = OffsetDateTime::now_utc();
        let stamp = now.unix_timestamp_nanos();
        let stem = format!("{}-{}-{stamp}", safe(owner.tenant), safe(owner.resource));
        let path = self.dir.join(format!("{stem}.json"));
        let value = issued.secret.expose();
        let keyring = match self.backend {
            Backend::File => Err(String::new()),
            Backend::Keyring | Backend::Auto => os_keyring::put(&stem, value),
        };
        let (store, entry, sealed) = match (&keyring, self.backend) {
            (Ok(()), _) => ("keyring", Some(stem.as_str()), None),
            (Err(err), Backend::Keyring) => {
                return Err(std::io::Error::other(format!(
                    "PORTICO_SECRET_STORE=keyring, but {err}"
                )));
            }
            (Err(_), _) => ("file", None, Some(self.sealer.seal(&stem, value)?)),
        };
        let (nonce, ciphertext) = match sealed {
            Some(Sealed { nonce, ciphertext }) => (Some(nonce), Some(ciphertext)),
            None => (None, None),
        };
        let record = RecordOut {
            tenant: owner.tenant,
            platform: owner.platform,
            kind: owner.kind,
            resource: owner.resource,
            name: owner.name,
            label: &issued.label,
            public_id: issued.public_id.as_deref(),
            issued_at: now.format(&Rfc3339).unwrap_or_default(),
            store,
            entry,
            nonce,
            ciphertext,
        };
        let body = serde_json::to_vec_pretty(&record).map_err(std::io::Error::other)?;
        if let Err(err) = files::write_atomic(&path, &body, true) {
            if entry.is_some() {
                let _ = os_keyring::delete(&stem);
            }
            return Err(err);
        }
        Ok(path)
    }

    /// Every pending secret, oldest first. A missing store has none.
    /// Blocking: call it from a blocking task.
    pub fn pending(&self) -> std::io::Result<Vec<Pending>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(err),
        };
        let mut out = Vec::new();
        for entry in entries {
            let path = entry?.path();
            let is_record = path.extension().is_some_and(|e| e == "json")
                && !path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if is_record {
                out.push(self.read(&path)?);
            }
        }
        out.sort_by(|a, b| (&a.issued_at, &a.id).cmp(&(&b.issued_at, &b.id)));
        Ok(out)
    }

    /// One pending secret by id. Blocking.
    pub fn find(&self, id: &str) -> std::io::Result<Option<Pending>> {
        if id.is_empty() || id.contains(['/', '\\']) || id.starts_with('.') {
            return Ok(None);
        }
        let path = self.dir.join(format!("{id}.json"));
        match self.read(&path) {
            Ok(found) => Ok(Some(found)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Erases the copy once the user has the secret stored elsewhere: the
    /// keyring entry first, then the record. Only files inside the store
    /// are ever removed. Blocking.
    pub fn forget(&self, path: &Path) -> std::io::Result<()> {
        if path.parent() != Some(self.dir.as_path()) {
            return Err(std::io::Error::other(format!(
                "{} is not in the secret store",
                path.display()
            )));
        }
        let text = Zeroizing::new(fs::read(path)?);
        if let Ok(record) = serde_json::from_slice::<RecordIn>(&text)
            && record.store == "keyring"
            && let Some(entry) = &record.entry
        {
            os_keyring::delete(entry).map_err(std::io::Error::other)?;
        }
        fs::remove_file(path)?;
        sync_dir(&self.dir)
    }

    /// The most recent pending secret of a resource, if Portico still holds
    /// one: a rotation uses it to prove the old secret dead. Blocking.
    pub fn latest(&self, tenant: &str, resource: &str) -> Option<Secret> {
        self.pending()
            .ok()?
            .into_iter()
            .rev()
            .find(|p| p.tenant == tenant && p.resource == resource)
            .map(|p| p.issued.secret)
    }

    fn read(&self, path: &Path) -> std::io::Result<Pending> {
        let text = Zeroizing::new(fs::read(path)?);
        let record: RecordIn = serde_json::from_slice(&text).map_err(|e| {
            std::io::Error::other(format!(
                "{} is not a Portico secret record ({})",
                path.display(),
                crate::platform::http::decode_problem(&e)
            ))
        })?;
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (rest, value) = match (record.store.as_str(), record.secret) {
            ("keyring", _) => {
                let entry = record.entry.as_deref().unwrap_or(&id);
                let value = os_keyring::get(entry)
                    .map_err(|e| std::io::Error::other(format!("pending secret {id} is in {e}")))?;
                (Rest::Keyring, value)
            }
            ("file", _) => {
                let sealed = Sealed {
                    nonce: record.nonce.unwrap_or_default(),
                    ciphertext: record.ciphertext.unwrap_or_default(),
                };
                (Rest::SealedFile, self.sealer.open(&id, &sealed)?)
            }
            ("", Some(plain)) => (Rest::PlainFile, Zeroizing::new(plain)),
            (other, _) => {
                return Err(std::io::Error::other(format!(
                    "{} keeps its secret in an unknown store {other:?}",
                    path.display()
                )));
            }
        };
        Ok(Pending {
            id,
            path: path.to_path_buf(),
            tenant: record.tenant,
            platform: record.platform,
            kind: record.kind,
            resource: record.resource,
            name: record.name,
            issued_at: record.issued_at,
            rest,
            issued: IssuedSecret {
                label: record.label,
                public_id: record.public_id,
                secret: Secret::new(value.as_str()),
            },
        })
    }
}

/// Keeps file names to a portable, traversal-free alphabet.
fn safe(part: &str) -> String {
    let cleaned: String = part
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if cleaned.is_empty() {
        "_".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner<'a>(tenant: &'a str, resource: &'a str) -> Owner<'a> {
        Owner {
            tenant,
            platform: "project44",
            kind: "client application",
            resource,
            name: "Robot",
        }
    }

    #[test]
    fn saves_owner_only_files_lists_them_and_forgets_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let vault = Vault::with_backend(dir.path().join("issued"), Backend::File);
        assert_eq!(vault.pending().expect("empty store"), Vec::new());
        let issued = IssuedSecret {
            label: "client secret".into(),
            public_id: Some("abc".into()),
            secret: Secret::new("s3cr3t"),
        };
        let path = vault
            .save(owner("p44/na", "../etc"), &issued)
            .expect("saved");
        assert_eq!(path.parent(), Some(vault.dir()));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        assert!(name.starts_with("p44_na-___etc-"), "{name}");
        let text = fs::read_to_string(&path).expect("readable");
        let json: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert!(!text.contains("s3cr3t"), "the record holds no plaintext");
        assert_eq!(json["store"], "file");
        assert_eq!(json["public_id"], "abc");
        assert_eq!(json["name"], "Robot");
        let again = IssuedSecret {
            secret: Secret::new("newer"),
            ..issued.clone()
        };
        let second = vault
            .save(owner("p44/na", "../etc"), &again)
            .expect("saved");
        assert_eq!(
            vault
                .latest("p44/na", "../etc")
                .map(|s| s.expose().to_string()),
            Some("newer".into())
        );
        assert!(vault.latest("p44/na", "other").is_none());
        let pending = vault.pending().expect("pending");
        assert_eq!(pending.len(), 2);
        assert_eq!(pending[0].issued, issued);
        assert_eq!(pending[1].issued, again);
        let found = vault.find(&pending[1].id).expect("read").expect("found");
        assert_eq!(found.issued.secret.expose(), "newer");
        assert_eq!(vault.find("../x").expect("refused"), None);
        vault.forget(&second).expect("forgotten");
        assert!(!second.exists());
        assert_eq!(vault.pending().expect("pending").len(), 1);
        assert!(vault.forget(Path::new("/etc/passwd")).is_err());
        // A record from before values were kept apart still reads.
        let legacy = vault.dir().join("old-record.json");
        fs::write(
            &legacy,
            r#"{"tenant":"t","kind":"k","resource":"r","label":"l","public_id":null,"secret":"plain"}"#,
        )
        .expect("write");
        let old = vault.find("old-record").expect("read").expect("found");
        assert_eq!(
            (old.rest, old.issued.secret.expose()),
            (Rest::PlainFile, "plain")
        );
        vault.forget(&legacy).expect("forgotten");
        // The key opens nothing without its record, and a record nothing
        // without its key.
        fs::rename(vault.key_path(), dir.path().join("moved.key")).expect("move key");
        assert!(vault.pending().is_err());
        fs::rename(dir.path().join("moved.key"), vault.key_path()).expect("restore key");
        assert!(
            fs::read_dir(vault.dir())
                .expect("dir")
                .flatten()
                .all(|e| !e.file_name().to_string_lossy().ends_with(".tmp")),
            "no temporary file is left behind"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = fs::metadata(vault.dir())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
            assert!(vault.check().is_ok());
            fs::set_permissions(vault.dir(), fs::Permissions::from_mode(0o755)).expect("chmod");
            let refused = vault.save(owner("t", "r"), &issued).expect_err("refused");
            assert!(refused.to_string().contains("chmod 700"), "{refused}");
            assert!(vault.check().is_err());
        }
    }
}

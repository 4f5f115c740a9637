//! Every secret a platform issues is written here, owner-only, atomically
//! and synced, the moment the adapter has decoded it. It stays *pending*
//! until the user confirms it is stored elsewhere; then the copy is erased.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use super::perms;
use crate::model::{IssuedSecret, Secret};

#[derive(Debug, Clone)]
pub struct Vault {
    dir: PathBuf,
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
    secret: &'a str,
    issued_at: String,
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
    secret: String,
    #[serde(default)]
    issued_at: String,
}

/// A secret waiting for the user to confirm it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The file's stem: what `portico secrets show` takes.
    pub id: String,
    pub path: PathBuf,
    pub tenant: String,
    pub platform: String,
    pub kind: String,
    pub resource: String,
    pub name: String,
    pub issued_at: String,
    pub issued: IssuedSecret,
}

impl Vault {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Refuses a store directory that group or others can open.
    pub fn check(&self) -> Result<(), perms::Exposed> {
        perms::private_dir(&self.dir)?;
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            perms::private_file(&entry.path())?;
        }
        Ok(())
    }

    /// Saves one issued secret to its own new file and returns its path:
    /// written to a temporary file, synced, renamed into place, and the
    /// directory synced, so a crash leaves either the whole file or none.
    /// Blocking: call it from a blocking task.
    pub fn save(&self, owner: Owner<'_>, issued: &IssuedSecret) -> std::io::Result<PathBuf> {
        create_private_dir(&self.dir)?;
        perms::private_dir(&self.dir).map_err(std::io::Error::other)?;
        let now = OffsetDateTime::now_utc();
        let stamp = now.unix_timestamp_nanos();
        let stem = format!("{}-{}-{stamp}", safe(owner.tenant), safe(owner.resource));
        let path = self.dir.join(format!("{stem}.json"));
        let temp = self.dir.join(format!(".{stem}.tmp"));
        let record = RecordOut {
            tenant: owner.tenant,
            platform: owner.platform,
            kind: owner.kind,
            resource: owner.resource,
            name: owner.name,
            label: &issued.label,
            public_id: issued.public_id.as_deref(),
            secret: issued.secret.expose(),
            issued_at: now.format(&Rfc3339).unwrap_or_default(),
        };
        let body =
            Zeroizing::new(serde_json::to_vec_pretty(&record).map_err(std::io::Error::other)?);
        let written = (|| {
            let mut file = private_file(&temp)?;
            file.write_all(&body)?;
            file.sync_all()?;
            fs::rename(&temp, &path)
        })();
        if let Err(err) = written {
            let _ = fs::remove_file(&temp);
            return Err(err);
        }
        sync_dir(&self.dir)?;
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
                out.push(read(&path)?);
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
        match read(&path) {
            Ok(found) => Ok(Some(found)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Erases the copy once the user has the secret stored elsewhere.
    /// Only files inside the store are ever removed. Blocking.
    pub fn forget(&self, path: &Path) -> std::io::Result<()> {
        if path.parent() != Some(self.dir.as_path()) {
            return Err(std::io::Error::other(format!(
                "{} is not in the secret store",
                path.display()
            )));
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
}

fn read(path: &Path) -> std::io::Result<Pending> {
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
    Ok(Pending {
        id,
        path: path.to_path_buf(),
        tenant: record.tenant,
        platform: record.platform,
        kind: record.kind,
        resource: record.resource,
        name: record.name,
        issued_at: record.issued_at,
        issued: IssuedSecret {
            label: record.label,
            public_id: record.public_id,
            secret: Secret::new(record.secret),
        },
    })
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

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    // The directory entry must reach the disk too.
    File::open(dir)?.sync_all()
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
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
        let vault = Vault::new(dir.path().join("issued"));
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
        assert_eq!(json["secret"], "s3cr3t");
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

//! Every secret a platform issues is written here, owner-only and synced,
//! before the UI shows it: a crash or a closed terminal cannot lose it.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::{IssuedSecret, Secret};

#[derive(Debug, Clone)]
pub struct Vault {
    dir: PathBuf,
}

#[derive(Serialize)]
struct Record<'a> {
    tenant: &'a str,
    kind: &'a str,
    resource: &'a str,
    label: &'a str,
    public_id: Option<&'a str>,
    secret: &'a str,
    issued_at: String,
}

impl Vault {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Vault { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Saves one issued secret to its own new file and returns its path.
    /// Blocking: call it from a blocking task.
    pub fn save(
        &self,
        tenant: &str,
        kind: &str,
        resource: &str,
        issued: &IssuedSecret,
    ) -> std::io::Result<PathBuf> {
        create_private_dir(&self.dir)?;
        let now = OffsetDateTime::now_utc();
        let stamp = now.unix_timestamp_nanos();
        let name = format!("{}-{}-{stamp}.json", safe(tenant), safe(resource));
        let path = self.dir.join(name);
        let record = Record {
            tenant,
            kind,
            resource,
            label: &issued.label,
            public_id: issued.public_id.as_deref(),
            secret: issued.secret.expose(),
            issued_at: now.format(&Rfc3339).unwrap_or_default(),
        };
        let body = serde_json::to_vec_pretty(&record).map_err(std::io::Error::other)?;
        let mut file = private_file(&path)?;
        file.write_all(&body)?;
        file.sync_all()?;
        // The new directory entry must reach the disk too.
        File::open(&self.dir)?.sync_all()?;
        Ok(path)
    }
}

impl Vault {
    /// The most recent secret saved for a resource, if Portico issued one.
    /// Blocking: call it from a blocking task.
    pub fn latest(&self, tenant: &str, resource: &str) -> Option<Secret> {
        let prefix = format!("{}-{}-", safe(tenant), safe(resource));
        let newest = fs::read_dir(&self.dir)
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let stamp: i128 = name
                    .strip_prefix(&prefix)?
                    .strip_suffix(".json")?
                    .parse()
                    .ok()?;
                Some((stamp, e.path()))
            })
            .max_by_key(|(stamp, _)| *stamp)?;
        let text = fs::read_to_string(newest.1).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        json.get("secret")?.as_str().map(Secret::new)
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

    #[test]
    fn saves_owner_only_files_with_safe_names() {
        let dir = tempfile::tempdir().expect("tempdir");
        let vault = Vault::new(dir.path().join("issued"));
        let issued = IssuedSecret {
            label: "client secret".into(),
            public_id: Some("abc".into()),
            secret: Secret::new("s3cr3t"),
        };
        let path = vault
            .save("p44/na", "client application", "../etc", &issued)
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
        let again = IssuedSecret {
            secret: Secret::new("newer"),
            ..issued.clone()
        };
        vault
            .save("p44/na", "client application", "../etc", &again)
            .expect("saved");
        assert_eq!(
            vault
                .latest("p44/na", "../etc")
                .map(|s| s.expose().to_string()),
            Some("newer".into())
        );
        assert!(vault.latest("p44/na", "other").is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}

//! Files that hold secrets or say what was changed must be the user's
//! alone. Portico refuses one that group or others can read or write, and
//! says how to fix it, rather than quietly tightening or using it.

use std::fmt;
use std::path::{Path, PathBuf};

/// A path whose permissions let group or others in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposed {
    path: PathBuf,
    mode: u32,
    dir: bool,
}

impl fmt::Display for Exposed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, fix) = if self.dir {
            ("directory", "700")
        } else {
            ("file", "600")
        };
        write!(
            f,
            "{} ({what}, mode {:04o}) can be read or written by group or others; \
             fix it with: chmod {fix} '{}'",
            self.path.display(),
            self.mode & 0o7777,
            self.path.display()
        )
    }
}

impl std::error::Error for Exposed {}

/// A directory that does not exist yet is fine: Portico creates it 0700.
pub fn private_dir(path: &Path) -> Result<(), Exposed> {
    check(path, true)
}

/// A file that does not exist yet is fine: Portico creates it 0600.
pub fn private_file(path: &Path) -> Result<(), Exposed> {
    check(path, false)
}

#[cfg(unix)]
fn check(path: &Path, dir: bool) -> Result<(), Exposed> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(Exposed {
            path: path.to_path_buf(),
            mode,
            dir,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check(_path: &Path, _dir: bool) -> Result<(), Exposed> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn group_or_other_access_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("audit.jsonl");
        assert_eq!(private_file(&file), Ok(()), "missing is fine");
        std::fs::write(&file, "").expect("write");
        for (mode, ok) in [
            (0o600, true),
            (0o640, false),
            (0o604, false),
            (0o620, false),
        ] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).expect("chmod");
            let result = private_file(&file);
            assert_eq!(result.is_ok(), ok, "mode {mode:o}");
            if let Err(err) = result {
                assert!(err.to_string().contains("chmod 600"), "{err}");
            }
        }
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o750))
            .expect("chmod");
        let err = private_dir(dir.path()).expect_err("group can list");
        assert!(err.to_string().contains("chmod 700"), "{err}");
    }
}

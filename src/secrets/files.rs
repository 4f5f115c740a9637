//! Owner-only files and directories, written so a crash leaves either the
//! whole file or none: a temporary file, fsync, rename (or link, where an
//! existing file must never be replaced), then fsync of the directory.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// Writes `body` to `path`, replacing nothing that is there unless
/// `replace` says so.
pub fn write_atomic(path: &Path, body: &[u8], replace: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("a store file needs a directory"))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = create_private(&temp)?;
        file.write_all(body)?;
        file.sync_all()?;
        if replace {
            fs::rename(&temp, path)
        } else {
            // A link fails when the name is taken, so a racing writer's
            // file is never clobbered.
            fs::hard_link(&temp, path)
        }
    })();
    let _ = fs::remove_file(&temp);
    written?;
    sync_dir(dir)
}

pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    // The directory entry must reach the disk too.
    File::open(dir)?.sync_all()
}

#[cfg(unix)]
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

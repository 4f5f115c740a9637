//! The user's editor (`$VISUAL`, else `$EDITOR`, else `vi`) on a private
//! temporary file, with the console's screen handed back to the terminal
//! while it runs.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

use super::Screen;

/// The editor command the environment names.
pub fn command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(std::env::var_os)
        .map(|v| v.to_string_lossy().trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// A file only the user can read: the fields may hold a certificate's key.
fn private_file(ext: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for attempt in 0..16_u32 {
        let path = std::env::temp_dir().join(format!(
            "portico-edit-{}-{nanos}-{attempt}.{ext}",
            std::process::id()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary file name"))
}

/// Opens `text` in `editor` and returns what was saved; `Ok(None)` when
/// the file was left unchanged or the editor exited non-zero. `editor`
/// may carry arguments (`code --wait`), as the shell reads it.
pub fn edit(editor: &str, text: &str, ext: &str) -> Result<Option<String>, String> {
    let (path, mut file) =
        private_file(ext).map_err(|e| format!("cannot make a temporary file: {e}"))?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&path);
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("portico-editor")
        .arg(&path)
        .status();
    let result = match status {
        Err(e) => Err(format!("cannot start {editor:?}: {e}")),
        Ok(status) if !status.success() => Ok(None),
        Ok(_) => std::fs::read_to_string(&path)
            .map(|saved| (saved != text).then_some(saved))
            .map_err(|e| format!("cannot read back {}: {e}", path.display())),
    };
    let _ = std::fs::remove_file(&path);
    result
}

/// Runs `job` (the editor) with the terminal back in its ordinary mode,
/// then takes the screen again and redraws it from scratch.
pub async fn suspended<F>(terminal: &mut Screen, job: F) -> Result<Option<String>, String>
where
    F: FnOnce() -> Result<Option<String>, String> + Send + 'static,
{
    let mut out = std::io::stdout();
    let _ = execute!(out, DisableBracketedPaste, LeaveAlternateScreen);
    let _ = terminal.show_cursor();
    let _ = disable_raw_mode();
    let result = tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r);
    let _ = enable_raw_mode();
    let _ = execute!(out, EnterAlternateScreen, EnableBracketedPaste);
    let _ = terminal.hide_cursor();
    let _ = terminal.clear();
    result
}

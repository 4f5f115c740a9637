//! Stamps the build's commit into `--version` when git can tell it; a
//! source tarball without `.git` (or a machine without git) builds with
//! the crate version alone. Nothing here may fail the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    // A packager building from a tarball can still name the commit.
    println!("cargo:rerun-if-env-changed=PORTICO_BUILD_COMMIT");
    let commit = std::env::var("PORTICO_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit);
    let crate_version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let version = match commit {
        Some(commit) => format!("{crate_version} ({})", commit.trim()),
        None => crate_version,
    };
    println!("cargo:rustc-env=PORTICO_VERSION={version}");
}

/// `abc1234`, or `abc1234-dirty` when tracked files differ from it.
fn git_commit() -> Option<String> {
    // Unpacked inside some other repository (a vendor tree, a home dir
    // under git), the commit found would be that repository's, not ours.
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    if top.canonicalize().ok()? != manifest.canonicalize().ok()? {
        return None;
    }
    let git_dir = PathBuf::from(git(&["rev-parse", "--git-dir"])?);
    watch(&git_dir);
    let short = git(&["rev-parse", "--short", "HEAD"])?;
    // A failed status counts as clean rather than guessing.
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|out| !out.is_empty());
    Some(if dirty {
        format!("{short}-dirty")
    } else {
        short
    })
}

/// Reruns when HEAD moves, not on every build: HEAD itself, the branch it
/// points at, and packed refs (where a branch lives after `git gc`). The
/// dirty flag is refreshed when the sources change, which recompiles the
/// crate anyway; the index is not watched, as `git status` itself rewrites it.
fn watch(git_dir: &Path) {
    // In a worktree, branches live in the common dir, HEAD in its own.
    let common = git(&["rev-parse", "--git-common-dir"])
        .map_or_else(|| git_dir.to_path_buf(), PathBuf::from);
    let head = git_dir.join("HEAD");
    println!("cargo:rerun-if-changed={}", head.display());
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!(
        "cargo:rerun-if-changed={}",
        common.join("packed-refs").display()
    );
    if let Ok(text) = std::fs::read_to_string(&head)
        && let Some(reference) = text.trim().strip_prefix("ref: ")
    {
        println!(
            "cargo:rerun-if-changed={}",
            common.join(reference).display()
        );
    }
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.trim().to_owned())
}

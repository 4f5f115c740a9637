//! What `--version` says: the crate version, and the commit it was built
//! from when the build could ask git (see build.rs).

/// `0.1.0 (abc1234)`, `0.1.0 (abc1234-dirty)`, or `0.1.0` from a tarball.
pub const VERSION: &str = env!("PORTICO_VERSION");

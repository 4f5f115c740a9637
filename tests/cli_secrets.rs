//! `portico secrets pending` and `portico secrets show ID` read the store
//! that the console writes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::process::Command;

use portico::model::{IssuedSecret, Secret};
use portico::secrets::{Backend, Owner, Vault};

fn portico(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_DATA_DIR", data)
        .env("PORTICO_SECRET_STORE", "file")
        .output()
        .expect("run portico")
}

#[test]
fn pending_lists_without_values_and_show_prints_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = portico(dir.path(), &["secrets", "pending"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no pending secrets"));

    let vault = Vault::with_backend(dir.path().join("issued"), Backend::File);
    let issued = IssuedSecret {
        label: "client secret".into(),
        public_id: Some("app1".into()),
        secret: Secret::new("Qw3rTy-the-secret"),
    };
    let owner = Owner {
        tenant: "p44-na",
        platform: "project44",
        kind: "client application",
        resource: "app1",
        name: "Robot\x1b[2J",
    };
    let path = vault.save(owner, &issued).expect("saved");
    let record = std::fs::read_to_string(&path).expect("record");
    assert!(!record.contains("Qw3rTy"), "the record is sealed: {record}");
    let id = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("stem")
        .to_string();

    let out = portico(dir.path(), &["secrets", "pending"]);
    assert!(out.status.success());
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.contains(&id), "{listed}");
    assert!(listed.contains("p44-na"), "{listed}");
    assert!(
        listed.contains("encrypted file"),
        "where it rests: {listed}"
    );
    assert!(!listed.contains("Qw3rTy-the-secret"), "{listed}");
    assert!(
        !listed.contains('\x1b'),
        "server text is quoted: {listed:?}"
    );

    let out = portico(dir.path(), &["secrets", "show", &id]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Qw3rTy-the-secret\n");

    let out = portico(dir.path(), &["secrets", "show", "../../etc/passwd"]);
    assert!(!out.status.success());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(vault.dir(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let out = portico(dir.path(), &["secrets", "pending"]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("chmod 700"), "{err}");
    }
}

//! The Losant adapter against the simulator over real HTTP, and against a
//! small stub server where the simulator cannot stage a case (an expired
//! login, slow pages).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use portico::model::{Change, Kind, Pane, Resource, Secret};
use portico::platform::losant::{Auth, Losant};
use portico::platform::{Operation, Outcome, Platform, PlatformError, Progress, Source, Target};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use serde_json::{Value, json};
use time::OffsetDateTime;

const EMAIL: &str = "admin@losant.portico.demo";
const PASSWORD: &str = "portico-demo-losant";
const COLD_CHAIN: &str = "Cold Chain Monitoring";
const TIMEOUT: Duration = Duration::from_secs(10);

struct Sim {
    _running: portico::sim::Running,
    base: String,
}

async fn sim() -> Sim {
    let running =
        portico::platform::registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("start sim");
    let base = format!("{}/losant", running.base_url());
    Sim {
        _running: running,
        base,
    }
}

fn login(base: &str) -> Losant {
    Losant::new(
        base,
        TIMEOUT,
        Auth::Login {
            email: EMAIL.into(),
            password: Secret::new(PASSWORD),
        },
    )
    .expect("adapter")
}

fn quiet() -> Progress {
    Arc::new(|_, _| {})
}

/// Every progress report, in order.
type Reports = Arc<Mutex<Vec<(usize, Option<usize>)>>>;

fn recorder() -> (Progress, Reports) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let progress: Progress = Arc::new(move |loaded, total| {
        sink.lock().expect("lock").push((loaded, total));
    });
    (progress, seen)
}

async fn apps(adapter: &Losant) -> Vec<Resource> {
    adapter
        .list(Source::Pane(Pane::Applications), None, quiet())
        .await
        .expect("list applications")
}

async fn app_id(adapter: &Losant, name: &str) -> String {
    apps(adapter)
        .await
        .into_iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no application {name}"))
        .id
}

async fn pane(adapter: &Losant, app: &str) -> Vec<Resource> {
    adapter
        .list(Source::Pane(Pane::Certificates), Some(app), quiet())
        .await
        .expect("list certificates pane")
}

fn target(res: &Resource, app: &str) -> Target {
    Target {
        kind: res.kind,
        id: res.id.clone(),
        name: res.name.clone(),
        parent: Some(app.to_string()),
    }
}

fn by_id(items: &[Resource], id: &str) -> Resource {
    items
        .iter()
        .find(|r| r.id == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} not listed"))
}

/// Creates a resource; the operation must succeed.
async fn create(
    adapter: &Losant,
    kind: Kind,
    parent: Option<&str>,
    pairs: &[(&str, &str)],
    what: &str,
) -> Outcome {
    let op = Operation::Create {
        kind,
        parent: parent.map(str::to_string),
        values: values(pairs),
    };
    adapter.perform(&op).await.expect(what)
}

/// Edits a resource; the operation must succeed.
async fn update(adapter: &Losant, t: &Target, pairs: &[(&str, &str)], what: &str) -> Outcome {
    let op = Operation::Update {
        target: t.clone(),
        values: values(pairs),
    };
    adapter.perform(&op).await.expect(what)
}

/// Turns a resource on or off; the operation must succeed.
async fn set_active(adapter: &Losant, t: &Target, active: bool, what: &str) -> Outcome {
    let op = Operation::SetActive {
        target: t.clone(),
        active,
    };
    adapter.perform(&op).await.expect(what)
}

async fn delete(adapter: &Losant, t: &Target) -> Outcome {
    let op = Operation::Delete { target: t.clone() };
    adapter.perform(&op).await.expect("delete")
}

/// The resource's status as the server reports it now.
async fn status(adapter: &Losant, t: &Target) -> Option<String> {
    adapter.get(t).await.expect("get").status
}

fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A self-signed device certificate valid from yesterday for `days`.
fn device_pem(cn: &str, days: i64) -> (String, OffsetDateTime) {
    let mut params = CertificateParams::new(vec![cn.to_string()]).expect("params");
    params.distinguished_name.push(DnType::CommonName, cn);
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).expect("ns");
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(days);
    let key = KeyPair::generate().expect("key");
    let pem = params.self_signed(&key).expect("cert").pem();
    (pem, params.not_after)
}

fn ca_params(cn: &str, days: i64) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).expect("ns");
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(days);
    params
}

/// A root and an intermediate that expires first, in one bundle.
fn two_cert_bundle() -> (String, OffsetDateTime) {
    let root = CertifiedIssuer::self_signed(
        ca_params("Adapter Test Root", 3000),
        KeyPair::generate().expect("key"),
    )
    .expect("root");
    let inter_params = ca_params("Adapter Test Issuing CA", 400);
    let earliest = inter_params.not_after;
    let inter = CertifiedIssuer::signed_by(inter_params, KeyPair::generate().expect("key"), &root)
        .expect("intermediate");
    (format!("{}{}", root.pem(), inter.pem()), earliest)
}

fn write(dir: &tempfile::TempDir, name: &str, body: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, body).expect("write");
    path.display().to_string()
}

#[tokio::test]
async fn lists_the_demo_applications() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let list = apps(&adapter).await;
    let names: Vec<&str> = list.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [COLD_CHAIN, "Fleet Telematics", "Smart Building Energy"]
    );
    for app in &list {
        assert_eq!(app.kind, Kind::Application);
        assert_eq!(app.id.len(), 24, "{}", app.id);
        assert_eq!(app.cells.len(), 2, "Description, Id");
        assert_eq!(app.cells[1], app.id);
        assert_eq!(Some(app.cells[0].as_str()), app.detail("description"));
        assert_eq!(app.detail("name"), Some(app.name.as_str()));
    }
    assert!(
        list[0].cells[0].contains("Rotterdam"),
        "{:?}",
        list[0].cells
    );
}

#[tokio::test]
async fn the_certificates_pane_groups_certificates_then_cas_then_keys() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, COLD_CHAIN).await;
    let items = pane(&adapter, &app).await;
    let kinds: Vec<Kind> = items.iter().map(|r| r.kind).collect();
    let mut expected = vec![Kind::Certificate; 5];
    expected.push(Kind::CertificateAuthority);
    expected.extend([Kind::AccessKey; 2]);
    assert_eq!(kinds, expected);
    let now = OffsetDateTime::now_utc();
    for res in &items {
        assert_eq!(res.cells.len(), 3, "Kind, Status, Expires");
        assert_eq!(res.cells[0], res.kind.short());
        assert_eq!(Some(res.cells[1].as_str()), res.status.as_deref());
        assert!(matches!(res.status.as_deref(), Some("active" | "inactive")));
        match res.kind {
            Kind::AccessKey => {
                assert_eq!(res.expires, None);
                assert!(res.detail("key").is_some());
            }
            _ => assert!(res.expires.is_some(), "{} has no expiry", res.name),
        }
    }
    let certs = &items[..5];
    assert!(
        certs.iter().any(|c| c.expires.is_some_and(|e| e < now)),
        "the demo has an expired certificate"
    );
    let soon = certs
        .iter()
        .filter(|c| {
            c.expires
                .is_some_and(|e| e > now && e - now < time::Duration::days(30))
        })
        .count();
    assert_eq!(soon, 2, "two cold-chain certificates expire within 30 days");
    let cert = &certs[0];
    assert_eq!(cert.detail("commonName"), Some(cert.name.as_str()));
    for key in [
        "issuerName",
        "serialNumber",
        "fingerprint",
        "notValidBefore",
        "notValidAfter",
    ] {
        assert!(cert.detail(key).is_some_and(|v| !v.is_empty()), "{key}");
    }
    let ca = &items[5];
    assert_eq!(ca.name, "Cold Chain device PKI");
    assert!(ca.detail("certificate 2").is_some(), "{:?}", ca.details);
}

#[tokio::test]
async fn a_certificate_is_uploaded_edited_toggled_and_deleted() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, "Smart Building Energy").await;
    let dir = tempfile::tempdir().expect("tmp");
    let (pem, not_after) = device_pem("hvac-ctl-12.energy.test", 90);
    let path = write(&dir, "hvac.pem", pem.as_bytes());

    let outcome = create(
        &adapter,
        Kind::Certificate,
        Some(&app),
        &[
            ("certificate", &path),
            ("description", "HVAC controller, floor 12"),
            ("filterType", "whitelist"),
            ("pubTopics", "hvac/12/state, hvac/12/alarm"),
            ("subTopics", ""),
        ],
        "create",
    )
    .await;
    let id = outcome.created.clone().expect("created id");
    assert!(
        outcome.summary.contains("hvac-ctl-12.energy.test"),
        "{}",
        outcome.summary
    );
    assert!(outcome.secret.is_none());

    let listed = by_id(&pane(&adapter, &app).await, &id);
    assert_eq!(listed.kind, Kind::Certificate);
    assert_eq!(listed.name, "hvac-ctl-12.energy.test");
    assert_eq!(listed.status.as_deref(), Some("active"));
    let t = target(&listed, &app);
    let got = adapter.get(&t).await.expect("get");
    assert_eq!(got.detail("commonName"), Some("hvac-ctl-12.energy.test"));
    assert_eq!(got.expires, Some(not_after));
    assert!(
        got.detail("notValidAfter")
            .is_some_and(|v| v.starts_with(&not_after.date().to_string())),
        "{:?}",
        got.detail("notValidAfter")
    );
    assert_eq!(got.detail("description"), Some("HVAC controller, floor 12"));
    assert_eq!(got.detail("filterType"), Some("whitelist"));
    assert_eq!(
        got.detail("pubTopics"),
        Some("hvac/12/state, hvac/12/alarm")
    );
    assert_eq!(got.detail("subTopics"), Some(""));

    update(
        &adapter,
        &t,
        &[
            ("description", "HVAC controller, floor 12 (moved)"),
            ("filterType", "all"),
            ("pubTopics", ""),
            ("subTopics", "hvac/12/setpoint"),
        ],
        "update",
    )
    .await;
    let got = adapter.get(&t).await.expect("get after update");
    assert_eq!(
        got.detail("description"),
        Some("HVAC controller, floor 12 (moved)")
    );
    assert_eq!(got.detail("filterType"), Some("all"));
    assert_eq!(got.detail("pubTopics"), Some(""));
    assert_eq!(got.detail("subTopics"), Some("hvac/12/setpoint"));

    let off = set_active(&adapter, &t, false, "disable").await;
    assert!(off.summary.starts_with("disabled"), "{}", off.summary);
    let got = by_id(&pane(&adapter, &app).await, &id);
    assert_eq!(got.status.as_deref(), Some("inactive"));
    assert_eq!(got.cells[1], "inactive");
    set_active(&adapter, &t, true, "enable").await;
    assert_eq!(status(&adapter, &t).await.as_deref(), Some("active"));

    delete(&adapter, &t).await;
    match adapter.get(&t).await {
        Err(PlatformError::NotFound(message)) => {
            assert_eq!(message, "NotFound: Application certificate was not found");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(pane(&adapter, &app).await.iter().all(|r| r.id != id));
}

#[tokio::test]
async fn pasted_pem_text_is_uploaded_without_a_private_key() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, "Fleet Telematics").await;
    let (pem, _) = device_pem("van-0300.fleet.test", 365);
    let with_key = format!("{pem}{}", KeyPair::generate().expect("key").serialize_pem());
    let outcome = create(
        &adapter,
        Kind::Certificate,
        Some(&app),
        &[("certificate", &with_key)],
        "create from pasted text",
    )
    .await;
    let id = outcome.created.expect("id");
    let listed = by_id(&pane(&adapter, &app).await, &id);
    assert_eq!(listed.name, "van-0300.fleet.test");
    assert_eq!(listed.detail("filterType"), Some("all"), "server default");
    // What reached the server: the certificate, and nothing else.
    let token = user_token(&sim.base).await;
    let stored: Value = reqwest::Client::new()
        .get(format!("{}/applications/{app}/certificates/{id}", sim.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let uploaded = stored["certificate"].as_str().expect("certificate echoed");
    assert_eq!(uploaded.matches("-----BEGIN CERTIFICATE-----").count(), 1);
    assert!(!uploaded.contains("PRIVATE KEY"), "{uploaded}");
}

#[tokio::test]
async fn broken_certificate_files_are_refused_before_any_request() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, COLD_CHAIN).await;
    let before = pane(&adapter, &app).await.len();
    let dir = tempfile::tempdir().expect("tmp");
    let notes = write(
        &dir,
        "notes.txt",
        b"this is a shopping list, not a certificate\n",
    );
    let garbage = write(
        &dir,
        "garbage.pem",
        b"-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGUgYXQgYWxsLCBqdXN0IHRleHQu\n-----END CERTIFICATE-----\n",
    );
    let missing = dir.path().join("absent.pem").display().to_string();

    // An adapter whose server is gone: any request would be a network error.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        login(&format!("http://127.0.0.1:{port}/losant"))
    };

    for (file, what) in [
        (&notes, "no certificate"),
        (&garbage, "not a valid X.509 certificate"),
        (&missing, "cannot read"),
    ] {
        for (kind, key) in [
            (Kind::Certificate, "certificate"),
            (Kind::CertificateAuthority, "caBundle"),
        ] {
            let op = Operation::Create {
                kind,
                parent: Some(app.clone()),
                values: values(&[("name", "x"), (key, file)]),
            };
            for a in [&adapter, &closed] {
                match a.perform(&op).await {
                    Err(PlatformError::Invalid(message)) => {
                        assert!(message.contains(file.as_str()), "{message}");
                        assert!(message.contains(what), "{message}");
                    }
                    other => panic!("{file}: expected Invalid, got {other:?}"),
                }
            }
        }
    }
    assert_eq!(pane(&adapter, &app).await.len(), before);
}

#[tokio::test]
async fn a_two_certificate_ca_bundle_is_added_toggled_and_deleted() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, "Fleet Telematics").await;
    let dir = tempfile::tempdir().expect("tmp");
    let (bundle, earliest) = two_cert_bundle();
    let path = write(&dir, "bundle.pem", bundle.as_bytes());
    let outcome = create(
        &adapter,
        Kind::CertificateAuthority,
        Some(&app),
        &[
            ("name", "Fleet PKI 2"),
            ("caBundle", &path),
            ("description", "Root and issuing CA"),
        ],
        "create CA",
    )
    .await;
    assert!(
        outcome.summary.contains("2 certificates"),
        "{}",
        outcome.summary
    );
    let id = outcome.created.expect("id");
    let items = pane(&adapter, &app).await;
    let ca = by_id(&items, &id);
    assert_eq!(ca.kind, Kind::CertificateAuthority);
    assert_eq!(ca.name, "Fleet PKI 2");
    assert_eq!(ca.cells[0], "ca");
    assert_eq!(ca.expires, Some(earliest), "the earliest notValidAfter");
    let first = ca.detail("certificate 1").expect("first");
    let second = ca.detail("certificate 2").expect("second");
    assert!(first.contains("Adapter Test Root"), "{first}");
    assert!(second.contains("Adapter Test Issuing CA"), "{second}");
    assert!(ca.detail("certificate 3").is_none());
    // Grouped: the new CA sits after every certificate and before the keys.
    let pos = items.iter().position(|r| r.id == id).expect("pos");
    assert!(items[..pos].iter().all(|r| r.kind != Kind::AccessKey));
    assert!(items[pos..].iter().all(|r| r.kind != Kind::Certificate));

    let t = target(&ca, &app);
    set_active(&adapter, &t, false, "disable").await;
    assert_eq!(status(&adapter, &t).await.as_deref(), Some("inactive"));
    update(
        &adapter,
        &t,
        &[("name", "Fleet PKI (2025)"), ("description", "")],
        "rename",
    )
    .await;
    let got = adapter.get(&t).await.expect("get");
    assert_eq!(got.name, "Fleet PKI (2025)");
    assert_eq!(got.detail("description"), Some(""));
    delete(&adapter, &t).await;
    assert!(matches!(
        adapter.get(&t).await,
        Err(PlatformError::NotFound(_))
    ));
}

#[tokio::test]
async fn an_access_key_shows_its_secret_once_and_toggles() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, "Smart Building Energy").await;
    let outcome = create(
        &adapter,
        Kind::AccessKey,
        Some(&app),
        &[
            ("name", "Meter gateways"),
            ("description", "Sub-metering gateways, floors 1 to 5"),
            ("filterType", "whitelist"),
            ("pubTopics", "meters/+/reading"),
            ("subTopics", "meters/+/config"),
        ],
        "create key",
    )
    .await;
    let id = outcome.created.clone().expect("id");
    let issued = outcome.secret.expect("secret");
    assert_eq!(issued.label, "access key secret");
    let key = issued.public_id.clone().expect("key");
    assert!(!issued.secret.expose().is_empty());
    assert!(outcome.follow_up.is_none());

    let items = pane(&adapter, &app).await;
    let listed = by_id(&items, &id);
    assert_eq!(listed.kind, Kind::AccessKey);
    assert_eq!(listed.name, "Meter gateways");
    assert_eq!(listed.detail("key"), Some(key.as_str()));
    assert_eq!(listed.detail("pubTopics"), Some("meters/+/reading"));
    assert_eq!(listed.status.as_deref(), Some("active"));
    let everything = format!("{items:?}");
    assert!(
        !everything.contains(issued.secret.expose()),
        "the secret is shown once, never listed"
    );

    let t = target(&listed, &app);
    let off = set_active(&adapter, &t, false, "deactivate").await;
    assert!(off.summary.starts_with("deactivated"), "{}", off.summary);
    assert_eq!(status(&adapter, &t).await.as_deref(), Some("inactive"));
    update(
        &adapter,
        &t,
        &[("name", ""), ("description", "renamed away")],
        "clear name",
    )
    .await;
    let got = adapter.get(&t).await.expect("get");
    assert_eq!(got.name, key, "an unnamed key shows its key");
    assert_eq!(got.detail("name"), None);
    delete(&adapter, &t).await;
    assert!(pane(&adapter, &app).await.iter().all(|r| r.id != id));
}

#[tokio::test]
async fn a_key_rotates_in_two_phases() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, "Fleet Telematics").await;
    let items = pane(&adapter, &app).await;
    let old = items
        .iter()
        .find(|r| r.name == "Route planner integration")
        .expect("demo key")
        .clone();
    let old_key = old.detail("key").expect("key").to_string();
    let t = target(&old, &app);

    let outcome = adapter
        .perform(&Operation::Rotate {
            target: t.clone(),
            previous: None,
        })
        .await
        .expect("rotate");
    let issued = outcome.secret.expect("new secret");
    let new_key = issued.public_id.clone().expect("new key");
    assert_ne!(new_key, old_key);
    let new_id = outcome.created.expect("new id");
    let follow = outcome.follow_up.expect("second phase");
    assert_eq!(
        follow.prompt,
        format!("Stored the new secret? Enter deactivates the old key {old_key}")
    );
    assert_eq!(
        follow.abort_note,
        format!("Rotation stopped: old key {old_key} and new key {new_key} are both active")
    );
    assert_eq!(
        follow.op,
        Operation::SetActive {
            target: t.clone(),
            active: false
        }
    );

    // Between the phases both keys work.
    let items = pane(&adapter, &app).await;
    let new = by_id(&items, &new_id);
    assert_eq!(by_id(&items, &old.id).status.as_deref(), Some("active"));
    assert_eq!(new.status.as_deref(), Some("active"));
    assert_eq!(new.name, old.name);
    for key in ["filterType", "pubTopics", "subTopics"] {
        assert_eq!(new.detail(key), old.detail(key), "{key} copied");
    }
    assert_eq!(new.detail("filterType"), Some("none"));
    assert_eq!(new.detail("pubTopics"), Some("fleet/routes/+/planned"));
    let description = new.detail("description").expect("description");
    assert!(description.contains(&old_key), "{description}");
    // The successor says which key it replaces, so a stopped rotation
    // can be finished later instead of started again.
    assert_eq!(new.detail("replaces"), Some(old.id.as_str()));
    assert_eq!(by_id(&items, &old.id).detail("replaces"), None);

    adapter.perform(&follow.op).await.expect("second phase");
    let items = pane(&adapter, &app).await;
    assert_eq!(by_id(&items, &old.id).status.as_deref(), Some("inactive"));
    assert_eq!(by_id(&items, &new_id).status.as_deref(), Some("active"));
}

#[tokio::test]
async fn long_lists_load_every_page_and_report_progress() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, COLD_CHAIN).await;
    for n in 0..5 {
        create(
            &adapter,
            Kind::AccessKey,
            Some(&app),
            &[("name", &format!("paging key {n}"))],
            "key",
        )
        .await;
    }
    let whole = pane(&adapter, &app).await;
    assert_eq!(whole.len(), 5 + 1 + 7);

    let paged = login(&sim.base).with_page_size(2);
    let (progress, seen) = recorder();
    let items = paged
        .list(Source::Pane(Pane::Certificates), Some(&app), progress)
        .await
        .expect("paged list");
    let ids = |list: &[Resource]| list.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&items), ids(&whole), "same items, same order");
    let unique: HashSet<_> = items.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(unique.len(), items.len());

    let seen = seen.lock().expect("lock").clone();
    // Certificates 3 pages, CA 1, keys 4: one report per page; the empty
    // API token list reports only if it is the last to say its total.
    assert!(matches!(seen.len(), 8 | 9), "{seen:?}");
    assert_eq!(seen.last(), Some(&(13, Some(13))), "{seen:?}");
    assert!(
        seen.windows(2)
            .all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1.is_none() && w[1].1.is_some())),
        "{seen:?}"
    );
    assert!(seen.iter().any(|(_, total)| total.is_none()), "{seen:?}");

    let (progress, seen) = recorder();
    let list = login(&sim.base)
        .with_page_size(1)
        .list(Source::Pane(Pane::Applications), None, progress)
        .await
        .expect("apps one per page");
    assert_eq!(list.len(), 3);
    assert_eq!(
        *seen.lock().expect("lock"),
        [(1, Some(3)), (2, Some(3)), (3, Some(3))]
    );
}

async fn user_token(base: &str) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/auth/user"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    body["token"].as_str().expect("token").to_string()
}

#[tokio::test]
async fn a_configured_token_works_and_a_wrong_one_is_an_auth_error() {
    let sim = sim().await;
    let token = user_token(&sim.base).await;
    let adapter = Losant::new(&sim.base, TIMEOUT, Auth::Token(Secret::new(token))).expect("a");
    assert_eq!(apps(&adapter).await.len(), 3);

    let wrong = Losant::new(&sim.base, TIMEOUT, Auth::Token(Secret::new("nope"))).expect("a");
    match wrong
        .list(Source::Pane(Pane::Applications), None, quiet())
        .await
    {
        Err(PlatformError::Auth(message)) => assert!(message.contains("token"), "{message}"),
        other => panic!("expected Auth, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_password_is_an_auth_error() {
    let sim = sim().await;
    let adapter = Losant::new(
        &sim.base,
        TIMEOUT,
        Auth::Login {
            email: EMAIL.into(),
            password: Secret::new("not-the-password"),
        },
    )
    .expect("adapter");
    match adapter
        .list(Source::Pane(Pane::Applications), None, quiet())
        .await
    {
        Err(PlatformError::Auth(message)) => assert!(message.contains(EMAIL), "{message}"),
        other => panic!("expected Auth, got {other:?}"),
    }
}

#[tokio::test]
async fn applications_are_created_edited_and_deleted() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let outcome = create(
        &adapter,
        Kind::Application,
        None,
        &[("name", "Yard Tractors"), ("description", "Terminal yard")],
        "create",
    )
    .await;
    let id = outcome.created.expect("id");
    let app = by_id(&apps(&adapter).await, &id);
    assert_eq!(app.name, "Yard Tractors");
    assert_eq!(app.cells[0], "Terminal yard");
    let t = Target {
        kind: Kind::Application,
        id: id.clone(),
        name: app.name.clone(),
        parent: None,
    };
    update(
        &adapter,
        &t,
        &[("name", "Yard Tractors EU"), ("description", "")],
        "update",
    )
    .await;
    let app = by_id(&apps(&adapter).await, &id);
    assert_eq!(app.name, "Yard Tractors EU");
    assert_eq!(app.detail("description"), Some(""));
    assert!(matches!(
        adapter
            .perform(&Operation::SetActive {
                target: t.clone(),
                active: false
            })
            .await,
        Err(PlatformError::Unsupported(_))
    ));
    delete(&adapter, &t).await;
    assert!(apps(&adapter).await.iter().all(|a| a.id != id));
}

#[tokio::test]
async fn capabilities_describe_the_three_panes() {
    use portico::platform::{PaneBody, Rotation};
    let caps = portico::platform::losant::capabilities();
    assert!(
        matches!(caps.pane(Pane::Projects).body(), PaneBody::Unsupported(r) if r.contains("organization"))
    );
    assert_eq!(
        caps.pane(Pane::Certificates).body(),
        &PaneBody::List {
            columns: vec!["Kind", "Status", "Expires"],
            scope: Some(Pane::Applications)
        }
    );
    assert_eq!(caps.pane(Pane::Applications).creates(), [Kind::Application]);
    assert_eq!(
        caps.pane(Pane::Certificates).creates(),
        [
            Kind::Certificate,
            Kind::CertificateAuthority,
            Kind::AccessKey,
            Kind::ApiToken
        ]
    );
    assert!(matches!(
        caps.kind(Kind::Certificate).expect("cert").rotate,
        Rotation::Renew { .. }
    ));
    let key = caps.kind(Kind::AccessKey).expect("key");
    assert!(matches!(key.rotate, Rotation::TwoPhase { .. }));
    assert_eq!(key.toggle, Some(("Activate", "Deactivate")));
    assert_eq!(
        caps.kind(Kind::Certificate).expect("cert").toggle,
        Some(("Enable", "Disable"))
    );
}

/// A stand-in Losant whose first login token is already expired and
/// whose later pages answer slowly, to see a renewal and concurrency.
mod stub {
    use super::*;
    use axum::Router;
    use axum::extract::{Query, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};
    use std::collections::HashMap;

    #[derive(Default)]
    pub struct Counters {
        pub logins: AtomicUsize,
        pub refused: AtomicUsize,
        pub posts: AtomicUsize,
        pub in_flight: AtomicUsize,
        pub most_in_flight: AtomicUsize,
    }

    fn token_ok(headers: &HeaderMap, counters: &Counters) -> bool {
        // The token of every odd-numbered login has "expired" already.
        let ok = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer token-"))
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n % 2 == 0);
        if !ok {
            counters.refused.fetch_add(1, Ordering::SeqCst);
        }
        ok
    }

    fn unauthorized() -> Response {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"type": "Unauthorized", "message": "Unauthorized"})),
        )
            .into_response()
    }

    async fn login(State(c): State<Arc<Counters>>) -> Response {
        let n = c.logins.fetch_add(1, Ordering::SeqCst) + 1;
        axum::Json(json!({"userId": "5f0000000000000000000009", "token": format!("token-{n}")}))
            .into_response()
    }

    async fn list(
        State(c): State<Arc<Counters>>,
        headers: HeaderMap,
        Query(q): Query<HashMap<String, String>>,
    ) -> Response {
        if !token_ok(&headers, &c) {
            return unauthorized();
        }
        let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
        let per_page: usize = q.get("perPage").and_then(|p| p.parse().ok()).unwrap_or(100);
        let now = c.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        c.most_in_flight.fetch_max(now, Ordering::SeqCst);
        if page > 0 {
            // Long enough for the other pages' requests to arrive meanwhile.
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        c.in_flight.fetch_sub(1, Ordering::SeqCst);
        let total = 10;
        let items: Vec<Value> = (page * per_page..((page + 1) * per_page).min(total))
            .map(|i| json!({"id": format!("{i:024x}"), "name": format!("app {i:02}")}))
            .collect();
        axum::Json(json!({
            "items": items, "count": items.len(), "totalCount": total,
            "perPage": per_page, "page": page
        }))
        .into_response()
    }

    async fn create(State(c): State<Arc<Counters>>, headers: HeaderMap) -> Response {
        if !token_ok(&headers, &c) {
            return unauthorized();
        }
        c.posts.fetch_add(1, Ordering::SeqCst);
        (
            StatusCode::CREATED,
            axum::Json(json!({"id": "5f00000000000000000000aa", "name": "New"})),
        )
            .into_response()
    }

    pub async fn start() -> (String, Arc<Counters>, tokio::task::JoinHandle<()>) {
        let counters = Arc::new(Counters::default());
        let app = Router::new()
            .route("/auth/user", post(login))
            .route("/applications", get(list).post(create))
            .with_state(counters.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (format!("http://{addr}"), counters, task)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_login_token_is_renewed_once_and_pages_load_concurrently() {
    let (base, counters, task) = stub::start().await;
    let adapter = login(&base).with_page_size(2);
    let (progress, seen) = recorder();
    let list = adapter
        .list(Source::Pane(Pane::Applications), None, progress)
        .await
        .expect("list after renewal");
    assert_eq!(list.len(), 10);
    assert_eq!(list[9].name, "app 09");
    assert_eq!(counters.logins.load(Ordering::SeqCst), 2, "one renewal");
    assert_eq!(counters.refused.load(Ordering::SeqCst), 1);
    assert!(
        counters.most_in_flight.load(Ordering::SeqCst) >= 2,
        "pages after the first are fetched concurrently"
    );
    assert_eq!(seen.lock().expect("lock").last(), Some(&(10, Some(10))));

    // A fresh adapter creates: its first token is refused, the create is
    // sent again with the renewed one, and made once.
    let adapter = login(&base);
    let outcome = create(
        &adapter,
        Kind::Application,
        None,
        &[("name", "New")],
        "create after renewal",
    )
    .await;
    assert_eq!(outcome.created.as_deref(), Some("5f00000000000000000000aa"));
    assert_eq!(counters.posts.load(Ordering::SeqCst), 1);
    assert_eq!(counters.logins.load(Ordering::SeqCst), 4);
    assert_eq!(counters.refused.load(Ordering::SeqCst), 2);
    task.abort();
}

/// The secret an outcome carries.
fn secret_of(outcome: &Outcome) -> String {
    outcome
        .secret
        .as_ref()
        .expect("a secret")
        .secret
        .expose()
        .to_string()
}

#[tokio::test]
async fn api_tokens_are_created_scoped_disabled_and_deleted() {
    let sim = sim().await;
    let admin = login(&sim.base);
    let app = app_id(&admin, COLD_CHAIN).await;
    let made = create(
        &admin,
        Kind::ApiToken,
        Some(&app),
        &[
            ("name", "Read-only dashboard"),
            ("scope", "all.Application.read"),
        ],
        "create token",
    )
    .await;
    assert!(
        made.summary.contains("all.Application.read"),
        "{}",
        made.summary
    );
    let token = secret_of(&made);
    let id = made.created.clone().expect("id");
    let listed = by_id(&pane(&admin, &app).await, &id);
    assert_eq!(listed.kind, Kind::ApiToken);
    assert_eq!(listed.detail("scope"), Some("all.Application.read"));
    assert!(listed.refused.is_empty(), "a user login may do anything");

    // The read-only token lists, sees each change refused with the
    // scope it lacks, and a PATCH it sends anyway is a 403.
    let ro = Losant::new(&sim.base, TIMEOUT, Auth::Token(Secret::new(token))).expect("ro");
    let ro_apps = apps(&ro).await;
    assert_eq!(
        ro_apps.len(),
        1,
        "an application token sees its application"
    );
    let items = pane(&ro, &app).await;
    let cert = items
        .iter()
        .find(|r| r.kind == Kind::Certificate)
        .expect("a certificate");
    for change in [Change::Edit, Change::Delete, Change::Rotate, Change::Toggle] {
        let why = cert.refusal(change).unwrap_or_else(|| panic!("{change:?}"));
        assert!(why.contains("all.Application.read"), "{why}");
    }
    assert!(ro_apps[0].refusal(Change::CreateUnder).is_some());
    let err = ro
        .perform(&Operation::SetActive {
            target: target(cert, &app),
            active: false,
        })
        .await
        .expect_err("read-only");
    assert!(
        matches!(&err, PlatformError::Api { status: 403, .. }),
        "{err:?}"
    );

    let t = target(&listed, &app);
    set_active(&admin, &t, false, "disable token").await;
    assert_eq!(status(&admin, &t).await.as_deref(), Some("inactive"));
    let err = ro
        .list(Source::Pane(Pane::Applications), None, quiet())
        .await
        .expect_err("a disabled token is refused");
    assert!(matches!(err, PlatformError::Auth(_)), "{err:?}");
    update(&admin, &t, &[("name", "Renamed")], "rename token").await;
    delete(&admin, &t).await;
    assert!(pane(&admin, &app).await.iter().all(|r| r.id != id));
}

#[tokio::test]
async fn a_certificate_is_renewed_in_place_after_a_preview() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, "Smart Building Energy").await;
    let dir = tempfile::tempdir().expect("tmp");
    let cn = "renew-me.energy.test";
    let (pem, _) = device_pem(cn, 90);
    let path = write(&dir, "old.pem", pem.as_bytes());
    let made = create(
        &adapter,
        Kind::Certificate,
        Some(&app),
        &[("certificate", &path)],
        "upload",
    )
    .await;
    let id = made.created.expect("id");
    let t = target(&by_id(&pane(&adapter, &app).await, &id), &app);

    let (soon, soon_after) = device_pem(cn, 5);
    let soon_path = write(&dir, "soon.pem", soon.as_bytes());
    let op = Operation::Update {
        target: t.clone(),
        values: values(&[("certificate", &soon_path)]),
    };
    let lines = adapter.preview(&op).await.expect("preview");
    let text = lines.join("\n");
    for part in [
        "subject: CN=renew-me.energy.test",
        "issuer: ",
        "SHA-256: ",
        "subject matches",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    assert!(text.contains("days left"), "{text}");
    let outcome = adapter.perform(&op).await.expect("renew");
    assert!(
        !outcome.checks.is_empty() && outcome.checks.iter().all(|c| c.passed),
        "{:?}",
        outcome.checks
    );
    let renewed = adapter.get(&t).await.expect("get");
    assert_eq!(renewed.id, id, "same certificate");
    let expires = renewed.expires.expect("expiry");
    assert!((expires - soon_after).abs() < time::Duration::seconds(1));
    assert!(
        renewed
            .detail("fingerprint")
            .is_some_and(|f| f.starts_with("SHA-256 ") && f.contains(':')),
        "{:?}",
        renewed.details
    );

    let (other, _) = device_pem("someone-else.test", 700);
    let other_path = write(&dir, "other.pem", other.as_bytes());
    let op = Operation::Update {
        target: t.clone(),
        values: values(&[("certificate", &other_path)]),
    };
    let text = adapter.preview(&op).await.expect("preview").join("\n");
    assert!(text.contains("SUBJECT DIFFERS"), "{text}");

    let broken = write(&dir, "broken.pem", b"not a certificate");
    let op = Operation::Update {
        target: t.clone(),
        values: values(&[("certificate", &broken)]),
    };
    assert!(matches!(
        adapter.preview(&op).await,
        Err(PlatformError::Invalid(_))
    ));
}

async fn device_login(base: &str, device: &str, key: &str, secret: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/auth/device"))
        .json(&json!({"deviceId": device, "key": key, "secret": secret}))
        .send()
        .await
        .expect("device login")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_rotated_key_logs_a_device_in_and_the_old_one_stops_once_deactivated() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, "Fleet Telematics").await;
    let made = create(
        &adapter,
        Kind::AccessKey,
        Some(&app),
        &[("name", "rotate me")],
        "create key",
    )
    .await;
    let old_secret = secret_of(&made);
    let old_key = made
        .secret
        .as_ref()
        .and_then(|s| s.public_id.clone())
        .expect("key");
    let id = made.created.expect("id");
    let old = by_id(&pane(&adapter, &app).await, &id);
    assert_eq!(
        old.detail("devices"),
        Some("every device of the application")
    );

    let token = user_token(&sim.base).await;
    let devices: Value = reqwest::Client::new()
        .get(format!("{}/applications/{app}/devices", sim.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("devices")
        .json()
        .await
        .expect("json");
    let device = devices["items"][0]["id"]
        .as_str()
        .expect("device")
        .to_string();
    assert_eq!(
        device_login(&sim.base, &device, &old_key, &old_secret).await,
        200
    );

    let outcome = adapter
        .perform(&Operation::Rotate {
            target: target(&old, &app),
            previous: None,
        })
        .await
        .expect("rotate");
    let check = outcome
        .checks
        .iter()
        .find(|c| c.label.contains("/auth/device"))
        .expect("a device login check");
    assert!(check.passed, "{check:?}");
    let follow = outcome.follow_up.expect("second phase");
    adapter.perform(&follow.op).await.expect("deactivate old");
    assert_eq!(
        device_login(&sim.base, &device, &old_key, &old_secret).await,
        401
    );
    let new_key = outcome.secret.expect("new secret");
    assert_eq!(
        device_login(
            &sim.base,
            &device,
            new_key.public_id.as_deref().expect("key"),
            new_key.secret.expose()
        )
        .await,
        200
    );
}

/// Ids of the application's devices, from the API itself.
async fn device_ids(base: &str, app: &str) -> Vec<String> {
    let token = user_token(base).await;
    let body: Value = reqwest::Client::new()
        .get(format!("{base}/applications/{app}/devices"))
        .bearer_auth(token)
        .send()
        .await
        .expect("devices")
        .json()
        .await
        .expect("devices json");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn a_key_made_for_some_devices_shows_them_and_keeps_them_through_edits() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, COLD_CHAIN).await;
    let devices = device_ids(&sim.base, &app).await;
    let device = devices.first().expect("a demo device").clone();
    let outcome = create(
        &adapter,
        Kind::AccessKey,
        Some(&app),
        &[
            ("name", "Reefer 7"),
            ("filterType", "whitelist"),
            ("pubTopics", "reefer/7/state"),
            ("subTopics", "reefer/7/cmd"),
            ("deviceIds", &device),
            ("deviceTags", "fleet=north, spare"),
        ],
        "create a key for one device",
    )
    .await;
    let id = outcome.created.expect("id");
    let t = Target {
        kind: Kind::AccessKey,
        id: id.clone(),
        name: "Reefer 7".into(),
        parent: Some(app.clone()),
    };
    let got = adapter.get(&t).await.expect("get");
    assert_eq!(got.detail("filterType"), Some("whitelist"));
    assert_eq!(got.detail("pubTopics"), Some("reefer/7/state"));
    assert_eq!(got.detail("subTopics"), Some("reefer/7/cmd"));
    assert_eq!(got.detail("deviceIds"), Some(device.as_str()));
    assert_eq!(got.detail("deviceTags"), Some("fleet=north, spare="));
    assert_eq!(got.detail("devices"), Some("only the devices listed"));

    // Filter and topics change in place; the devices stay as made.
    update(
        &adapter,
        &t,
        &[
            ("filterType", "blacklist"),
            ("pubTopics", "reefer/7/#"),
            ("subTopics", ""),
        ],
        "edit topics",
    )
    .await;
    let got = adapter.get(&t).await.expect("get");
    assert_eq!(got.detail("filterType"), Some("blacklist"));
    assert_eq!(got.detail("pubTopics"), Some("reefer/7/#"));
    assert_eq!(got.detail("subTopics"), Some(""));
    assert_eq!(got.detail("deviceIds"), Some(device.as_str()));

    // The create form offers the devices, the edit form does not: Losant's
    // key Patch schema has no place for them.
    let caps = portico::platform::losant::capabilities();
    let spec = caps.kind(Kind::AccessKey).expect("key spec");
    let keys = |fields: &Option<Vec<portico::platform::Field>>| -> Vec<&str> {
        fields.iter().flatten().map(|f| f.key).collect()
    };
    assert!(keys(&spec.create).contains(&"deviceIds"));
    assert!(keys(&spec.create).contains(&"deviceTags"));
    assert!(!keys(&spec.edit).contains(&"deviceIds"));
}

#[tokio::test]
async fn losant_validation_errors_come_back_field_by_field() {
    let sim = sim().await;
    let adapter = login(&sim.base);
    let app = app_id(&adapter, COLD_CHAIN).await;
    let before = pane(&adapter, &app).await.len();
    let op = Operation::Create {
        kind: Kind::AccessKey,
        parent: Some(app.clone()),
        values: values(&[
            ("name", "Bad devices"),
            ("deviceIds", "not-an-object-id"),
            ("pubTopics", "ok/topic"),
        ]),
    };
    let err = adapter
        .perform(&op)
        .await
        .expect_err("an invalid device id");
    let PlatformError::Rejected {
        status,
        ref message,
        ref fields,
    } = err
    else {
        panic!("not a field-keyed refusal: {err:?}");
    };
    assert_eq!(status, 400);
    assert!(message.starts_with("Validation"), "{message}");
    assert_eq!(err.field_errors().len(), fields.len());
    let named: Vec<&str> = fields
        .iter()
        .map(portico::platform::FieldError::field)
        .collect();
    assert_eq!(named, vec!["deviceIds"], "{fields:?}");
    assert!(
        fields[0].message().contains("not-an-object-id"),
        "{fields:?}"
    );
    assert_eq!(pane(&adapter, &app).await.len(), before, "nothing was made");

    // Several broken rules: each names its own field.
    let name = "n".repeat(256);
    let op = Operation::Create {
        kind: Kind::AccessKey,
        parent: Some(app.clone()),
        values: values(&[
            ("name", &name),
            ("deviceTags", "bad key!=x"),
            ("deviceIds", "575ecf887ae143cd83dc4aa2"),
        ]),
    };
    let err = adapter.perform(&op).await.expect_err("two broken rules");
    let mut named: Vec<&str> = err
        .field_errors()
        .iter()
        .map(portico::platform::FieldError::field)
        .collect();
    named.sort_unstable();
    assert_eq!(named, vec!["deviceTags", "name"], "{err:?}");

    // A refusal without a list stays a plain API error.
    let t = Target {
        kind: Kind::Application,
        id: "5f0000000000000000000000".into(),
        name: "gone".into(),
        parent: None,
    };
    let err = adapter
        .perform(&Operation::Delete { target: t })
        .await
        .expect_err("no such application");
    assert!(err.field_errors().is_empty(), "{err:?}");
}

#[tokio::test]
async fn a_tenants_page_size_sets_the_rows_asked_for_a_page() {
    let sim = sim().await;
    let base = sim.base.trim_end_matches("/losant").to_string();
    let text = portico::sim::losant::demo_config(&base)
        .replace("color = \"magenta\"", "color = \"magenta\"\npage_size = 2");
    let config = portico::config::Config::parse(&text, "test").expect("config");
    let platform = portico::platform::registry::connect(&config.tenants()[0]).expect("connect");
    assert_eq!(platform.page_size(), Some(2));
    let (progress, reports) = recorder();
    let paged = platform
        .list_paged(Source::Pane(Pane::Applications), None, progress)
        .await
        .expect("list");
    let rows = paged.items().len();
    assert!(rows > 2, "the demo holds more than one page: {rows}");
    assert_eq!(paged.pages(), rows.div_ceil(2));
    assert_eq!(
        reports.lock().expect("lock").len(),
        rows.div_ceil(2),
        "one report a page of two"
    );
}

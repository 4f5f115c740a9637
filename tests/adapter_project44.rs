//! The project44 adapter over real HTTP: every operation against the
//! simulator, and the shared client's error paths against small scripted
//! servers started here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use portico::model::{Kind, Pane, Resource, Secret};
use portico::platform::project44::Project44;
use portico::platform::{
    Operation, Outcome, Platform, PlatformError, Progress, Source, Target, Values,
};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

type TestResult = Result<(), Box<dyn std::error::Error>>;
type Boxed<T> = Result<T, Box<dyn std::error::Error>>;

const TIMEOUT: Duration = Duration::from_secs(10);
const APPS: &str = "/api/v4/oauth2/client-applications";

// ---- the simulator ----

struct Sim {
    _running: portico::sim::Running,
    base: String,
}

impl Sim {
    async fn start() -> Boxed<Self> {
        let running = portico::platform::registry::start_simulator("127.0.0.1:0".parse()?).await?;
        let base = running.base_url();
        Ok(Self {
            _running: running,
            base,
        })
    }

    fn region_url(&self, region: &str) -> String {
        format!("{}/project44/{region}", self.base)
    }

    fn admin(&self, region: &str) -> Boxed<Project44> {
        let (user, password) = match region {
            "na" => ("admin@na.portico.demo", "portico-demo-na"),
            "eu" => ("admin@eu.portico.demo", "portico-demo-eu"),
            "sandbox" => ("admin@sandbox.portico.demo", "portico-demo-sandbox"),
            other => return Err(format!("no demo user for region {other}").into()),
        };
        self.user(region, user, password)
    }

    fn user(&self, region: &str, user: &str, password: &str) -> Boxed<Project44> {
        Ok(Project44::new(
            &self.region_url(region),
            TIMEOUT,
            user.to_string(),
            Secret::new(password),
        )?)
    }
}

fn no_progress() -> Progress {
    Arc::new(|_, _| {})
}

async fn list(p: &dyn Platform) -> Result<Vec<Resource>, PlatformError> {
    p.list(Source::Pane(Pane::Applications), None, no_progress())
        .await
}

fn name_values(name: &str) -> Values {
    vec![("name".to_string(), name.to_string())]
}

fn create_op(name: &str) -> Operation {
    Operation::Create {
        kind: Kind::ClientApp,
        parent: None,
        values: name_values(name),
    }
}

fn target(id: &str, name: &str) -> Target {
    Target {
        kind: Kind::ClientApp,
        id: id.to_string(),
        name: name.to_string(),
        parent: None,
    }
}

/// The id and secret an outcome issued, after checking its shape.
fn issued(outcome: &Outcome) -> Boxed<(String, Secret)> {
    let secret = outcome.secret.as_ref().ok_or("outcome carries no secret")?;
    let id = secret
        .public_id
        .clone()
        .ok_or("issued secret has no public id")?;
    assert!(!id.is_empty());
    assert!(!secret.secret.expose().is_empty());
    assert!(!outcome.checks.is_empty());
    assert!(
        outcome.checks.iter().all(|c| c.passed),
        "{:?}",
        outcome.checks
    );
    assert!(outcome.checks[0].label.contains("new secret accepted"));
    assert!(outcome.follow_up.is_none());
    Ok((id, secret.secret.clone()))
}

async fn create(p: &Project44, name: &str) -> Boxed<(String, Secret)> {
    let outcome = p.perform(&create_op(name)).await?;
    issued(&outcome)
}

// ---- the simulator: every operation ----

#[tokio::test]
async fn list_returns_the_seeded_apps() -> TestResult {
    let sim = Sim::start().await?;
    let apps = list(&sim.admin("na")?).await?;
    assert!(!apps.is_empty());
    for app in &apps {
        assert_eq!(app.kind, Kind::ClientApp);
        assert!(!app.id.is_empty());
        assert!(!app.name.trim().is_empty());
        assert_eq!(app.cells, vec![app.id.clone()]);
        assert_eq!(app.detail("client id"), Some(app.id.as_str()));
        assert_eq!(
            app.detail("machine user"),
            Some(format!("app-{}@client-applications.project44.com", app.id).as_str())
        );
    }
    let mut ids: Vec<_> = apps.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), apps.len(), "ids are not unique");
    Ok(())
}

#[tokio::test]
async fn other_panes_list_nothing() -> TestResult {
    let sim = Sim::start().await?;
    let p = sim.admin("na")?;
    for pane in [Pane::Projects, Pane::Certificates] {
        let rows = p.list(Source::Pane(pane), None, no_progress()).await?;
        assert!(rows.is_empty(), "{pane:?}");
    }
    Ok(())
}

#[tokio::test]
async fn create_issues_a_working_secret_and_the_app_is_listed() -> TestResult {
    let sim = Sim::start().await?;
    let p = sim.admin("na")?;
    let before = list(&p).await?;

    let outcome = p.perform(&create_op("Warehouse Robot Fleet")).await?;
    let (id, secret) = issued(&outcome)?;
    assert!(outcome.summary.contains("Warehouse Robot Fleet"));
    assert!(before.iter().all(|a| a.id != id), "id reused");

    let after = list(&p).await?;
    assert_eq!(after.len(), before.len() + 1);
    let listed = after
        .iter()
        .find(|a| a.id == id)
        .ok_or("new app not listed")?;
    assert_eq!(listed.name, "Warehouse Robot Fleet");

    let got = p.get_app(&id).await?;
    assert_eq!(got.id, id);
    assert_eq!(got.name, "Warehouse Robot Fleet");
    assert_eq!(got.kind, Kind::ClientApp);

    assert!(p.verify(&id, &secret).await?);
    assert!(!p.verify(&id, &Secret::new("not-the-secret")).await?);
    Ok(())
}

#[tokio::test]
async fn rename_changes_the_name() -> TestResult {
    let sim = Sim::start().await?;
    let p = sim.admin("na")?;
    let (id, secret) = create(&p, "Old Name").await?;

    let outcome = p
        .perform(&Operation::Update {
            target: target(&id, "Old Name"),
            values: name_values("New Name"),
        })
        .await?;
    assert!(outcome.secret.is_none());
    assert!(outcome.summary.contains("New Name"));
    assert_eq!(p.get_app(&id).await?.name, "New Name");
    // Renaming leaves the credential alone.
    assert!(p.verify(&id, &secret).await?);
    Ok(())
}

#[tokio::test]
async fn rename_of_an_unknown_app_is_not_found() -> TestResult {
    let sim = Sim::start().await?;
    let p = sim.admin("na")?;
    let err = p
        .perform(&Operation::Update {
            target: target("NoSuchApp000", "Ghost"),
            values: name_values("Still Ghost"),
        })
        .await
        .err()
        .ok_or("rename of an unknown app succeeded")?;
    assert!(matches!(err, PlatformError::NotFound(_)), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn rotate_replaces_the_secret() -> TestResult {
    let sim = Sim::start().await?;
    let p = sim.admin("na")?;
    let (id, old) = create(&p, "Rotation Target").await?;

    let outcome = p
        .perform(&Operation::Rotate {
            target: target(&id, "Rotation Target"),
            previous: Some(old.clone()),
        })
        .await?;
    let (rotated_id, new) = issued(&outcome)?;
    assert_eq!(outcome.checks.len(), 2, "{:?}", outcome.checks);
    assert!(
        outcome.checks.iter().all(|c| c.passed),
        "{:?}",
        outcome.checks
    );
    assert!(outcome.checks[1].label.contains("previous secret rejected"));
    assert_eq!(rotated_id, id);
    assert_ne!(new.expose(), old.expose());

    assert!(!p.verify(&id, &old).await?);
    assert!(p.verify(&id, &new).await?);
    Ok(())
}

#[tokio::test]
async fn delete_removes_the_app() -> TestResult {
    let sim = Sim::start().await?;
    let p = sim.admin("na")?;
    let (id, secret) = create(&p, "Short Lived").await?;

    let outcome = p
        .perform(&Operation::Delete {
            target: target(&id, "Short Lived"),
        })
        .await?;
    assert!(outcome.secret.is_none());
    assert!(outcome.summary.contains("Short Lived"));

    let err = p
        .get_app(&id)
        .await
        .err()
        .ok_or("deleted app still found")?;
    assert!(matches!(err, PlatformError::NotFound(_)), "{err:?}");
    assert!(list(&p).await?.iter().all(|a| a.id != id));
    assert!(!p.verify(&id, &secret).await?);

    // A second delete has nothing left to remove.
    let again = p
        .perform(&Operation::Delete {
            target: target(&id, "Short Lived"),
        })
        .await
        .err()
        .ok_or("second delete succeeded")?;
    assert!(matches!(again, PlatformError::NotFound(_)), "{again:?}");
    Ok(())
}

#[tokio::test]
async fn set_active_is_unsupported() -> TestResult {
    let sim = Sim::start().await?;
    let p = sim.admin("na")?;
    let apps = list(&p).await?;
    let first = apps.first().ok_or("no seeded app")?;
    let err = p
        .perform(&Operation::SetActive {
            target: target(&first.id, &first.name),
            active: false,
        })
        .await
        .err()
        .ok_or("deactivation succeeded")?;
    assert!(matches!(err, PlatformError::Unsupported(_)), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn wrong_password_is_an_auth_error() -> TestResult {
    let sim = Sim::start().await?;
    let bad = sim.user("na", "admin@na.portico.demo", "wrong-password")?;
    let before = list(&sim.admin("na")?).await?.len();

    let err = list(&bad).await.err().ok_or("list with a bad password")?;
    assert!(matches!(err, PlatformError::Auth(_)), "{err:?}");

    let err = bad
        .perform(&create_op("Should Not Exist"))
        .await
        .err()
        .ok_or("create with a bad password")?;
    assert!(matches!(err, PlatformError::Auth(_)), "{err:?}");
    assert_eq!(list(&sim.admin("na")?).await?.len(), before);

    // Another region's admin is a stranger here too.
    let foreign = sim.user("na", "admin@eu.portico.demo", "portico-demo-eu")?;
    let err = list(&foreign)
        .await
        .err()
        .ok_or("list as another region's admin")?;
    assert!(matches!(err, PlatformError::Auth(_)), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn empty_name_is_refused_before_any_request() -> TestResult {
    let sim = Sim::start().await?;
    let p = sim.admin("na")?;
    let before = list(&p).await?.len();
    let first = list(&p).await?.into_iter().next().ok_or("no seeded app")?;

    for name in ["", "   "] {
        let err = p
            .perform(&create_op(name))
            .await
            .err()
            .ok_or("create with an empty name")?;
        assert!(matches!(err, PlatformError::Invalid(_)), "{err:?}");

        let err = p
            .perform(&Operation::Update {
                target: target(&first.id, &first.name),
                values: name_values(name),
            })
            .await
            .err()
            .ok_or("rename to an empty name")?;
        assert!(matches!(err, PlatformError::Invalid(_)), "{err:?}");
    }
    let missing = p
        .perform(&Operation::Create {
            kind: Kind::ClientApp,
            parent: None,
            values: Vec::new(),
        })
        .await
        .err()
        .ok_or("create without a name")?;
    assert!(matches!(missing, PlatformError::Invalid(_)), "{missing:?}");

    assert_eq!(list(&p).await?.len(), before);
    assert_eq!(p.get_app(&first.id).await?.name, first.name);

    // The simulator would answer 400 (Api), so Invalid alone shows nothing was
    // sent; a server that counts requests proves it outright.
    let server = Scripted::start(|_, _| Some(list_body())).await?;
    let p = server.adapter(TIMEOUT)?;
    let err = p.perform(&create_op("")).await.err().ok_or("created")?;
    assert!(matches!(err, PlatformError::Invalid(_)), "{err:?}");
    assert_eq!(server.hits(), 0);
    Ok(())
}

#[tokio::test]
async fn tenants_are_isolated() -> TestResult {
    let sim = Sim::start().await?;
    let na = sim.admin("na")?;
    let eu = sim.admin("eu")?;
    let eu_before = list(&eu).await?;

    let (id, secret) = create(&na, "North America Only").await?;
    let err = eu.get_app(&id).await.err().ok_or("NA app visible on EU")?;
    assert!(matches!(err, PlatformError::NotFound(_)), "{err:?}");
    assert!(!eu.verify(&id, &secret).await?);
    assert_eq!(list(&eu).await?, eu_before);
    assert!(list(&na).await?.iter().any(|a| a.id == id));
    Ok(())
}

#[tokio::test]
async fn debug_of_an_outcome_hides_the_secret() -> TestResult {
    let sim = Sim::start().await?;
    let p = sim.admin("na")?;
    let outcome = p.perform(&create_op("Debug Check")).await?;
    let (id, secret) = issued(&outcome)?;
    for text in [format!("{outcome:?}"), format!("{outcome:#?}")] {
        assert!(!text.contains(secret.expose()), "secret leaked: {text}");
        // The public id is not secret and helps when reading logs.
        assert!(text.contains(&id));
    }
    Ok(())
}

// ---- the shared client's error paths, against scripted servers ----

/// Answers the n-th request (from 0) with the script's response; `None`
/// never answers. Records every request it sees.
type Script = dyn Fn(usize, &Method) -> Option<Response> + Send + Sync;

struct Scripted {
    base: String,
    seen: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Scripted {
    async fn start(
        script: impl Fn(usize, &Method) -> Option<Response> + Send + Sync + 'static,
    ) -> Boxed<Self> {
        let script: Arc<Script> = Arc::new(script);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let app = axum::Router::new().fallback(move |req: Request| {
            let script = script.clone();
            let record = record.clone();
            async move {
                let n = {
                    let mut seen = record
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    seen.push(format!("{} {}", req.method(), req.uri().path()));
                    seen.len() - 1
                };
                match script(n, req.method()) {
                    Some(resp) => resp,
                    None => std::future::pending().await,
                }
            }
        });
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { base, seen, task })
    }

    fn adapter(&self, timeout: Duration) -> Boxed<Project44> {
        Ok(Project44::new(
            &self.base,
            timeout,
            "admin@na.portico.demo".to_string(),
            Secret::new("portico-demo-na"),
        )?)
    }

    fn seen(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn hits(&self) -> usize {
        self.seen().len()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn list_body() -> Response {
    axum::Json(serde_json::json!({
        "clientApplications": [{ "id": "abc123", "name": "Scripted App" }]
    }))
    .into_response()
}

fn status(code: StatusCode) -> Response {
    (code, axum::Json(serde_json::json!({}))).into_response()
}

fn rate_limited() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "1")],
        axum::Json(serde_json::json!({ "errorMessage": "Too many requests." })),
    )
        .into_response()
}

#[tokio::test]
async fn a_500_with_an_html_body_is_a_readable_api_error() -> TestResult {
    let server = Scripted::start(|_, _| {
        Some(
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/html")],
                "<html>\n  <body>upstream crashed</body>\n</html>\n",
            )
                .into_response(),
        )
    })
    .await?;
    let err = list(&server.adapter(TIMEOUT)?)
        .await
        .err()
        .ok_or("500 was a success")?;
    let PlatformError::Api { status, message } = &err else {
        return Err(format!("expected Api, got {err:?}").into());
    };
    assert_eq!(*status, 500);
    assert!(message.contains("upstream crashed"), "{message}");
    assert!(!message.contains('\n'), "{message:?}");
    assert!(err.to_string().starts_with("HTTP 500: "), "{err}");
    // A 500 is not a transient gateway answer: no retry.
    assert_eq!(server.hits(), 1);
    Ok(())
}

#[tokio::test]
async fn a_vendor_error_body_gives_its_message() -> TestResult {
    let server = Scripted::start(|_, _| {
        Some(
            (
                StatusCode::FORBIDDEN,
                axum::Json(serde_json::json!({
                    "httpStatusCode": 403,
                    "httpMessage": "Forbidden",
                    "errorMessage": "User lacks the tenant admin role.",
                    "errors": [],
                })),
            )
                .into_response(),
        )
    })
    .await?;
    let err = list(&server.adapter(TIMEOUT)?)
        .await
        .err()
        .ok_or("403 was a success")?;
    assert_eq!(
        err,
        PlatformError::Api {
            status: 403,
            message: "User lacks the tenant admin role.".into()
        }
    );
    Ok(())
}

#[tokio::test]
async fn a_broken_json_body_is_a_decode_error() -> TestResult {
    let server = Scripted::start(|_, _| {
        Some(
            (
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"clientApplications": [{"id": "abc""#,
            )
                .into_response(),
        )
    })
    .await?;
    let err = list(&server.adapter(TIMEOUT)?)
        .await
        .err()
        .ok_or("broken JSON decoded")?;
    let PlatformError::Decode(message) = &err else {
        return Err(format!("expected Decode, got {err:?}").into());
    };
    assert!(message.contains("HTTP 200"), "{message}");
    assert_eq!(server.hits(), 1);
    Ok(())
}

#[tokio::test]
async fn a_create_answer_without_a_secret_is_a_decode_error() -> TestResult {
    let server = Scripted::start(|_, _| {
        Some(
            (
                StatusCode::CREATED,
                axum::Json(serde_json::json!({ "id": "abc123", "name": "No Secret" })),
            )
                .into_response(),
        )
    })
    .await?;
    let err = server
        .adapter(TIMEOUT)?
        .perform(&create_op("No Secret"))
        .await
        .err()
        .ok_or("create without a secret succeeded")?;
    assert!(matches!(err, PlatformError::Decode(_)), "{err:?}");
    assert_eq!(server.hits(), 1);
    Ok(())
}

#[tokio::test]
async fn a_429_on_a_read_is_retried_after_retry_after() -> TestResult {
    let server =
        Scripted::start(|n, _| Some(if n == 0 { rate_limited() } else { list_body() })).await?;
    let started = Instant::now();
    let apps = list(&server.adapter(TIMEOUT)?).await?;
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].id, "abc123");
    assert_eq!(server.hits(), 2);
    // Retry-After: 1 was honoured rather than the shorter backoff.
    assert!(started.elapsed() >= Duration::from_millis(900));
    Ok(())
}

#[tokio::test]
async fn a_429_on_a_create_is_not_retried() -> TestResult {
    let server = Scripted::start(|_, _| Some(rate_limited())).await?;
    let err = server
        .adapter(TIMEOUT)?
        .perform(&create_op("Rate Limited"))
        .await
        .err()
        .ok_or("create succeeded")?;
    assert_eq!(
        err,
        PlatformError::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        }
    );
    assert_eq!(server.seen(), vec![format!("POST {APPS}")]);
    Ok(())
}

#[tokio::test]
async fn a_429_on_a_rotation_is_not_retried() -> TestResult {
    let server = Scripted::start(|_, _| Some(rate_limited())).await?;
    let err = server
        .adapter(TIMEOUT)?
        .perform(&Operation::Rotate {
            target: target("abc123", "Scripted App"),
            previous: None,
        })
        .await
        .err()
        .ok_or("rotation succeeded")?;
    assert!(matches!(err, PlatformError::RateLimited { .. }), "{err:?}");
    assert_eq!(
        server.seen(),
        vec![format!("POST {APPS}/abc123/new-secret")]
    );
    Ok(())
}

#[tokio::test]
async fn a_long_retry_after_is_reported_not_waited() -> TestResult {
    let server = Scripted::start(|_, _| {
        Some(
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "120")],
            )
                .into_response(),
        )
    })
    .await?;
    let started = Instant::now();
    let err = list(&server.adapter(TIMEOUT)?)
        .await
        .err()
        .ok_or("listed")?;
    assert_eq!(
        err,
        PlatformError::RateLimited {
            retry_after: Some(Duration::from_mins(2))
        }
    );
    assert_eq!(server.hits(), 1);
    assert!(started.elapsed() < Duration::from_secs(5));
    Ok(())
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() -> TestResult {
    let server = Scripted::start(|_, _| None).await?;
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = list(&server.adapter(timeout)?)
        .await
        .err()
        .ok_or("silence was a success")?;
    assert_eq!(err, PlatformError::Timeout(timeout));
    assert!(server.hits() >= 1);
    assert!(started.elapsed() < Duration::from_secs(5));
    Ok(())
}

#[tokio::test]
async fn a_body_that_stalls_times_out() -> TestResult {
    // Headers arrive at once, then the body stops half way: the client's
    // overall timeout must still name itself as a timeout.
    let server = Scripted::start(|_, _| {
        let start = futures_util::stream::once(async {
            Ok::<_, std::io::Error>(Bytes::from_static(b"{\"clientApplications\": ["))
        });
        let body = Body::from_stream(start.chain(futures_util::stream::pending()));
        Some(([(header::CONTENT_TYPE, "application/json")], body).into_response())
    })
    .await?;
    let timeout = Duration::from_millis(300);
    let err = list(&server.adapter(timeout)?)
        .await
        .err()
        .ok_or("a stalled body was a success")?;
    assert_eq!(err, PlatformError::Timeout(timeout));
    Ok(())
}

#[tokio::test]
async fn a_503_twice_then_200_on_a_read_succeeds() -> TestResult {
    let server = Scripted::start(|n, _| {
        Some(if n < 2 {
            status(StatusCode::SERVICE_UNAVAILABLE)
        } else {
            list_body()
        })
    })
    .await?;
    let apps = list(&server.adapter(TIMEOUT)?).await?;
    assert_eq!(apps.len(), 1);
    assert_eq!(server.hits(), 3);
    Ok(())
}

#[tokio::test]
async fn a_read_that_keeps_failing_gives_up() -> TestResult {
    let server = Scripted::start(|_, _| Some(status(StatusCode::SERVICE_UNAVAILABLE))).await?;
    let err = list(&server.adapter(TIMEOUT)?)
        .await
        .err()
        .ok_or("listed")?;
    assert!(
        matches!(err, PlatformError::Api { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(server.hits(), 3);
    Ok(())
}

#[tokio::test]
async fn a_503_on_a_create_is_not_retried() -> TestResult {
    let server = Scripted::start(|_, _| Some(status(StatusCode::SERVICE_UNAVAILABLE))).await?;
    let err = server
        .adapter(TIMEOUT)?
        .perform(&create_op("Unavailable"))
        .await
        .err()
        .ok_or("create succeeded")?;
    assert!(
        matches!(err, PlatformError::Api { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(server.seen(), vec![format!("POST {APPS}")]);
    Ok(())
}

#[tokio::test]
async fn a_dotted_or_empty_id_is_refused_before_any_request() -> TestResult {
    // URL parsers resolve `..` (even as `%2e%2e`), so such an id would turn a
    // DELETE of one app into a DELETE of its parent path.
    let server = Scripted::start(|_, _| Some(StatusCode::NO_CONTENT.into_response())).await?;
    let p = server.adapter(TIMEOUT)?;
    for id in ["..", ".", ""] {
        let app = target(id, "Hostile");
        let ops = [
            Operation::Delete {
                target: app.clone(),
            },
            Operation::Rotate {
                target: app.clone(),
                previous: None,
            },
            Operation::Update {
                target: app.clone(),
                values: name_values("Renamed"),
            },
        ];
        for op in &ops {
            let err = p.perform(op).await.err().ok_or("dotted id accepted")?;
            assert!(matches!(err, PlatformError::Invalid(_)), "{op:?}: {err:?}");
        }
        let err = p.get_app(id).await.err().ok_or("dotted id accepted")?;
        assert!(matches!(err, PlatformError::Invalid(_)), "{err:?}");
    }
    assert_eq!(server.seen(), Vec::<String>::new());

    // Dots inside an id are harmless and stay in their segment.
    p.perform(&Operation::Delete {
        target: target("a..b", "Dotted"),
    })
    .await?;
    assert_eq!(server.seen(), vec![format!("DELETE {APPS}/a..b")]);
    Ok(())
}

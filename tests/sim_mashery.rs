//! The Mashery V3 simulator over raw HTTP: the token endpoint, the gateway
//! (bearer check, QPS and quota), and the REST contract of members,
//! applications, package keys and packages, each answer checked here
//! independently of the adapter.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const KEY: &str = "p7qk3mzd9vw4hxr8bfea2c6n";
const SECRET: &str = "Tq4MwZ8rKd";
const USER: &str = "portico-admin";
const PASSWORD: &str = "portico-demo-mashery";
const AREA: &str = "6f1c2a7e-3b9d-4c5e-8a1f-2d7b9e0c4a53";
const QUOTA_KEY: &str = "q4tz8hbv2nr6wdm3xpfju9cs";
const QUOTA_SECRET: &str = "Qz2Vb7NxLp";
const PATIENCE: Duration = Duration::from_secs(10);

type Answer = (u16, HeaderMap, Value);

struct Sim {
    _running: portico::sim::Running,
    base: String,
    client: reqwest::Client,
}

async fn parse(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text }))
    };
    (status, headers, body)
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

/// `2015-01-09T19:04:09.000+0000`
fn is_mashery_time(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 28
        && s.ends_with("+0000")
        && b[4] == b'-'
        && b[10] == b'T'
        && b[19] == b'.'
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[20..23].iter().all(u8::is_ascii_digit)
}

impl Sim {
    async fn start() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let running =
            portico::platform::registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
                .await
                .expect("start simulator");
        let base = format!("{}/mashery", running.base_url());
        Self {
            _running: running,
            base,
            client: reqwest::Client::new(),
        }
    }

    /// A simulator whose demo key is not throttled, for contract tests
    /// that are not about throttling.
    async fn unthrottled() -> (Self, String) {
        let sim = Self::start().await;
        let (status, _, _) = sim.limits(json!({ "qps": 10_000 })).await;
        assert_eq!(status, 200);
        let token = sim.token().await;
        (sim, token)
    }

    async fn limits(&self, body: Value) -> Answer {
        let resp = self
            .client
            .put(format!("{}/_sim/limits", self.base))
            .json(&body)
            .send()
            .await
            .expect("limits");
        parse(resp).await
    }

    async fn token_with(&self, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> Answer {
        let mut req = self
            .client
            .post(format!("{}/v3/token", self.base))
            .form(form);
        if let Some((k, s)) = basic {
            req = req.basic_auth(k, Some(s));
        }
        parse(req.send().await.expect("token request")).await
    }

    async fn password_grant(&self, key: &str, secret: &str) -> Answer {
        self.token_with(
            Some((key, secret)),
            &[
                ("grant_type", "password"),
                ("username", USER),
                ("password", PASSWORD),
                ("scope", AREA),
            ],
        )
        .await
    }

    async fn token(&self) -> String {
        let (status, _, body) = self.password_grant(KEY, SECRET).await;
        assert_eq!(status, 200, "{body}");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    async fn call_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self
            .client
            .request(method, format!("{}/v3/rest{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        parse(req.send().await.expect("request")).await
    }

    async fn get(&self, token: &str, path: &str) -> Answer {
        self.call_as(Some(token), Method::GET, path, None).await
    }

    async fn ok(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, _, answer) = self.call_as(Some(token), method.clone(), path, body).await;
        assert_eq!(status, 200, "{method} {path}: {answer}");
        answer
    }

    /// `GET` that waits out over-QPS refusals, as a polite client does.
    async fn patient_get(&self, token: &str, path: &str) -> Answer {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let answer = self.get(token, path).await;
            let over_qps =
                header(&answer.1, "X-Mashery-Error-Code") == "ERR_403_DEVELOPER_OVER_QPS";
            if !over_qps || Instant::now() > deadline {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn app_id(&self, token: &str, name: &str) -> String {
        let apps = self
            .ok(
                token,
                Method::GET,
                &format!("/applications?fields=id,name&filter=name:{name}"),
                None,
            )
            .await;
        apps.as_array()
            .and_then(|a| a.iter().find(|x| x["name"] == name))
            .and_then(|x| x["id"].as_str())
            .unwrap_or_else(|| panic!("no application {name}"))
            .to_string()
    }
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn errors_of(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("not a validation answer: {body}"))
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            e["property"].as_str().expect("property").to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_password_grant_answers_the_documented_token() {
    let sim = Sim::start().await;
    let (status, headers, body) = sim.password_grant(KEY, SECRET).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(header(&headers, "cache-control"), "no-store");
    let obj = body.as_object().expect("object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "mapi",
            "refresh_token",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["mapi"], KEY);
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], AREA);
    let access = body["access_token"].as_str().expect("access");
    assert!(
        access.len() >= 20 && access.chars().all(|c| c.is_ascii_alphanumeric()),
        "{access}"
    );

    // The refresh grant issues a new pair; a refresh token is good once.
    let refresh = body["refresh_token"].as_str().expect("refresh").to_string();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
    ];
    let (status, _, renewed) = sim.token_with(Some((KEY, SECRET)), &form).await;
    assert_eq!(status, 200, "{renewed}");
    assert_ne!(renewed["access_token"], body["access_token"]);
    let token = renewed["access_token"].as_str().expect("renewed");
    assert_eq!(sim.get(token, "/members").await.0, 200);
    let (status, _, again) = sim.token_with(Some((KEY, SECRET)), &form).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn the_token_endpoint_refuses_each_wrong_credential_its_own_way() {
    let sim = Sim::start().await;
    let good = [
        ("grant_type", "password"),
        ("username", USER),
        ("password", PASSWORD),
        ("scope", AREA),
    ];
    let (status, headers, body) = sim.token_with(None, &good).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    assert_eq!(
        header(&headers, "X-Mashery-Error-Code"),
        "ERR_403_NOT_AUTHORIZED"
    );

    for (key, secret) in [("nosuchkey0000000000000000", SECRET), (KEY, "wrong")] {
        let (status, headers, body) = sim.password_grant(key, secret).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "{key}"
        );
        assert!(header(&headers, "www-authenticate").starts_with("Basic realm="));
        assert_eq!(
            header(&headers, "X-Mashery-Error-Code"),
            "ERR_403_NOT_AUTHORIZED"
        );
        assert!(!body.to_string().contains(SECRET));
    }

    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[
                ("grant_type", "password"),
                ("username", "nobody"),
                ("password", PASSWORD),
                ("scope", AREA),
            ],
            "invalid_grant",
        ),
        (
            &[
                ("grant_type", "password"),
                ("username", USER),
                ("password", "nope"),
                ("scope", AREA),
            ],
            "invalid_grant",
        ),
        (
            &[
                ("grant_type", "password"),
                ("username", USER),
                ("password", PASSWORD),
                ("scope", "00000000-0000-4000-8000-000000000000"),
            ],
            "invalid_scope",
        ),
        (
            &[
                ("grant_type", "password"),
                ("username", USER),
                ("password", PASSWORD),
            ],
            "invalid_request",
        ),
        (
            &[("grant_type", "client_credentials")],
            "unsupported_grant_type",
        ),
    ];
    for (form, error) in cases {
        let (status, _, body) = sim.token_with(Some((KEY, SECRET)), form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(error)),
            "{form:?}: {body}"
        );
    }
}

#[tokio::test]
async fn rest_calls_need_a_live_bearer_token() {
    let sim = Sim::start().await;
    let (status, headers, _) = sim.call_as(None, Method::GET, "/applications", None).await;
    assert_eq!(status, 401);
    assert_eq!(
        header(&headers, "X-Mashery-Error-Code"),
        "ERR_403_NOT_AUTHORIZED"
    );
    assert!(header(&headers, "www-authenticate").starts_with("Bearer realm="));
    let (status, headers, _) = sim.get("notatoken", "/applications").await;
    assert_eq!(status, 401);
    assert!(header(&headers, "www-authenticate").contains("error=\"invalid_token\""));

    let (_, _, grant) = sim.password_grant(KEY, SECRET).await;
    let token = grant["access_token"].as_str().expect("token");
    assert_eq!(sim.get(token, "/applications?limit=1").await.0, 200);
    let resp = sim
        .client
        .post(format!("{}/_sim/expire-tokens", sim.base))
        .send()
        .await
        .expect("expire");
    assert_eq!(resp.status().as_u16(), 200);
    let (status, headers, _) = sim.patient_get(token, "/applications?limit=1").await;
    assert_eq!(status, 401);
    assert_eq!(
        header(&headers, "X-Mashery-Error-Code"),
        "ERR_403_NOT_AUTHORIZED"
    );
    assert!(header(&headers, "www-authenticate").contains("error=\"invalid_token\""));

    // The refresh token outlives the access token.
    let refresh = grant["refresh_token"].as_str().expect("refresh");
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    let (status, _, renewed) = sim.token_with(Some((KEY, SECRET)), &form).await;
    assert_eq!(status, 200);
    let token = renewed["access_token"].as_str().expect("token");
    assert_eq!(sim.patient_get(token, "/applications?limit=1").await.0, 200);
}

#[tokio::test]
async fn applications_page_by_page_index_with_a_total_count() {
    let (sim, token) = Sim::unthrottled().await;
    let mut seen = HashSet::new();
    for page in 0..4 {
        let (status, headers, body) = sim
            .get(&token, &format!("/applications?limit=10&offset={page}"))
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(header(&headers, "X-Total-Count"), "30");
        let items = body.as_array().expect("array");
        assert_eq!(items.len(), if page < 3 { 10 } else { 0 }, "page {page}");
        for a in items {
            let id = a["id"].as_str().expect("id");
            assert!(is_uuid(id), "{id}");
            assert!(
                is_mashery_time(a["created"].as_str().expect("created")),
                "{a}"
            );
            assert!(
                is_mashery_time(a["updated"].as_str().expect("updated")),
                "{a}"
            );
            assert!(seen.insert(id.to_string()), "{id} on two pages");
        }
    }
    assert_eq!(seen.len(), 30);
    // The default limit is 100.
    let (_, headers, body) = sim.get(&token, "/applications").await;
    assert_eq!(body.as_array().map(Vec::len), Some(30));
    assert_eq!(header(&headers, "X-Total-Count"), "30");
    let (status, _, body) = sim.get(&token, "/applications?limit=ten").await;
    assert_eq!(status, 400);
    assert_eq!(errors_of(&body), ["limit"]);
}

#[tokio::test]
async fn fields_select_dot_paths_and_explicit_fields_come_only_when_asked() {
    let (sim, token) = Sim::unthrottled().await;
    let all = sim.ok(&token, Method::GET, "/applications", None).await;
    for a in all.as_array().expect("array") {
        assert!(
            a.get("packageKeys").is_none() && a.get("eav").is_none(),
            "{a}"
        );
        assert!(a.get("name").is_some() && a.get("username").is_some());
    }
    let slim = sim
        .ok(
            &token,
            Method::GET,
            "/applications?fields=id,name&limit=3",
            None,
        )
        .await;
    for a in slim.as_array().expect("array") {
        let mut keys: Vec<&str> = a
            .as_object()
            .expect("obj")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["id", "name"]);
    }
    let id = sim.app_id(&token, "Fleet Tracker").await;
    let one = sim
        .ok(
            &token,
            Method::GET,
            &format!("/applications/{id}?fields=name,packageKeys.apikey,packageKeys.status"),
            None,
        )
        .await;
    let keys = one["packageKeys"]
        .as_array()
        .expect("packageKeys asked for");
    assert_eq!(keys.len(), 2, "{one}");
    for k in keys {
        let mut props: Vec<&str> = k
            .as_object()
            .expect("obj")
            .keys()
            .map(String::as_str)
            .collect();
        props.sort_unstable();
        assert_eq!(props, ["apikey", "status"]);
    }
    assert!(one.get("id").is_none());
    // A single fetch is one object, not an array.
    let plain = sim
        .ok(&token, Method::GET, &format!("/applications/{id}"), None)
        .await;
    assert_eq!(plain["id"], id.as_str());
    assert_eq!(plain["tags"], "logistics");
    assert!(plain.get("packageKeys").is_none());
}

#[tokio::test]
async fn filter_sort_and_search() {
    let (sim, token) = Sim::unthrottled().await;
    let (_, headers, mine) = sim
        .get(
            &token,
            "/applications?filter=username:acme-dev&fields=name,username",
        )
        .await;
    assert_eq!(header(&headers, "X-Total-Count"), "6");
    assert!(
        mine.as_array()
            .expect("array")
            .iter()
            .all(|a| a["username"] == "acme-dev")
    );

    let asc = names(
        &sim.ok(
            &token,
            Method::GET,
            "/applications?sort=name&fields=name",
            None,
        )
        .await,
    );
    let mut sorted = asc.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(asc, sorted);
    let desc = names(
        &sim.ok(
            &token,
            Method::GET,
            "/applications?sort=name:desc&fields=name",
            None,
        )
        .await,
    );
    assert_eq!(desc, sorted.iter().rev().cloned().collect::<Vec<_>>());
    let (status, _, body) = sim.get(&token, "/applications?sort=name:sideways").await;
    assert_eq!((status, errors_of(&body)), (400, vec!["sort".to_string()]));

    let found = names(
        &sim.ok(
            &token,
            Method::GET,
            "/applications?search=name:tracker&sort=name",
            None,
        )
        .await,
    );
    assert_eq!(found, ["Fleet Tracker", "Rail Tracker"]);
    // Several pairs match any of them.
    let either = sim
        .ok(
            &token,
            Method::GET,
            "/applications?search=name:tracker,tags:billing",
            None,
        )
        .await;
    assert!(either.as_array().expect("array").len() > 2);

    // A nested path filters by the keys an application holds.
    let waiting = sim
        .ok(
            &token,
            Method::GET,
            "/applications?filter=packageKeys.status:waiting&fields=name,packageKeys.status",
            None,
        )
        .await;
    let waiting = waiting.as_array().expect("array");
    assert!(!waiting.is_empty());
    for a in waiting {
        assert!(
            a["packageKeys"]
                .as_array()
                .expect("keys")
                .iter()
                .any(|k| k["status"] == "waiting"),
            "{a}"
        );
    }

    // Unfiltered, a page still carries each application's own keys when
    // asked for them, the same as one application read alone.
    let page = sim
        .ok(
            &token,
            Method::GET,
            "/applications?sort=name&limit=5&fields=id,packageKeys.apikey",
            None,
        )
        .await;
    let page = page.as_array().expect("array");
    assert_eq!(page.len(), 5);
    assert!(
        page.iter()
            .any(|a| a["packageKeys"].as_array().is_some_and(|k| !k.is_empty()))
    );
    for a in page {
        let id = a["id"].as_str().expect("id");
        let alone = sim
            .ok(
                &token,
                Method::GET,
                &format!("/applications/{id}?fields=id,packageKeys.apikey"),
                None,
            )
            .await;
        assert_eq!(a["packageKeys"], alone["packageKeys"], "{id}");
    }
}

#[tokio::test]
async fn an_application_is_created_under_a_member_updated_in_part_and_deleted() {
    let (sim, token) = Sim::unthrottled().await;
    let created = sim
        .ok(
            &token,
            Method::POST,
            "/members/cedarlabs/applications",
            Some(json!({
                "name": "Berth Planner", "description": "first", "commercial": true,
                "username": "acme-dev", "id": "not-mine", "created": "1999-01-01T00:00:00.000+0000"
            })),
        )
        .await;
    let id = created["id"].as_str().expect("id").to_string();
    assert!(is_uuid(&id));
    assert_eq!(
        created["username"], "cedarlabs",
        "the path's member owns it"
    );
    assert_ne!(created["created"], "1999-01-01T00:00:00.000+0000");
    assert!(created.get("packageKeys").is_none());

    let before = sim
        .ok(&token, Method::GET, &format!("/applications/{id}"), None)
        .await;
    let after = sim
        .ok(
            &token,
            Method::PUT,
            &format!("/applications/{id}"),
            Some(json!({
                "notes": "reviewed", "created": "2001-01-01T00:00:00.000+0000", "id": "x"
            })),
        )
        .await;
    assert_eq!(after["notes"], "reviewed");
    for untouched in [
        "name",
        "description",
        "commercial",
        "username",
        "created",
        "id",
    ] {
        assert_eq!(after[untouched], before[untouched], "{untouched}");
    }

    let (status, _, body) = sim
        .call_as(
            Some(&token),
            Method::PUT,
            &format!("/applications/{id}"),
            Some(json!({
                "name": "", "commercial": "yes", "username": "ghost", "notes": "not applied"
            })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let mut props = errors_of(&body);
    props.sort();
    assert_eq!(props, ["commercial", "name", "username"]);
    let now = sim
        .ok(&token, Method::GET, &format!("/applications/{id}"), None)
        .await;
    assert_eq!(now["notes"], "reviewed", "a refused body changes nothing");

    let (status, _, body) = sim
        .call_as(
            Some(&token),
            Method::POST,
            "/members/cedarlabs/applications",
            Some(json!({ "description": "no name" })),
        )
        .await;
    assert_eq!((status, errors_of(&body)), (400, vec!["name".to_string()]));

    let listed = sim
        .ok(
            &token,
            Method::GET,
            "/members/cedarlabs/applications?fields=name",
            None,
        )
        .await;
    assert!(names(&listed).contains(&"Berth Planner".to_string()));

    let (status, _, body) = sim
        .call_as(
            Some(&token),
            Method::DELETE,
            &format!("/applications/{id}"),
            None,
        )
        .await;
    assert_eq!((status, body), (200, Value::Null));
    let (status, _, body) = sim.get(&token, &format!("/applications/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(body["errorCode"], 404);
    assert!(body["errorMessage"].as_str().is_some());
    let (status, _, _) = sim
        .call_as(
            Some(&token),
            Method::POST,
            "/applications",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, 405, "applications are created under a member");
}

#[tokio::test]
async fn members_are_listed_created_and_updated() {
    let (sim, token) = Sim::unthrottled().await;
    let (_, headers, list) = sim.get(&token, "/members?limit=2&offset=1").await;
    assert_eq!(header(&headers, "X-Total-Count"), "5");
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["username"], "cedarlabs");
    let statuses: HashSet<String> = sim
        .ok(&token, Method::GET, "/members?fields=areaStatus", None)
        .await
        .as_array()
        .expect("array")
        .iter()
        .map(|m| m["areaStatus"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        statuses,
        HashSet::from(["active", "waiting", "disabled"].map(String::from))
    );

    let made = sim
        .ok(
            &token,
            Method::POST,
            "/members",
            Some(json!({
                "username": "foxtrot", "email": "f@foxtrot.example", "displayName": "Foxtrot"
            })),
        )
        .await;
    assert!(is_uuid(made["id"].as_str().expect("id")));
    assert_eq!(made["areaStatus"], "active");
    let (status, _, body) = sim
        .call_as(
            Some(&token),
            Method::POST,
            "/members",
            Some(json!({"username": "foxtrot", "email": "x@y.z", "displayName": "X"})),
        )
        .await;
    assert_eq!(
        (status, errors_of(&body)),
        (400, vec!["username".to_string()])
    );
    let (status, _, body) = sim
        .call_as(Some(&token), Method::POST, "/members/golf", Some(json!({})))
        .await;
    assert_eq!(status, 400);
    let mut props = errors_of(&body);
    props.sort();
    assert_eq!(props, ["displayName", "email"]);

    let updated = sim
        .ok(
            &token,
            Method::PUT,
            "/members/foxtrot",
            Some(json!({"email": "new@foxtrot.example", "username": "renamed"})),
        )
        .await;
    assert_eq!(updated["email"], "new@foxtrot.example");
    assert_eq!(updated["username"], "foxtrot", "username is immutable");
    let got = sim.ok(&token, Method::GET, "/members/foxtrot", None).await;
    assert_eq!(got["email"], "new@foxtrot.example");
}

#[tokio::test]
async fn package_keys_are_created_rekeyed_and_deleted() {
    let (sim, token) = Sim::unthrottled().await;
    let packages = sim
        .ok(
            &token,
            Method::GET,
            "/packages?fields=id,name,plans.id,plans.name",
            None,
        )
        .await;
    let package = &packages[0];
    assert_eq!(package["name"], "Shipment Tracking API");
    let plan = &package["plans"][1];
    assert_eq!(plan["name"], "Gold");
    let implicit = sim.ok(&token, Method::GET, "/packages", None).await;
    assert!(implicit[0].get("plans").is_none(), "plans are explicit");

    let statuses: HashSet<String> = sim
        .ok(&token, Method::GET, "/packageKeys?fields=status", None)
        .await
        .as_array()
        .expect("array")
        .iter()
        .map(|k| k["status"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        statuses,
        HashSet::from(["active", "waiting", "disabled"].map(String::from))
    );

    let app = sim.app_id(&token, "Route Planner").await;
    let made = sim
        .ok(&token, Method::POST, &format!("/applications/{app}/packageKeys?fields=id,apikey,secret,status,package.name,plan.name"), Some(json!({
            "package": {"id": package["id"]}, "plan": {"id": plan["id"]}, "qpsLimitCeiling": 4
        })))
        .await;
    let id = made["id"].as_str().expect("id").to_string();
    let apikey = made["apikey"].as_str().expect("apikey").to_string();
    let secret = made["secret"].as_str().expect("secret").to_string();
    assert_eq!(apikey.len(), 24);
    assert!(
        apikey
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    );
    assert_eq!(secret.len(), 10);
    assert_eq!(made["status"], "active");
    assert_eq!(made["package"], json!({"name": "Shipment Tracking API"}));
    assert_eq!(made["plan"], json!({"name": "Gold"}));

    let scoped = sim
        .ok(
            &token,
            Method::GET,
            &format!("/applications/{app}/packageKeys"),
            None,
        )
        .await;
    assert!(
        scoped
            .as_array()
            .expect("array")
            .iter()
            .any(|k| k["id"] == id.as_str())
    );

    let put = sim
        .ok(
            &token,
            Method::PUT,
            &format!("/packageKeys/{id}"),
            Some(json!({
                "secret": "NewSecret9", "apikey": "changedkey", "status": "disabled"
            })),
        )
        .await;
    assert_eq!(put["secret"], "NewSecret9");
    assert_eq!(put["apikey"], apikey.as_str(), "apikey is immutable");
    assert_eq!(put["status"], "disabled");
    assert_eq!(put["qpsLimitCeiling"], 4);
    let reread = sim
        .ok(
            &token,
            Method::GET,
            &format!("/applications/{app}/packageKeys/{id}"),
            None,
        )
        .await;
    assert_eq!(reread["secret"], "NewSecret9");
    assert!(is_mashery_time(
        reread["updated"].as_str().expect("updated")
    ));
    assert_eq!(reread["apikey"], apikey.as_str());

    let other_package = &packages[1];
    let (status, _, body) = sim
        .call_as(
            Some(&token),
            Method::PUT,
            &format!("/packageKeys/{id}"),
            Some(json!({
                "status": "paused", "package": {"id": other_package["id"]}, "secret": ""
            })),
        )
        .await;
    assert_eq!(status, 400);
    let mut props = errors_of(&body);
    props.sort();
    assert_eq!(props, ["package", "secret", "status"]);

    let elsewhere = sim.app_id(&token, "Fleet Tracker").await;
    let (status, _, _) = sim
        .get(
            &token,
            &format!("/applications/{elsewhere}/packageKeys/{id}"),
        )
        .await;
    assert_eq!(status, 404, "a key is only under its own application");
    let (status, _, body) = sim
        .call_as(
            Some(&token),
            Method::POST,
            &format!("/applications/{app}/packageKeys"),
            Some(json!({"package": {"id": package["id"]}})),
        )
        .await;
    assert_eq!((status, errors_of(&body)), (400, vec!["plan".to_string()]));

    let (status, _, _) = sim
        .call_as(
            Some(&token),
            Method::DELETE,
            &format!("/applications/{app}/packageKeys/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(sim.get(&token, &format!("/packageKeys/{id}")).await.0, 404);
}

#[tokio::test]
async fn over_qps_is_a_403_with_the_gateway_code_and_passes_after_a_second() {
    let sim = Sim::start().await;
    let token = sim.token().await;
    let mut refused = None;
    for _ in 0..5 {
        let answer = sim.get(&token, "/members?limit=1").await;
        if answer.0 != 200 {
            refused = Some(answer);
            break;
        }
    }
    let (status, headers, _) = refused.expect("a burst above 2 QPS is refused");
    assert_eq!(status, 403);
    assert_eq!(
        header(&headers, "X-Mashery-Error-Code"),
        "ERR_403_DEVELOPER_OVER_QPS"
    );
    let (status, _, _) = sim.patient_get(&token, "/members?limit=1").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_quota_key_runs_out_for_the_day() {
    let sim = Sim::start().await;
    let (status, _, grant) = sim.password_grant(QUOTA_KEY, QUOTA_SECRET).await;
    assert_eq!(status, 200, "{grant}");
    let token = grant["access_token"].as_str().expect("token");
    for i in 0..5 {
        let (status, _, body) = sim.patient_get(token, "/members?limit=1").await;
        assert_eq!(status, 200, "call {i}: {body}");
    }
    let (status, headers, _) = sim.patient_get(token, "/members?limit=1").await;
    assert_eq!(status, 403);
    assert_eq!(
        header(&headers, "X-Mashery-Error-Code"),
        "ERR_403_DEVELOPER_OVER_RATE"
    );
}

#[tokio::test]
async fn the_demo_config_names_working_credentials() {
    let text = portico::sim::mashery::demo_config("http://127.0.0.1:1/");
    for part in [
        KEY,
        SECRET,
        USER,
        PASSWORD,
        AREA,
        "base_url = \"http://127.0.0.1:1/mashery\"",
    ] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
    assert!(
        portico::platform::registry::demo_config("http://127.0.0.1:1")
            .contains("platform = \"mashery\"")
    );
}

/// Pages of one sorted list, read after each kind of write: a server that
/// remembers an order between pages must forget it when the data changes.
#[tokio::test]
async fn a_sorted_list_shows_every_write_on_its_next_page() {
    let (sim, token) = Sim::unthrottled().await;
    let sorted =
        |extra: &str| format!("/applications?fields=id,name&sort=name:desc&limit=5{extra}");
    let first_names = |body: &Value| names(body);
    let top = sim.ok(&token, Method::GET, &sorted(""), None).await;
    let created = sim
        .ok(
            &token,
            Method::POST,
            "/members/cedarlabs/applications",
            Some(json!({ "name": "zzz Last Alphabetically" })),
        )
        .await;
    let id = created["id"].as_str().expect("id").to_string();
    let after_create = sim.ok(&token, Method::GET, &sorted(""), None).await;
    assert_eq!(first_names(&after_create)[0], "zzz Last Alphabetically");
    assert_eq!(first_names(&after_create)[1..], first_names(&top)[..4]);

    sim.ok(
        &token,
        Method::PUT,
        &format!("/applications/{id}"),
        Some(json!({ "name": "AAA first" })),
    )
    .await;
    let after_rename = sim.ok(&token, Method::GET, &sorted(""), None).await;
    assert_eq!(first_names(&after_rename), first_names(&top));
    let (_, headers, _) = sim.get(&token, &sorted("")).await;
    let total: usize = header(&headers, "X-Total-Count").parse().expect("total");
    let last_page = (total - 1) / 5;
    let tail = sim
        .ok(
            &token,
            Method::GET,
            &sorted(&format!("&offset={last_page}")),
            None,
        )
        .await;
    assert_eq!(
        first_names(&tail).last().map(String::as_str),
        Some("AAA first")
    );

    // A member's own list is remembered apart from the area's.
    let mine = "/members/cedarlabs/applications?fields=id,name&filter=name:AAA";
    assert_eq!(
        first_names(&sim.ok(&token, Method::GET, mine, None).await),
        ["AAA first"]
    );
    sim.ok(&token, Method::DELETE, &format!("/applications/{id}"), None)
        .await;
    assert!(first_names(&sim.ok(&token, Method::GET, mine, None).await).is_empty());
    let (_, headers, _) = sim.get(&token, &sorted("")).await;
    assert_eq!(header(&headers, "X-Total-Count"), (total - 1).to_string());
}

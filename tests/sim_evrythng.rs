//! The EVRYTHNG simulator over raw HTTP: every answer checked against the
//! vendor's `OpenAPI` schemas (copies in tests/fixtures/evrythng/).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::collections::{HashMap, HashSet};

use reqwest::Method;
use serde_json::{Value, json};

const ID_ALPHABET: &str = "abcdefghkmnpqrstwxyABCDEFGHKMNPQRSTUVWXY0123456789";

struct Schemas(HashMap<String, jsonschema::Validator>);

impl Schemas {
    fn load() -> Self {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/evrythng");
        let mut out = HashMap::new();
        for entry in std::fs::read_dir(dir).expect("schema dir") {
            let path = entry.expect("entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read schema");
            assert!(
                !text.contains("\"$ref\""),
                "{} uses $ref; resolve it",
                path.display()
            );
            let schema: Value = serde_json::from_str(&text).expect("schema json");
            let validator = jsonschema::validator_for(&schema)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .to_string();
            out.insert(name, validator);
        }
        Self(out)
    }

    fn check(&self, name: &str, value: &Value) {
        let v = self
            .0
            .get(name)
            .unwrap_or_else(|| panic!("no schema {name}"));
        let errors: Vec<String> = v
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path.as_str()))
            .collect();
        assert!(errors.is_empty(), "{name} rejects {value:#}: {errors:#?}");
    }
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
    text: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// Demo keys as `portico sim --print-config` prints them.
struct Keys {
    admin: String,
    viewer: String,
}

fn demo_keys(config: &str, tenant: &str) -> Keys {
    let start = config
        .find(&format!("name = \"{tenant}\""))
        .unwrap_or_else(|| panic!("no tenant {tenant}"));
    let block = &config[start..];
    let block = &block[..block.find("[[tenants]]").unwrap_or(block.len())];
    let key = |prefix: &str| {
        block
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map_or_else(
                || panic!("no {prefix} in {block}"),
                |v| v.trim().trim_matches('"').to_string(),
            )
    };
    Keys {
        admin: key("api_key = "),
        viewer: key("# api_key = "),
    }
}

struct Sim {
    _running: portico::sim::Running,
    root: String,
    http: reqwest::Client,
    schemas: Schemas,
    us: Keys,
    eu: Keys,
}

impl Sim {
    async fn start() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let running =
            portico::platform::registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
                .await
                .expect("start sim");
        let root = running.base_url();
        let config = portico::platform::registry::demo_config(&root);
        Self {
            us: demo_keys(&config, "evrythng-us"),
            eu: demo_keys(&config, "evrythng-eu"),
            _running: running,
            root,
            http: reqwest::Client::new(),
            schemas: Schemas::load(),
        }
    }

    fn url(&self, region: &str, path: &str) -> String {
        format!("{}/evrythng/{region}{path}", self.root)
    }

    /// A request with the key bare in `Authorization`, as evrythng.js sends it.
    async fn call(
        &self,
        method: Method,
        url: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut req = self.http.request(method, url);
        if let Some(k) = key {
            req = req.header("Authorization", k);
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        reply(req).await
    }

    async fn us(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        let url = self.url("us", path);
        self.call(method, &url, Some(&self.us.admin), body).await
    }

    /// Status and the `ErrorResponseDocument` shape of a refusal.
    fn refused(&self, r: &Reply, status: u16) {
        assert_eq!(r.status, status, "{}", r.text);
        self.schemas.check("ErrorResponseDocument", &r.body);
        assert_eq!(r.body["status"], status);
        assert_eq!(r.body["errors"].as_array().map(Vec::len), Some(1));
        assert!(r.body["code"].is_string() && r.body["moreInfo"].is_string());
    }

    fn project(&self, v: &Value) {
        self.schemas.check("ProjectDocument", v);
        assert_eq!(v["shortDomains"], json!(["tn.gg"]));
        assert!(v.get("scopes").is_none(), "scopes only with withScopes");
        assert!(v["createdAt"].is_i64() && v["updatedAt"].is_i64());
    }

    fn application(&self, v: &Value) {
        self.schemas.check("ApplicationDocument", v);
        let key = v["appApiKey"].as_str().expect("appApiKey");
        assert_eq!(key.len(), 80);
        assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(v.get("scopes").is_none(), "scopes only with withScopes");
    }

    async fn create_project(&self, body: Value) -> Value {
        let r = self.us(Method::POST, "/projects", Some(&body)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        self.project(&r.body);
        r.body
    }

    async fn create_app(&self, project: &str, body: Value) -> Value {
        let path = format!("/projects/{project}/applications");
        let r = self.us(Method::POST, &path, Some(&body)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        self.application(&r.body);
        r.body
    }
}

async fn reply(req: reqwest::RequestBuilder) -> Reply {
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect()
}

/// The next-page URL out of `Link: <...>; rel="next"`, decoded as
/// evrythng.js decodes it.
fn next_link(r: &Reply) -> Option<String> {
    let link = r.header("link")?;
    let inner = link.split_once('<')?.1.split_once('>')?;
    assert!(inner.1.contains("rel=\"next\""), "{link}");
    let encoded = inner.0;
    assert!(
        !encoded.contains('/') && !encoded.contains('?'),
        "the URL is encoded as a whole: {encoded}"
    );
    Some(percent_decode(encoded))
}

fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("hex byte"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf8")
}

#[tokio::test]
async fn access_and_operator_for_every_way_of_sending_the_key() {
    let sim = Sim::start().await;
    let url = sim.url("us", "/access");
    let bare = sim.call(Method::GET, &url, Some(&sim.us.admin), None).await;
    assert_eq!(bare.status, 200, "{}", bare.text);
    sim.schemas.check("KeyAccessDocument", &bare.body);
    assert_eq!(bare.body["actor"]["type"], "operator");
    let token = format!("Token {}", sim.us.admin);
    let prefixed = sim.call(Method::GET, &url, Some(&token), None).await;
    assert_eq!(prefixed.body, bare.body);
    let query = reply(
        sim.http
            .get(&url)
            .query(&[("access_token", sim.us.admin.as_str())]),
    )
    .await;
    assert_eq!(query.status, 200);
    assert_eq!(query.body, bare.body);

    let me = bare.body["actor"]["id"].as_str().expect("actor id");
    let op = sim.us(Method::GET, &format!("/operators/{me}"), None).await;
    assert_eq!(op.status, 200, "{}", op.text);
    assert_eq!(op.body["id"], me);
    assert!(op.body["email"].is_string());
    let viewer = sim
        .call(Method::GET, &url, Some(&sim.us.viewer), None)
        .await;
    let other = viewer.body["actor"]["id"].as_str().expect("viewer id");
    assert_ne!(other, me);
    let r = sim
        .us(Method::GET, &format!("/operators/{other}"), None)
        .await;
    sim.refused(&r, 404);
}

#[tokio::test]
async fn missing_or_wrong_keys_are_401_and_a_restricted_key_403_or_404() {
    let sim = Sim::start().await;
    let url = sim.url("us", "/projects");
    sim.refused(&sim.call(Method::GET, &url, None, None).await, 401);
    sim.refused(&sim.call(Method::GET, &url, Some("nope"), None).await, 401);
    sim.refused(
        &sim.call(Method::GET, &url, Some("Token "), None).await,
        401,
    );

    let viewer = Some(sim.us.viewer.as_str());
    let seen = sim.call(Method::GET, &url, viewer, None).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.header("x-result-count").as_deref(), Some("2"));
    let visible: HashSet<String> = ids(&seen.body).into_iter().collect();
    let body = json!({"name": "Not allowed"});
    sim.refused(
        &sim.call(Method::POST, &url, viewer, Some(&body)).await,
        403,
    );

    let all = sim.us(Method::GET, "/projects?perPage=100", None).await;
    let hidden = ids(&all.body)
        .into_iter()
        .find(|id| !visible.contains(id))
        .expect("a project out of the viewer's scope");
    let out_of_scope = sim.url("us", &format!("/projects/{hidden}"));
    sim.refused(
        &sim.call(Method::GET, &out_of_scope, viewer, None).await,
        404,
    );
    let mine = visible.iter().next().expect("a visible project");
    let in_scope = sim.url("us", &format!("/projects/{mine}"));
    assert_eq!(
        sim.call(Method::GET, &in_scope, viewer, None).await.status,
        200
    );
    sim.refused(
        &sim.call(Method::PUT, &in_scope, viewer, Some(&body)).await,
        403,
    );
    sim.refused(
        &sim.call(Method::DELETE, &in_scope, viewer, None).await,
        403,
    );

    let apps = sim
        .us(Method::GET, &format!("/projects/{mine}/applications"), None)
        .await;
    if let Some(app) = ids(&apps.body).first() {
        let secret = sim.url(
            "us",
            &format!("/projects/{mine}/applications/{app}/secretKey"),
        );
        sim.refused(&sim.call(Method::GET, &secret, viewer, None).await, 403);
    }
}

#[tokio::test]
async fn projects_page_with_absolute_encoded_links_and_a_total() {
    let sim = Sim::start().await;
    let first = sim.us(Method::GET, "/projects", None).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let total: usize = first
        .header("x-result-count")
        .expect("X-Result-Count")
        .parse()
        .expect("count");
    assert!(total > 30, "the demo spans pages");
    assert_eq!(
        first.body.as_array().map(Vec::len),
        Some(30),
        "perPage defaults to 30"
    );
    for p in first.body.as_array().expect("array") {
        sim.project(p);
        let id = p["id"].as_str().expect("id");
        assert!(
            id.len() == 24 && id.chars().all(|c| ID_ALPHABET.contains(c)),
            "{id}"
        );
    }
    let created: Vec<i64> = first
        .body
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["createdAt"].as_i64().expect("ms"))
        .collect();
    assert!(
        created.windows(2).all(|w| w[0] >= w[1]),
        "newest first by default"
    );

    let next = next_link(&first).expect("a next page");
    assert!(next.starts_with(&sim.url("us", "/projects?")), "{next}");
    assert!(next.contains("page=2"), "{next}");
    let second = reply(sim.http.get(&next).header("Authorization", &sim.us.admin)).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.body.as_array().map(Vec::len), Some(total - 30));
    assert!(next_link(&second).is_none(), "the last page has no next");
    let mut every: Vec<String> = ids(&first.body);
    every.extend(ids(&second.body));
    assert_eq!(every.iter().collect::<HashSet<_>>().len(), total);

    let wide = sim.us(Method::GET, "/projects?perPage=500", None).await;
    assert_eq!(wide.body.as_array().map(Vec::len), Some(total.min(100)));
    let small = sim
        .us(Method::GET, "/projects?perPage=7&sortOrder=ASCENDING", None)
        .await;
    assert_eq!(small.body.as_array().map(Vec::len), Some(7));
    let oldest = every.last().expect("oldest");
    assert_eq!(&ids(&small.body)[0], oldest, "ASCENDING is oldest first");
    let next = next_link(&small).expect("next");
    assert!(
        next.contains("perPage=7") && next.contains("sortOrder=ASCENDING"),
        "{next}"
    );
    for bad in ["perPage=0", "perPage=x", "page=0", "sortOrder=SIDEWAYS"] {
        let r = sim.us(Method::GET, &format!("/projects?{bad}"), None).await;
        sim.refused(&r, 400);
    }

    let scoped = sim
        .us(Method::GET, "/projects?withScopes=true&perPage=1", None)
        .await;
    let p = &scoped.body[0];
    sim.schemas.check("ProjectDocument", p);
    assert!(p["scopes"]["users"].is_array() && p["scopes"]["projects"].is_array());
}

#[tokio::test]
async fn project_filters_on_name_tags_and_identifiers() {
    let sim = Sim::start().await;
    let all = sim.us(Method::GET, "/projects?perPage=100", None).await;
    let docs = all.body.as_array().expect("array").clone();
    let target = docs
        .iter()
        .find(|p| p.get("identifiers").is_some())
        .expect("a project with identifiers");
    let name = target["name"].as_str().expect("name");
    let query = |filter: &str| {
        let url = sim.url("us", "/projects");
        let req = sim
            .http
            .get(url)
            .header("Authorization", &sim.us.admin)
            .query(&[("filter", filter), ("perPage", "100")]);
        reply(req)
    };
    let by_name = query(&format!("name={name}")).await;
    assert_eq!(by_name.status, 200, "{}", by_name.text);
    let expected: Vec<&Value> = docs.iter().filter(|p| p["name"] == name).collect();
    assert_eq!(by_name.body.as_array().map(Vec::len), Some(expected.len()));
    assert_eq!(
        by_name.header("x-result-count"),
        Some(expected.len().to_string())
    );

    let by_tag = query("tags=pilot").await;
    let tagged = docs
        .iter()
        .filter(|p| {
            p["tags"]
                .as_array()
                .is_some_and(|t| t.contains(&json!("pilot")))
        })
        .count();
    assert!(tagged > 0);
    assert_eq!(by_tag.body.as_array().map(Vec::len), Some(tagged));

    let (key, value) = target["identifiers"]
        .as_object()
        .and_then(|m| m.iter().next())
        .expect("an identifier");
    let by_id = query(&format!(
        "identifiers.{key}={}",
        value.as_str().expect("string")
    ))
    .await;
    assert_eq!(
        ids(&by_id.body),
        vec![target["id"].as_str().expect("id").to_string()]
    );

    let both = query(&format!("name={name}&tags=no-such-tag")).await;
    assert_eq!(both.body, json!([]));
    sim.refused(&query("colour=red").await, 400);
}

#[tokio::test]
async fn project_crud_with_the_exact_document() {
    let sim = Sim::start().await;
    let body = json!({
        "name": "European Region",
        "description": "A project for all resources in Europe",
        "tags": ["eu", "pilot"],
        "startsAt": 1_767_225_600_000i64,
        "endsAt": 1_798_761_600_000i64,
        "customFields": {"region": "europe"},
        "identifiers": {"gs1:414": "4012345999999"}
    });
    let r = sim.us(Method::POST, "/projects", Some(&body)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    sim.project(&r.body);
    let id = r.body["id"].as_str().expect("id").to_string();
    assert_eq!(
        r.header("location").as_deref(),
        Some(sim.url("us", &format!("/projects/{id}")).as_str())
    );
    assert_eq!(r.body["customFields"], json!({"region": "europe"}));
    assert_eq!(r.body["createdAt"], r.body["updatedAt"]);

    for bad in [
        json!({"name": "x", "colour": "red"}),
        json!({"description": "no name"}),
        json!({"name": 5}),
        json!({"name": "x", "startsAt": "2026-01-01"}),
        json!(["name"]),
    ] {
        sim.refused(&sim.us(Method::POST, "/projects", Some(&bad)).await, 400);
    }
    let url = sim.url("us", "/projects");
    let broken = sim
        .http
        .post(&url)
        .header("Authorization", &sim.us.admin)
        .header("Content-Type", "application/json")
        .body("{\"name\": ");
    sim.refused(&reply(broken).await, 400);
    let plain = sim
        .http
        .post(&url)
        .header("Authorization", &sim.us.admin)
        .header("Content-Type", "text/plain")
        .body("{\"name\": \"x\"}");
    sim.refused(&reply(plain).await, 415);

    let path = format!("/projects/{id}");
    let got = sim.us(Method::GET, &path, None).await;
    assert_eq!(got.body, r.body);

    // A third-party client sends every field, nulls for the ones it leaves alone.
    let put = json!({
        "id": id, "name": "American Region", "description": null, "tags": null,
        "startsAt": null, "endsAt": null, "imageUrl": null,
        "customFields": {"region": "america"}, "identifiers": null, "shortDomains": null
    });
    let updated = sim.us(Method::PUT, &path, Some(&put)).await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    sim.project(&updated.body);
    assert_eq!(updated.body["name"], "American Region");
    assert_eq!(updated.body["description"], body["description"]);
    assert_eq!(updated.body["tags"], body["tags"]);
    assert_eq!(updated.body["startsAt"], body["startsAt"]);
    assert_eq!(updated.body["identifiers"], body["identifiers"]);
    assert_eq!(updated.body["customFields"], json!({"region": "america"}));
    assert!(updated.body["updatedAt"].as_i64() > r.body["updatedAt"].as_i64());
    let bad = json!({"colour": "red"});
    sim.refused(&sim.us(Method::PUT, &path, Some(&bad)).await, 400);

    let gone = sim.us(Method::DELETE, &path, None).await;
    assert_eq!(gone.status, 200, "{}", gone.text);
    sim.refused(&sim.us(Method::GET, &path, None).await, 404);
    sim.refused(&sim.us(Method::DELETE, &path, None).await, 404);
    sim.refused(&sim.us(Method::GET, "/projects/not-an-id", None).await, 404);
}

#[tokio::test]
async fn applications_crud_secret_key_and_cascade() {
    let sim = Sim::start().await;
    let project = sim.create_project(json!({"name": "Apps"})).await;
    let pid = project["id"].as_str().expect("id").to_string();
    let apps = format!("/projects/{pid}/applications");

    sim.refused(
        &sim.us(Method::POST, &apps, Some(&json!({"name": "No networks"})))
            .await,
        400,
    );
    sim.refused(
        &sim.us(
            Method::POST,
            &apps,
            Some(&json!({"name": "x", "socialNetworks": {}, "colour": 1})),
        )
        .await,
        400,
    );
    let r = sim
        .us(Method::POST, &apps, Some(&json!({"name": "Main App", "description": "Main", "socialNetworks": {}, "tags": ["web"]})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    sim.application(&r.body);
    let aid = r.body["id"].as_str().expect("id").to_string();
    assert_eq!(r.body["project"], pid);
    assert_eq!(
        r.header("location").as_deref(),
        Some(sim.url("us", &format!("{apps}/{aid}")).as_str())
    );

    for n in 0..34 {
        sim.create_app(
            &pid,
            json!({"name": format!("Bulk {n:02}"), "socialNetworks": {}}),
        )
        .await;
    }
    let first = sim.us(Method::GET, &apps, None).await;
    assert_eq!(first.body.as_array().map(Vec::len), Some(30));
    assert_eq!(first.header("x-result-count").as_deref(), Some("35"));
    first
        .body
        .as_array()
        .expect("array")
        .iter()
        .for_each(|a| sim.application(a));
    let next = next_link(&first).expect("next");
    let second = reply(sim.http.get(&next).header("Authorization", &sim.us.admin)).await;
    assert_eq!(second.body.as_array().map(Vec::len), Some(5));
    assert!(ids(&second.body).contains(&aid), "the oldest comes last");

    let filtered = reply(
        sim.http
            .get(sim.url("us", &apps))
            .header("Authorization", &sim.us.admin)
            .query(&[("filter", "name=Main App")]),
    )
    .await;
    assert_eq!(ids(&filtered.body), vec![aid.clone()]);

    let one = format!("{apps}/{aid}");
    let got = sim.us(Method::GET, &one, None).await;
    assert_eq!(got.body, r.body);
    let scoped = sim
        .us(Method::GET, &format!("{one}?withScopes=true"), None)
        .await;
    sim.schemas.check("ApplicationDocument", &scoped.body);
    assert!(scoped.body["scopes"].is_object());

    let put = json!({"name": null, "description": "Renamed nothing", "socialNetworks": null, "tags": null, "appApiKey": null});
    let updated = sim.us(Method::PUT, &one, Some(&put)).await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    sim.application(&updated.body);
    assert_eq!(updated.body["name"], "Main App");
    assert_eq!(updated.body["tags"], json!(["web"]));
    assert_eq!(updated.body["description"], "Renamed nothing");
    assert_eq!(updated.body["appApiKey"], r.body["appApiKey"]);

    let secret = sim.us(Method::GET, &format!("{one}/secretKey"), None).await;
    assert_eq!(secret.status, 200, "{}", secret.text);
    sim.schemas.check("SecretKeyDocument", &secret.body);
    let key = secret.body["secretApiKey"].as_str().expect("secret");
    assert!(!key.is_empty() && key != r.body["appApiKey"]);
    let again = sim.us(Method::GET, &format!("{one}/secretKey"), None).await;
    assert_eq!(again.body, secret.body, "re-readable at any time");

    let other = sim.create_project(json!({"name": "Other"})).await;
    let oid = other["id"].as_str().expect("id");
    let crossed = sim
        .us(
            Method::GET,
            &format!("/projects/{oid}/applications/{aid}"),
            None,
        )
        .await;
    sim.refused(&crossed, 404);

    let bulk = ids(&first.body)[0].clone();
    assert_eq!(
        sim.us(Method::DELETE, &format!("{apps}/{bulk}"), None)
            .await
            .status,
        200
    );
    sim.refused(
        &sim.us(Method::GET, &format!("{apps}/{bulk}"), None).await,
        404,
    );

    assert_eq!(
        sim.us(Method::DELETE, &format!("/projects/{pid}"), None)
            .await
            .status,
        200
    );
    sim.refused(&sim.us(Method::GET, &one, None).await, 404);
    sim.refused(
        &sim.us(Method::GET, &format!("{one}/secretKey"), None).await,
        404,
    );
    sim.refused(&sim.us(Method::GET, &apps, None).await, 404);
}

#[tokio::test]
async fn wrong_methods_and_unknown_routes() {
    let sim = Sim::start().await;
    sim.refused(&sim.us(Method::PATCH, "/projects", None).await, 405);
    sim.refused(
        &sim.us(Method::POST, "/access", Some(&json!({}))).await,
        405,
    );
    sim.refused(&sim.us(Method::GET, "/thngs-of-nowhere", None).await, 404);
}

#[tokio::test]
async fn the_two_regions_are_isolated() {
    let sim = Sim::start().await;
    assert_ne!(sim.us.admin, sim.eu.admin);
    let created = sim.create_project(json!({"name": "Only in the US"})).await;
    let id = created["id"].as_str().expect("id");
    let eu_url = sim.url("eu", &format!("/projects/{id}"));
    let r = sim
        .call(Method::GET, &eu_url, Some(&sim.eu.admin), None)
        .await;
    sim.refused(&r, 404);
    let eu_list = sim.url("eu", "/projects");
    let r = sim
        .call(Method::GET, &eu_list, Some(&sim.us.admin), None)
        .await;
    sim.refused(&r, 401);
    let eu = sim
        .call(Method::GET, &eu_list, Some(&sim.eu.admin), None)
        .await;
    assert_eq!(eu.status, 200);
    let us = sim.us(Method::GET, "/projects?perPage=100", None).await;
    let us_ids: HashSet<String> = ids(&us.body).into_iter().collect();
    assert!(ids(&eu.body).iter().all(|id| !us_ids.contains(id)));
    eu.body
        .as_array()
        .expect("array")
        .iter()
        .for_each(|p| sim.project(p));
}

//! The Losant simulator over real HTTP, every response checked against
//! Losant's JSON schemas (copies in tests/fixtures/losant-schemas/, MIT).
//!
//! The schemas leave `additionalProperties` open for responses; the
//! checker here closes every object that lists its properties, so a
//! property the schema does not define (a leaked `secret`, say) fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::collections::HashMap;
use std::fmt::Write as _;

use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

const EMAIL: &str = "admin@losant.portico.demo";
const PASSWORD: &str = "portico-demo-losant";
/// What the vendor clients add to every call.
const VENDOR_QUERY: [(&str, &str); 3] = [
    ("_actions", "false"),
    ("_links", "true"),
    ("_embedded", "true"),
];

fn strict(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties")
                && !map.contains_key("additionalProperties")
                && !map.contains_key("patternProperties")
            {
                map.insert("additionalProperties".into(), json!(false));
            }
            for (_, v) in map.iter_mut() {
                strict(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strict),
        _ => {}
    }
}

struct Schemas(HashMap<String, jsonschema::Validator>);

impl Schemas {
    fn load() -> Self {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/losant-schemas");
        let mut out = HashMap::new();
        for entry in std::fs::read_dir(dir).expect("schema dir") {
            let path = entry.expect("entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read schema");
            let mut schema: Value = serde_json::from_str(&text).expect("schema json");
            assert!(
                !text.contains("\"$ref\""),
                "{} uses $ref; resolve it",
                path.display()
            );
            strict(&mut schema);
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
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

struct Sim {
    _running: portico::sim::Running,
    base: String,
    http: reqwest::Client,
    schemas: Schemas,
}

struct Reply {
    status: u16,
    body: Value,
    text: String,
}

impl Sim {
    async fn start() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let running =
            portico::platform::registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
                .await
                .expect("start sim");
        let base = format!("{}/losant", running.base_url());
        Self {
            _running: running,
            base,
            http: reqwest::Client::new(),
            schemas: Schemas::load(),
        }
    }

    /// A request as the vendor clients send it: `_actions/_links/_embedded`
    /// query and `Accept-Version` header included.
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        let raw = body.map(|b| b.to_string());
        self.raw(method, path, token, query, raw.as_deref(), true)
            .await
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        query: &[(&str, &str)],
        body: Option<&str>,
        vendor_extras: bool,
    ) -> Reply {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header("Accept", "application/json")
            .query(query);
        if vendor_extras {
            req = req.query(&VENDOR_QUERY).header("Accept-Version", "^1.31.0");
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.expect("send");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, body, text }
    }

    async fn login(&self) -> String {
        let r = self
            .call(
                Method::POST,
                "/auth/user",
                None,
                &[],
                Some(json!({"email": EMAIL, "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        self.schemas.check("authedUser", &r.body);
        r.body["token"].as_str().expect("token").to_string()
    }

    /// Checks status and schema, returns the body.
    #[allow(clippy::too_many_arguments)]
    async fn expect(
        &self,
        method: Method,
        path: &str,
        token: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
        status: u16,
        schema: &str,
    ) -> Value {
        let r = self
            .call(method.clone(), path, Some(token), query, body)
            .await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.text);
        self.schemas.check(schema, &r.body);
        r.body
    }

    /// A GET that must answer 200 with a body matching `schema`.
    async fn get(&self, path: &str, token: &str, query: &[(&str, &str)], schema: &str) -> Value {
        self.expect(Method::GET, path, token, query, None, 200, schema)
            .await
    }

    /// A POST that must answer 201 with a body matching `schema`.
    async fn post(&self, path: &str, token: &str, body: Value, schema: &str) -> Value {
        self.expect(Method::POST, path, token, &[], Some(body), 201, schema)
            .await
    }

    /// A PATCH that must answer 200 with a body matching `schema`.
    async fn patch(&self, path: &str, token: &str, body: Value, schema: &str) -> Value {
        self.expect(Method::PATCH, path, token, &[], Some(body), 200, schema)
            .await
    }

    /// A DELETE that must succeed; returns its body.
    async fn delete(&self, path: &str, token: &str) -> Value {
        self.expect(Method::DELETE, path, token, &[], None, 200, "success")
            .await
    }

    /// A call that must fail with `status` and a Losant error body of type `kind`.
    async fn rejected(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        status: u16,
        kind: &str,
    ) -> Reply {
        let r = self.call(method, path, Some(token), &[], body).await;
        assert_error(&r, status, kind);
        r
    }

    /// A call whose body must fail Losant's schema check (400 Validation).
    async fn invalid(&self, method: Method, path: &str, token: &str, body: Value) -> Reply {
        self.rejected(method, path, token, Some(body), 400, "Validation")
            .await
    }

    /// A GET of `path` that must be a 404 naming `what`.
    async fn assert_not_found(&self, path: &str, token: &str, what: &str) {
        let r = self.call(Method::GET, path, Some(token), &[], None).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.body, not_found(what));
    }

    async fn app_id(&self, token: &str, name: &str) -> String {
        let list = self.get("/applications", token, &[], "applications").await;
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|a| a["name"] == name)
            .and_then(|a| a["id"].as_str())
            .unwrap_or_else(|| panic!("no application {name}"))
            .to_string()
    }
}

fn assert_error(r: &Reply, status: u16, kind: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body["type"], kind, "{}", r.text);
    assert!(r.body["message"].is_string(), "{}", r.text);
    let keys: Vec<&String> = r.body.as_object().expect("object").keys().collect();
    // Only a schema failure adds the list of what broke (validationErrors.json).
    if kind == "Validation" && r.body.get("validationErrors").is_some() {
        assert_eq!(keys, ["message", "type", "validationErrors"], "{}", r.text);
        let list = r.body["validationErrors"].as_array().expect("list");
        assert!(!list.is_empty(), "{}", r.text);
        for e in list {
            let fields: Vec<&String> = e.as_object().expect("entry").keys().collect();
            assert_eq!(fields, ["id", "message", "name", "type"], "{}", r.text);
        }
    } else {
        assert_eq!(keys, ["message", "type"], "{}", r.text);
    }
}

fn not_found(what: &str) -> Value {
    json!({"type": "NotFound", "message": format!("{what} was not found")})
}

fn unauthorized() -> Value {
    json!({"type": "Unauthorized", "message": "Unauthorized"})
}

fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_iso_ms_z(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 24
        && b[4] == b'-'
        && b[10] == b'T'
        && b[19] == b'.'
        && b[23] == b'Z'
        && OffsetDateTime::parse(s, &Rfc3339).is_ok()
}

fn envelope_keys(v: &Value, per_application: bool) {
    let mut keys: Vec<&str> = v
        .as_object()
        .expect("envelope")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut want = vec![
        "count",
        "filter",
        "filterField",
        "items",
        "page",
        "perPage",
        "sortDirection",
        "sortField",
        "totalCount",
    ];
    if per_application {
        want.push("applicationId");
        want.sort_unstable();
    }
    assert_eq!(keys, want);
}

struct TestPki {
    ca: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

impl TestPki {
    fn new(cn: &str) -> Self {
        let mut p = rcgen::CertificateParams::default();
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        p.not_before = datetime!(2025-06-01 00:00:00 UTC);
        p.not_after = datetime!(2035-06-01 00:00:00 UTC);
        let ca = rcgen::CertifiedIssuer::self_signed(p, rcgen::KeyPair::generate().expect("key"))
            .expect("ca");
        Self { ca }
    }

    /// (PEM, DER) of a leaf with the given CN, serial and validity.
    fn leaf(
        &self,
        cn: &str,
        serial: &[u8],
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> (String, Vec<u8>) {
        let mut p = rcgen::CertificateParams::new(vec![cn.to_string()]).expect("params");
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        p.serial_number = Some(rcgen::SerialNumber::from_slice(serial));
        p.not_before = from;
        p.not_after = to;
        let key = rcgen::KeyPair::generate().expect("key");
        let cert = p.signed_by(&key, &self.ca).expect("sign");
        (cert.pem(), cert.der().to_vec())
    }
}

fn sha256_hex(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[tokio::test]
async fn auth_good_bad_and_missing() {
    let sim = Sim::start().await;
    let token = sim.login().await;

    // Good token works; the email is not case-sensitive.
    sim.get("/applications", &token, &[], "applications").await;
    let r = sim
        .call(
            Method::POST,
            "/auth/user",
            None,
            &[],
            Some(json!({"email": "Admin@Losant.Portico.Demo", "password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Wrong password, unknown user.
    for creds in [
        json!({"email": EMAIL, "password": "portico-demo-wrong"}),
        json!({"email": "someone@losant.portico.demo", "password": PASSWORD}),
    ] {
        let r = sim
            .call(Method::POST, "/auth/user", None, &[], Some(creds))
            .await;
        assert_eq!(r.status, 401);
        assert_eq!(r.body, unauthorized());
        sim.schemas.check("error", &r.body);
    }

    // Bodies the userCredentials schema rejects.
    for bad in [
        json!({"email": EMAIL}),
        json!({"email": EMAIL, "password": PASSWORD, "remember": true}),
        json!({"email": EMAIL, "password": "short"}),
        json!({"email": EMAIL, "password": PASSWORD, "tokenTTL": -1}),
        json!({"email": "not-an-email", "password": PASSWORD}),
    ] {
        let r = sim
            .call(Method::POST, "/auth/user", None, &[], Some(bad.clone()))
            .await;
        assert_error(&r, 400, "Validation");
        assert!(!r.text.contains("short"), "password echoed: {}", r.text);
    }
    let r = sim
        .raw(
            Method::POST,
            "/auth/user",
            None,
            &[],
            Some("{\"email\":"),
            true,
        )
        .await;
    assert_error(&r, 400, "BadRequest");

    // tokenTTL is accepted.
    let r = sim
        .call(
            Method::POST,
            "/auth/user",
            None,
            &[],
            Some(json!({"email": EMAIL, "password": PASSWORD, "tokenTTL": 3600})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Missing, malformed or foreign tokens.
    let no_header = sim
        .call(Method::GET, "/applications", None, &[], None)
        .await;
    assert_eq!((no_header.status, &no_header.body), (401, &unauthorized()));
    let basic = sim
        .http
        .get(format!("{}/applications", sim.base))
        .basic_auth(EMAIL, Some(PASSWORD))
        .send()
        .await
        .expect("send");
    assert_eq!(basic.status().as_u16(), 401);
    assert_eq!(basic.json::<Value>().await.expect("json"), unauthorized());
    for t in ["garbage", &format!("{token}x")] {
        let r = sim
            .call(Method::GET, "/applications", Some(t), &[], None)
            .await;
        assert_eq!((r.status, &r.body), (401, &unauthorized()));
    }
    // Every protected route, even for ids that do not exist.
    for path in [
        "/applications/5cd02a50df66feb0994c7196",
        "/applications/5cd02a50df66feb0994c7196/certificates",
        "/applications/5cd02a50df66feb0994c7196/keys/5cd02a50df66feb0994c7196",
        "/applications/5cd02a50df66feb0994c7196/certificate-authorities",
    ] {
        let r = sim.call(Method::GET, path, None, &[], None).await;
        assert_eq!((r.status, &r.body), (401, &unauthorized()), "{path}");
    }

    // A token from another simulator (another tenant) is worthless here.
    let other = Sim::start().await;
    let foreign = other.login().await;
    let r = sim
        .call(Method::GET, "/applications", Some(&foreign), &[], None)
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn vendor_query_and_accept_version_are_ignored() {
    let sim = Sim::start().await;
    let token = sim.login().await;
    let app = sim.app_id(&token, "Cold Chain Monitoring").await;
    for path in [
        "/applications".to_string(),
        format!("/applications/{app}"),
        format!("/applications/{app}/certificates"),
        format!("/applications/{app}/certificate-authorities"),
        format!("/applications/{app}/keys"),
    ] {
        let with = sim
            .raw(Method::GET, &path, Some(&token), &[], None, true)
            .await;
        let without = sim
            .raw(Method::GET, &path, Some(&token), &[], None, false)
            .await;
        assert_eq!(with.status, 200, "{path}: {}", with.text);
        assert_eq!(with.body, without.body, "{path}");
    }
    // Odd values too, and on writes.
    let r = sim
        .raw(
            Method::POST,
            &format!("/applications/{app}/keys"),
            Some(&token),
            &[
                ("_actions", "true"),
                ("_links", "false"),
                ("_embedded", "false"),
            ],
            Some(r#"{"name":"Extras"}"#),
            true,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    sim.schemas.check("applicationKeyPostResponse", &r.body);
}

#[tokio::test]
async fn demo_seed_is_realistic() {
    let sim = Sim::start().await;
    let token = sim.login().await;
    let apps = sim.get("/applications", &token, &[], "applications").await;
    envelope_keys(&apps, false);
    let names: Vec<&str> = apps["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "Cold Chain Monitoring",
            "Fleet Telematics",
            "Smart Building Energy"
        ]
    );

    let now = OffsetDateTime::now_utc();
    let (mut expired, mut soon, mut long, mut cas, mut keys) = (0, Vec::new(), 0, 0, Vec::new());
    for app in apps["items"].as_array().expect("items") {
        let id = app["id"].as_str().expect("id");
        assert!(is_object_id(id));
        assert!(is_iso_ms_z(app["creationDate"].as_str().expect("date")));
        let certs = sim
            .get(
                &format!("/applications/{id}/certificates"),
                &token,
                &[],
                "applicationCertificates",
            )
            .await;
        assert_eq!(app["summary"]["certificateCount"], certs["totalCount"]);
        for c in certs["items"].as_array().expect("items") {
            let pem = c["certificate"].as_str().expect("pem");
            assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
            let after = OffsetDateTime::parse(
                c["certificateInfo"]["notValidAfter"]
                    .as_str()
                    .expect("after"),
                &Rfc3339,
            )
            .expect("date");
            let left = (after - now).whole_days();
            if after < now {
                expired += 1;
            } else if left < 30 {
                soon.push(left);
            } else if left >= 365 {
                long += 1;
            }
        }
        let ca = sim
            .get(
                &format!("/applications/{id}/certificate-authorities"),
                &token,
                &[],
                "applicationCertificateAuthorities",
            )
            .await;
        for a in ca["items"].as_array().expect("items") {
            cas += 1;
            assert_eq!(a["caInfo"].as_array().expect("caInfo").len(), 2);
        }
        let k = sim
            .get(
                &format!("/applications/{id}/keys"),
                &token,
                &[],
                "applicationKeys",
            )
            .await;
        for key in k["items"].as_array().expect("items") {
            assert!(key["name"].as_str().is_some_and(|n| !n.is_empty()));
            assert!(key["description"].as_str().is_some_and(|n| !n.is_empty()));
            keys.push(key["status"].as_str().expect("status").to_string());
        }
    }
    assert_eq!(expired, 1, "exactly one expired certificate");
    soon.sort_unstable();
    assert_eq!(soon, [4, 11, 24], "expiring in 5, 12 and 25 days");
    assert!(long >= 3);
    assert_eq!(cas, 1);
    assert!((3..=4).contains(&keys.len()));
    assert!(keys.iter().any(|s| s == "active") && keys.iter().any(|s| s == "inactive"));
}

#[tokio::test]
async fn paging_sorting_and_glob_filtering() {
    let sim = Sim::start().await;
    let token = sim.login().await;
    let app = sim.app_id(&token, "Cold Chain Monitoring").await;
    let path = format!("/applications/{app}/certificates");
    let cn = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|c| {
                c["certificateInfo"]["commonName"]
                    .as_str()
                    .expect("cn")
                    .to_string()
            })
            .collect()
    };

    // Defaults: sorted by commonName ascending, 100 per page.
    let all = sim.get(&path, &token, &[], "applicationCertificates").await;
    envelope_keys(&all, true);
    assert_eq!(all["applicationId"], app.as_str());
    assert_eq!(all["sortField"], "certificateInfo.commonName");
    assert_eq!(all["sortDirection"], "asc");
    assert_eq!(
        (all["page"].as_u64(), all["perPage"].as_u64()),
        (Some(0), Some(100))
    );
    assert_eq!(
        (all["filter"].as_str(), all["filterField"].as_str()),
        (Some(""), Some(""))
    );
    let names = cn(&all);
    assert_eq!(names.len(), 5);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);

    // Three pages of two.
    let mut paged = Vec::new();
    for (page, count) in [("0", 2), ("1", 2), ("2", 1), ("3", 0)] {
        let p = sim
            .get(
                &path,
                &token,
                &[("perPage", "2"), ("page", page)],
                "applicationCertificates",
            )
            .await;
        assert_eq!(p["count"], count);
        assert_eq!(p["totalCount"], 5);
        assert_eq!(p["perPage"], 2);
        assert_eq!(p["page"].as_u64(), page.parse::<u64>().ok());
        paged.extend(cn(&p));
    }
    assert_eq!(paged, names);

    // Descending, any case; the caller's spelling is echoed.
    let desc = sim
        .get(
            &path,
            &token,
            &[("sortDirection", "DESC")],
            "applicationCertificates",
        )
        .await;
    assert_eq!(desc["sortDirection"], "DESC");
    let mut reversed = names.clone();
    reversed.reverse();
    assert_eq!(cn(&desc), reversed);
    let mixed = sim
        .get(
            &path,
            &token,
            &[("sortDirection", "Desc")],
            "applicationCertificates",
        )
        .await;
    assert_eq!(cn(&mixed), reversed);

    // Sorting by a date field.
    let by_date = sim
        .get(
            &path,
            &token,
            &[("sortField", "creationDate"), ("sortDirection", "asc")],
            "applicationCertificates",
        )
        .await;
    let dates: Vec<&str> = by_date["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["creationDate"].as_str().expect("date"))
        .collect();
    let mut dates_sorted = dates.clone();
    dates_sorted.sort_unstable();
    assert_eq!(dates, dates_sorted);

    // Glob filters: anchored, `*` wildcard, case-insensitive.
    let filtered = sim
        .get(
            &path,
            &token,
            &[
                ("filterField", "certificateInfo.commonName"),
                ("filter", "REEFER-gw-*"),
                ("perPage", "2"),
            ],
            "applicationCertificates",
        )
        .await;
    assert_eq!(filtered["totalCount"], 3);
    assert_eq!(filtered["count"], 2);
    assert_eq!(filtered["filter"], "REEFER-gw-*");
    assert_eq!(filtered["filterField"], "certificateInfo.commonName");
    assert!(cn(&filtered).iter().all(|n| n.starts_with("reefer-gw-")));
    let middle = sim
        .get(
            &path,
            &token,
            &[
                ("filterField", "certificateInfo.commonName"),
                ("filter", "*hub*"),
            ],
            "applicationCertificates",
        )
        .await;
    assert_eq!(cn(&middle), ["coldroom-hub-07.coldchain.portico.demo"]);
    let none = sim
        .get(
            &path,
            &token,
            &[
                ("filterField", "certificateInfo.commonName"),
                ("filter", "reefer"),
            ],
            "applicationCertificates",
        )
        .await;
    assert_eq!(none["totalCount"], 0);
    // A filter without filterField filters nothing.
    let ignored = sim
        .get(
            &path,
            &token,
            &[("filter", "nothing*")],
            "applicationCertificates",
        )
        .await;
    assert_eq!(ignored["totalCount"], 5);

    // Filtering by status on another list.
    let fleet = sim.app_id(&token, "Fleet Telematics").await;
    let inactive = sim
        .get(
            &format!("/applications/{fleet}/certificates"),
            &token,
            &[("filterField", "status"), ("filter", "inactive")],
            "applicationCertificates",
        )
        .await;
    assert_eq!(cn(&inactive), ["obd-bridge-03.fleet.portico.demo"]);

    // Applications page too: one per page, sorted by name descending.
    let mut apps = Vec::new();
    for page in ["0", "1", "2"] {
        let p = sim
            .get(
                "/applications",
                &token,
                &[("perPage", "1"), ("page", page), ("sortDirection", "desc")],
                "applications",
            )
            .await;
        assert_eq!(p["totalCount"], 3);
        apps.push(p["items"][0]["name"].as_str().expect("name").to_string());
    }
    assert_eq!(
        apps,
        [
            "Smart Building Energy",
            "Fleet Telematics",
            "Cold Chain Monitoring"
        ]
    );
    let glob = sim
        .get(
            "/applications",
            &token,
            &[("filterField", "name"), ("filter", "*tele*")],
            "applications",
        )
        .await;
    assert_eq!(glob["totalCount"], 1);
    assert_eq!(glob["items"][0]["name"], "Fleet Telematics");

    // Keys default to newest first.
    let keys = sim
        .get(
            &format!("/applications/{app}/keys"),
            &token,
            &[],
            "applicationKeys",
        )
        .await;
    assert_eq!(
        (keys["sortField"].as_str(), keys["sortDirection"].as_str()),
        (Some("creationDate"), Some("desc"))
    );
    let created: Vec<&str> = keys["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|k| k["creationDate"].as_str().expect("date"))
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{created:?}");

    // Out-of-range or unknown query values.
    for q in [
        [("perPage", "0")],
        [("perPage", "1001")],
        [("perPage", "ten")],
        [("page", "-1")],
        [("sortField", "secret")],
        [("sortField", "name")],
        [("sortDirection", "sideways")],
        [("filterField", "description")],
    ] {
        let r = sim.call(Method::GET, &path, Some(&token), &q, None).await;
        assert_error(&r, 400, "Validation");
    }
}

#[tokio::test]
async fn certificate_crud_derives_info_from_the_pem() {
    let sim = Sim::start().await;
    let token = sim.login().await;
    let app = sim.app_id(&token, "Fleet Telematics").await;
    let list_path = format!("/applications/{app}/certificates");
    let pki = TestPki::new("Portico Test Issuing CA");
    let from = datetime!(2026-01-02 03:04:05 UTC);
    let to = datetime!(2027-02-03 04:05:06 UTC);
    let (pem, der) = pki.leaf(
        "van-0999.fleet.portico.test",
        &[0x0a, 0xbc, 0xde, 0xf1],
        from,
        to,
    );

    let created = sim
        .post(
            &list_path,
            &token,
            json!({
                "certificate": pem,
                "description": "Van 999 gateway",
                "deviceIds": ["575ecf887ae143cd83dc4aa2"],
                "deviceTags": [{"key": "depot", "value": "Utrecht"}],
                "filterType": "whitelist",
                "pubTopics": ["fleet/van-0999/telemetry"],
            }),
            "applicationCertificate",
        )
        .await;
    let id = created["id"].as_str().expect("id").to_string();
    assert!(is_object_id(&id));
    assert_eq!(created["applicationCertificateId"], id.as_str());
    assert_eq!(created["applicationId"], app.as_str());
    assert!(is_iso_ms_z(created["creationDate"].as_str().expect("date")));
    assert_eq!(created["status"], "active");
    assert_eq!(created["subTopics"], json!([]));
    assert_eq!(
        created["deviceTags"],
        json!([{"key": "depot", "value": "Utrecht"}])
    );
    assert_eq!(
        created["certificateInfo"],
        json!({
            "commonName": "van-0999.fleet.portico.test",
            "issuerName": "Portico Test Issuing CA",
            "serialNumber": "0ABCDEF1",
            "fingerprint": sha256_hex(&der),
            "notValidBefore": "2026-01-02T03:04:05.000Z",
            "notValidAfter": "2027-02-03T04:05:06.000Z",
        })
    );

    let path = format!("{list_path}/{id}");
    let got = sim.get(&path, &token, &[], "applicationCertificate").await;
    assert_eq!(got, created);
    // Ids are hex, so upper case names the same certificate.
    let upper = sim
        .get(
            &format!("{list_path}/{}", id.to_uppercase()),
            &token,
            &[],
            "applicationCertificate",
        )
        .await;
    assert_eq!(upper["id"], id.as_str());
    let listed = sim
        .get(
            &list_path,
            &token,
            &[
                ("filterField", "certificateInfo.commonName"),
                ("filter", "van-0999*"),
            ],
            "applicationCertificates",
        )
        .await;
    assert_eq!(listed["items"], json!([created]));

    // PATCH the documented fields.
    let patched = sim
        .patch(
            &path,
            &token,
            json!({"status": "inactive", "description": "Van 999, retired"}),
            "applicationCertificate",
        )
        .await;
    assert_eq!(patched["status"], "inactive");
    assert_eq!(patched["description"], "Van 999, retired");
    assert_eq!(patched["certificateInfo"], created["certificateInfo"]);
    assert_eq!(patched["deviceIds"], created["deviceIds"]);
    assert_eq!(patched["creationDate"], created["creationDate"]);

    // A new PEM re-derives certificateInfo.
    let (pem2, der2) = pki.leaf(
        "van-0999-renewed.fleet.portico.test",
        &[0x42],
        datetime!(2027-01-01 00:00:00 UTC),
        datetime!(2029-01-01 00:00:00 UTC),
    );
    let renewed = sim
        .patch(
            &path,
            &token,
            json!({"certificate": pem2}),
            "applicationCertificate",
        )
        .await;
    assert_eq!(
        renewed["certificateInfo"]["commonName"],
        "van-0999-renewed.fleet.portico.test"
    );
    assert_eq!(renewed["certificateInfo"]["serialNumber"], "42");
    assert_eq!(
        renewed["certificateInfo"]["fingerprint"],
        sha256_hex(&der2).as_str()
    );
    assert_eq!(
        renewed["certificateInfo"]["notValidAfter"],
        "2029-01-01T00:00:00.000Z"
    );
    assert_eq!(renewed["status"], "inactive");

    // PATCH cannot set deviceIds/deviceTags or anything unknown.
    for body in [
        json!({"deviceIds": ["575ecf887ae143cd83dc4aa2"]}),
        json!({"deviceTags": [{"key": "a", "value": "b"}]}),
        json!({"colour": "blue"}),
        json!({"certificateInfo": {"commonName": "forged"}}),
        json!({"status": "revoked"}),
        json!({"certificate": "too short"}),
        json!([]),
    ] {
        let r = sim
            .invalid(Method::PATCH, &path, &token, body.clone())
            .await;
        sim.schemas.check("validationErrors", &r.body);
    }
    // A PEM that does not parse, on PATCH and POST, is a validation error too.
    let junk = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
    );
    for (method, p) in [
        (Method::PATCH, path.as_str()),
        (Method::POST, list_path.as_str()),
    ] {
        sim.invalid(method, p, &token, json!({"certificate": junk}))
            .await;
    }
    let not_pem = "x".repeat(80);
    sim.invalid(
        Method::POST,
        &list_path,
        &token,
        json!({"certificate": not_pem}),
    )
    .await;
    sim.invalid(
        Method::POST,
        &list_path,
        &token,
        json!({"description": "no pem"}),
    )
    .await;
    let r = sim
        .raw(
            Method::PATCH,
            &path,
            Some(&token),
            &[],
            Some("{\"status\": \"active\""),
            true,
        )
        .await;
    assert_error(&r, 400, "BadRequest");
    let unchanged = sim.get(&path, &token, &[], "applicationCertificate").await;
    assert_eq!(unchanged["certificateInfo"], renewed["certificateInfo"]);

    // DELETE, then it is gone.
    let deleted = sim.delete(&path, &token).await;
    assert_eq!(deleted, json!({"success": true}));
    for method in [Method::GET, Method::DELETE, Method::PATCH] {
        let body = (method == Method::PATCH).then(|| json!({"status": "active"}));
        let r = sim.call(method, &path, Some(&token), &[], body).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.body, not_found("Application certificate"));
    }
    // Unknown application, ill-formed ids.
    let r = sim
        .call(
            Method::GET,
            "/applications/5cd02a50df66feb0994c7196/certificates",
            Some(&token),
            &[],
            None,
        )
        .await;
    assert_eq!(r.body, not_found("Application"));
    assert_eq!(r.status, 404);
    for bad in [
        "not-an-id",
        "5cd02a50df66feb0994c719",
        "5cd02a50df66feb0994c7196aa",
        "zzzzzzzzzzzzzzzzzzzzzzzz",
    ] {
        sim.rejected(
            Method::GET,
            &format!("{list_path}/{bad}"),
            &token,
            None,
            404,
            "NotFound",
        )
        .await;
    }
}

#[tokio::test]
async fn certificate_authority_bundle_lists_every_certificate() {
    let sim = Sim::start().await;
    let token = sim.login().await;
    let app = sim.app_id(&token, "Smart Building Energy").await;
    let list_path = format!("/applications/{app}/certificate-authorities");
    let root = TestPki::new("Portico Test Root");
    let (intermediate, _) = root.leaf(
        "Portico Test Intermediate",
        &[0x01, 0x02],
        datetime!(2026-03-01 00:00:00 UTC),
        datetime!(2031-03-01 00:00:00 UTC),
    );
    let bundle = format!("{}{}", root.ca.pem(), intermediate);

    let created = sim
        .post(
            &list_path,
            &token,
            json!({"name": "Head office PKI", "caBundle": bundle, "description": "Root and intermediate"}),
            "applicationCertificateAuthority",
        )
        .await;
    let id = created["id"].as_str().expect("id").to_string();
    assert_eq!(created["applicationCertificateAuthorityId"], id.as_str());
    assert_eq!(created["status"], "active");
    let info = created["caInfo"].as_array().expect("caInfo");
    assert_eq!(info.len(), 2);
    assert_eq!(info[0]["commonName"], "Portico Test Root");
    assert_eq!(info[0]["issuerName"], "Portico Test Root");
    assert_eq!(info[0]["notValidAfter"], "2035-06-01T00:00:00.000Z");
    assert_eq!(info[1]["commonName"], "Portico Test Intermediate");
    assert_eq!(info[1]["issuerName"], "Portico Test Root");
    assert_eq!(info[1]["serialNumber"], "0102");
    assert_eq!(info[0]["fingerprint"], sha256_hex(root.ca.der()).as_str());

    let path = format!("{list_path}/{id}");
    let got = sim
        .get(&path, &token, &[], "applicationCertificateAuthority")
        .await;
    assert_eq!(got, created);
    let listed = sim
        .get(
            &list_path,
            &token,
            &[("sortField", "name")],
            "applicationCertificateAuthorities",
        )
        .await;
    envelope_keys(&listed, true);
    assert_eq!(listed["items"], json!([created]));

    // Rename and swap the bundle for a single certificate.
    let single = root.ca.pem();
    let patched = sim
        .patch(
            &path,
            &token,
            json!({"name": "Head office root only", "status": "inactive", "caBundle": single}),
            "applicationCertificateAuthority",
        )
        .await;
    assert_eq!(patched["name"], "Head office root only");
    assert_eq!(patched["status"], "inactive");
    assert_eq!(patched["caInfo"].as_array().map(Vec::len), Some(1));

    for body in [
        json!({"name": ""}),
        json!({"certificate": single}),
        json!({"caBundle": "y".repeat(60)}),
    ] {
        sim.invalid(Method::PATCH, &path, &token, body).await;
    }
    sim.invalid(
        Method::POST,
        &list_path,
        &token,
        json!({"caBundle": bundle}),
    )
    .await;

    sim.delete(&path, &token).await;
    sim.assert_not_found(&path, &token, "Application certificate authority")
        .await;
}

#[tokio::test]
async fn access_key_secret_is_shown_once() {
    let sim = Sim::start().await;
    let token = sim.login().await;
    let app = sim.app_id(&token, "Cold Chain Monitoring").await;
    let list_path = format!("/applications/{app}/keys");

    let created = sim
        .post(
            &list_path,
            &token,
            json!({
                "name": "Reefer gateway batch 7",
                "description": "Gateways shipped in November",
                "deviceTags": [{"key": "batch", "value": "7"}],
                "subTopics": ["coldchain/batch7/commands"],
            }),
            "applicationKeyPostResponse",
        )
        .await;
    let id = created["id"].as_str().expect("id").to_string();
    let secret = created["secret"].as_str().expect("secret").to_string();
    let key = created["key"].as_str().expect("key").to_string();
    assert!(secret.len() >= 32);
    assert_ne!(secret, key);
    assert_eq!(created["applicationKeyId"], id.as_str());
    assert_eq!(created["status"], "active");
    assert_eq!(created["createdByType"], "user");
    assert_eq!(created["lastUpdatedByType"], "user");
    assert!(is_object_id(created["createdById"].as_str().expect("by")));

    let path = format!("{list_path}/{id}");
    let got = sim.call(Method::GET, &path, Some(&token), &[], None).await;
    assert_eq!(got.status, 200);
    sim.schemas.check("applicationKey", &got.body);
    assert!(!got.text.contains(&secret));
    assert!(got.body.get("secret").is_none());
    assert_eq!(got.body["key"], key.as_str());
    let list = sim
        .call(Method::GET, &list_path, Some(&token), &[], None)
        .await;
    sim.schemas.check("applicationKeys", &list.body);
    assert!(!list.text.contains(&secret));
    assert_eq!(list.body["items"][0]["id"], id.as_str(), "newest first");
    let by_key = sim
        .get(
            &list_path,
            &token,
            &[("filterField", "key"), ("filter", &key)],
            "applicationKeys",
        )
        .await;
    assert_eq!(by_key["totalCount"], 1);

    // PATCH: status, the other documented fields, name: null clears the name.
    let patched = sim
        .call(
            Method::PATCH,
            &path,
            Some(&token),
            &[],
            Some(json!({
                "status": "inactive",
                "name": null,
                "description": "Rotated out",
                "addressFilterType": "whitelist",
                "addresses": ["10.20.0.0/16"],
            })),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    sim.schemas.check("applicationKey", &patched.body);
    assert!(!patched.text.contains(&secret));
    assert_eq!(patched.body["status"], "inactive");
    assert!(patched.body.get("name").is_none());
    assert_eq!(patched.body["addresses"], json!(["10.20.0.0/16"]));
    assert_eq!(patched.body["deviceTags"], created["deviceTags"]);
    let inactive = sim
        .get(
            &list_path,
            &token,
            &[("filterField", "status"), ("filter", "inactive")],
            "applicationKeys",
        )
        .await;
    assert_eq!(
        inactive["totalCount"], 2,
        "seeded inactive key plus this one"
    );

    for body in [
        json!({"deviceIds": ["575ecf887ae143cd83dc4aa2"]}),
        json!({"deviceTags": []}),
        json!({"secret": "mine"}),
        json!({"key": "mine"}),
        json!({"status": "disabled"}),
    ] {
        sim.invalid(Method::PATCH, &path, &token, body).await;
    }
    // The Post schema has no status or secret either.
    for body in [
        json!({"status": "inactive"}),
        json!({"secret": "chosen"}),
        json!({"name": ""}),
    ] {
        sim.invalid(Method::POST, &list_path, &token, body).await;
    }

    sim.delete(&path, &token).await;
    sim.assert_not_found(&path, &token, "Application key").await;

    // A key made with the demo API token is recorded as made by a token.
    let demo = portico::sim::losant::demo_config("http://unused");
    let api_token = demo_token(&demo);
    let by_token = sim
        .post(
            &list_path,
            &api_token,
            json!({}),
            "applicationKeyPostResponse",
        )
        .await;
    assert_eq!(by_token["createdByType"], "apiToken");
}

#[tokio::test]
async fn application_crud() {
    let sim = Sim::start().await;
    let token = sim.login().await;
    let created = sim
        .post(
            "/applications",
            &token,
            json!({
                "name": "Warehouse Robotics",
                "description": "AMR fleet telemetry",
                "endpointSlug": "warehouse-robotics",
                "expUserTokenCutoff": "2027-01-01T00:00:00Z",
            }),
            "application",
        )
        .await;
    let id = created["id"].as_str().expect("id").to_string();
    assert!(is_object_id(&id));
    assert_eq!(created["applicationId"], id.as_str());
    assert_eq!(created["name"], "Warehouse Robotics");
    assert_eq!(created["ownerType"], "user");
    assert_eq!(created["expUserTokenCutoff"], "2027-01-01T00:00:00.000Z");
    assert!(is_iso_ms_z(created["creationDate"].as_str().expect("date")));
    assert!(is_iso_ms_z(created["lastUpdated"].as_str().expect("date")));
    assert_eq!(created["summary"]["certificateCount"], 0);

    let path = format!("/applications/{id}");
    let got = sim.get(&path, &token, &[], "application").await;
    assert_eq!(got, created);
    let only_keys = sim
        .get(
            &path,
            &token,
            &[("summaryInclude", "keyCount")],
            "application",
        )
        .await;
    assert_eq!(only_keys["summary"], json!({"keyCount": 0}));

    let patched = sim
        .patch(
            &path,
            &token,
            json!({"name": "Warehouse Robotics (EU)", "globals": [{"key": "site", "json": "\"AMS\""}]}),
            "application",
        )
        .await;
    assert_eq!(patched["name"], "Warehouse Robotics (EU)");
    assert_eq!(patched["description"], "AMR fleet telemetry");
    assert_eq!(patched["globals"][0]["key"], "site");

    for body in [
        json!({"description": "no name"}),
        json!({"name": ""}),
        json!({"name": "x", "colour": "blue"}),
        json!({"name": "x", "endpointSlug": "Not Valid"}),
        json!({"name": "x", "endpointSlug": "warehouse-robotics"}),
    ] {
        sim.invalid(Method::POST, "/applications", &token, body)
            .await;
    }
    for body in [
        json!({"ownerId": "5cd02a50df66feb0994c7196"}),
        json!({"endpointSlug": "fleet-telematics"}),
    ] {
        sim.invalid(Method::PATCH, &path, &token, body).await;
    }
    let r = sim
        .raw(
            Method::POST,
            "/applications",
            Some(&token),
            &[],
            Some("not json"),
            true,
        )
        .await;
    assert_error(&r, 400, "BadRequest");

    let deleted = sim.delete(&path, &token).await;
    assert_eq!(deleted, json!({"success": true}));
    sim.assert_not_found(&path, &token, "Application").await;
    let r = sim
        .call(
            Method::GET,
            &format!("{path}/keys"),
            Some(&token),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 404);

    // Unknown routes and methods answer in Losant's shape too.
    sim.rejected(Method::GET, "/devices", &token, None, 404, "NotFound")
        .await;
    sim.rejected(
        Method::PUT,
        "/applications",
        &token,
        Some(json!({})),
        405,
        "MethodNotAllowed",
    )
    .await;
}

/// The commented-out `token = "..."` line of the demo config.
fn demo_token(config: &str) -> String {
    config
        .lines()
        .find_map(|l| l.trim().strip_prefix("# token = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("token line")
        .to_string()
}

#[tokio::test]
async fn demo_config_parses_and_works() {
    let sim = Sim::start().await;
    let base = sim.base.trim_end_matches("/losant").to_string();
    let text = portico::sim::losant::demo_config(&base);
    let doc: toml::Table = toml::from_str(&text).expect("TOML");
    let tenants = doc["tenants"].as_array().expect("tenants");
    assert_eq!(tenants.len(), 1);
    let t = tenants[0].as_table().expect("table");
    assert_eq!(t["name"].as_str(), Some("losant"));
    assert_eq!(t["platform"].as_str(), Some("losant"));
    assert_eq!(t["color"].as_str(), Some("magenta"));
    let base_url = t["base_url"].as_str().expect("base_url");
    assert_eq!(base_url, format!("{base}/losant"));
    let auth = t["auth"].as_table().expect("auth");
    let email = auth["email"].as_str().expect("email");
    let password = auth["password"].as_str().expect("password");

    // The credentials log in at base_url...
    let resp = sim
        .http
        .post(format!("{base_url}/auth/user"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    let token = resp.json::<Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string();
    sim.get("/applications", &token, &[], "applications").await;

    // ...and so does the long-lived API token, on every route.
    let api_token = demo_token(&text);
    let app = sim.app_id(&api_token, "Fleet Telematics").await;
    sim.get(
        &format!("/applications/{app}/certificates"),
        &api_token,
        &[],
        "applicationCertificates",
    )
    .await;

    // A trailing slash on the base makes no difference; the whole config still parses.
    assert_eq!(portico::sim::losant::demo_config(&format!("{base}/")), text);
    let all = portico::platform::registry::demo_config(&base);
    let parsed: toml::Table = toml::from_str(&all).expect("full config parses");
    assert!(
        parsed["tenants"]
            .as_array()
            .expect("tenants")
            .iter()
            .any(|t| t["platform"].as_str() == Some("losant"))
    );
}

#[tokio::test]
async fn application_api_tokens_are_shown_once_and_their_scopes_enforced() {
    let sim = Sim::start().await;
    let admin = sim.login().await;
    let app = sim.app_id(&admin, "Fleet Telematics").await;
    let tokens = format!("/applications/{app}/tokens");
    let made = sim
        .post(
            &tokens,
            &admin,
            json!({"name": "ro", "description": "reads", "scope": ["all.Application.read"]}),
            "apiToken",
        )
        .await;
    let token = made["token"]
        .as_str()
        .expect("token shown once")
        .to_string();
    assert_eq!(made["ownerId"], app.as_str());
    assert_eq!(made["ownerType"], "application");
    assert_eq!(made["status"], "active");
    let id = made["id"].as_str().expect("id").to_string();
    let one = format!("{tokens}/{id}");
    let got = sim.get(&one, &admin, &[], "apiToken").await;
    assert!(got.get("token").is_none(), "never again: {got}");
    let list = sim.get(&tokens, &admin, &[], "apiTokens").await;
    assert_eq!(list["ownerId"], app.as_str());
    assert_eq!(list["ownerType"], "application");
    assert!(list.get("applicationId").is_none());
    assert!(list.to_string().contains(&id) && !list.to_string().contains(&token));

    // Read-only: lists its own application and its collections...
    let apps = sim.get("/applications", &token, &[], "applications").await;
    assert_eq!(apps["items"].as_array().map(Vec::len), Some(1));
    let certs = sim
        .get(
            &format!("/applications/{app}/certificates"),
            &token,
            &[],
            "applicationCertificates",
        )
        .await;
    let cert = certs["items"][0]["id"].as_str().expect("cert").to_string();
    // ...but every change is a 403 with Losant's error body.
    let cert_path = format!("/applications/{app}/certificates/{cert}");
    let r = sim
        .rejected(
            Method::PATCH,
            &cert_path,
            &token,
            Some(json!({"status": "inactive"})),
            403,
            "Forbidden",
        )
        .await;
    sim.schemas.check("error", &r.body);
    sim.rejected(Method::DELETE, &cert_path, &token, None, 403, "Forbidden")
        .await;
    sim.rejected(
        Method::POST,
        &tokens,
        &token,
        Some(json!({"name": "x"})),
        403,
        "Forbidden",
    )
    .await;
    let other = sim.app_id(&admin, "Cold Chain Monitoring").await;
    sim.rejected(
        Method::GET,
        &format!("/applications/{other}/keys"),
        &token,
        None,
        403,
        "Forbidden",
    )
    .await;
    let after = sim
        .get(&cert_path, &admin, &[], "applicationCertificate")
        .await;
    assert_eq!(
        after["status"], certs["items"][0]["status"],
        "nothing changed"
    );

    // Disabled, the token is refused outright; then it is deleted.
    let off = sim
        .patch(&one, &admin, json!({"status": "inactive"}), "apiToken")
        .await;
    assert_eq!(off["status"], "inactive");
    let r = sim
        .call(Method::GET, "/applications", Some(&token), &[], None)
        .await;
    assert_eq!((r.status, r.body.clone()), (401, unauthorized()));
    sim.invalid(
        Method::PATCH,
        &one,
        &admin,
        json!({"scope": ["all.Application"]}),
    )
    .await;
    sim.delete(&one, &admin).await;
    sim.assert_not_found(&one, &admin, "API token").await;
}

#[tokio::test]
async fn validation_errors_list_each_field() {
    let sim = Sim::start().await;
    let admin = sim.login().await;
    let app = sim.app_id(&admin, "Cold Chain Monitoring").await;
    let r = sim
        .invalid(
            Method::POST,
            &format!("/applications/{app}/keys"),
            &admin,
            json!({"name": "", "filterType": "most", "bogus": 1}),
        )
        .await;
    sim.schemas.check("validationErrors", &r.body);
    let list = r.body["validationErrors"].as_array().expect("list");
    let names: Vec<&str> = list.iter().filter_map(|e| e["name"].as_str()).collect();
    for field in ["name", "filterType", "bogus"] {
        assert!(names.contains(&field), "{field} in {names:?}");
    }
    assert!(
        list.iter()
            .all(|e| e["message"].as_str().is_some_and(|m| !m.is_empty()))
    );
}

#[tokio::test]
async fn a_device_logs_in_with_an_access_key_it_is_allowed() {
    let sim = Sim::start().await;
    let admin = sim.login().await;
    let app = sim.app_id(&admin, "Fleet Telematics").await;
    let devices = sim
        .get(
            &format!("/applications/{app}/devices"),
            &admin,
            &[],
            "devices",
        )
        .await;
    let items = devices["items"].as_array().expect("devices");
    let van = items.iter().find(|d| d["name"] == "Van 0142").expect("van");
    let shop = items
        .iter()
        .find(|d| d["name"] == "Workshop OBD bridge")
        .expect("shop");
    let (van, shop) = (
        van["id"].as_str().expect("id"),
        shop["id"].as_str().expect("id"),
    );
    let keys = format!("/applications/{app}/keys");
    let made = sim
        .post(
            &keys,
            &admin,
            json!({"name": "vans only", "deviceTags": [{"key": "fleet", "value": "vans"}]}),
            "applicationKeyPostResponse",
        )
        .await;
    let (key, secret) = (
        made["key"].as_str().expect("key"),
        made["secret"].as_str().expect("secret"),
    );
    let login =
        |device: &str, secret: &str| json!({"deviceId": device, "key": key, "secret": secret});
    let ok = sim
        .call(
            Method::POST,
            "/auth/device",
            None,
            &[],
            Some(login(van, secret)),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    sim.schemas.check("authedDevice", &ok.body);
    assert_eq!(ok.body["applicationId"], app.as_str());
    assert_eq!(ok.body["deviceId"], van);
    // A device token has no application scopes.
    let device_token = ok.body["token"].as_str().expect("token");
    let r = sim
        .call(Method::GET, &keys, Some(device_token), &[], None)
        .await;
    assert_eq!(r.status, 403);
    for (device, secret) in [(shop, secret), (van, "wrong")] {
        let r = sim
            .call(
                Method::POST,
                "/auth/device",
                None,
                &[],
                Some(login(device, secret)),
            )
            .await;
        assert_eq!((r.status, r.body.clone()), (401, unauthorized()));
    }
    let id = made["id"].as_str().expect("id");
    sim.patch(
        &format!("{keys}/{id}"),
        &admin,
        json!({"status": "inactive"}),
        "applicationKey",
    )
    .await;
    let r = sim
        .call(
            Method::POST,
            "/auth/device",
            None,
            &[],
            Some(login(van, secret)),
        )
        .await;
    assert_eq!(r.status, 401, "a deactivated key logs nobody in");
}

#[tokio::test]
async fn the_request_log_records_method_path_and_status() {
    let sim = Sim::start().await;
    let admin = sim.login().await;
    sim.get("/applications", &admin, &[], "applications").await;
    let log: Value = sim
        .http
        .get(format!("{}/_sim/requests", sim.base))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    let list = log["requests"].as_array().expect("requests");
    assert_eq!(list.len(), 2, "{log}");
    assert_eq!(
        list[0],
        json!({"method": "POST", "path": "/auth/user", "status": 200})
    );
    assert_eq!(
        list[1],
        json!({"method": "GET", "path": "/applications", "status": 200})
    );
    assert!(!log.to_string().contains(&admin), "no token in the log");
}

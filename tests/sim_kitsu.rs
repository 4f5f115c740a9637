//! The Kitsu (Zou) simulator over real HTTP: exact status codes and bodies,
//! checked with plain JSON values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use portico::sim::Running;

const EMAIL: &str = "admin@kitsu.portico.demo";
const PASSWORD: &str = "portico-demo-kitsu";
const NOT_FOUND: &str = "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
const FORBIDDEN: &str = "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.";
const MISSING_JWT: &str = "Missing JWT in cookies or headers (Missing cookie \"access_token_cookie\"; Missing Authorization Header)";

struct Kitsu {
    _sim: Running,
    http: Client,
    api: String,
}

struct Reply {
    status: StatusCode,
    text: String,
    body: Value,
}

impl Kitsu {
    async fn start() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sim = portico::platform::registry::start_simulator("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let api = format!("{}/kitsu/api", sim.base_url());
        Self {
            _sim: sim,
            http: Client::new(),
            api,
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, text, body }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.api))
    }

    /// `GET /data/projects` with one raw header in place of a bearer token.
    async fn projects_with_header(&self, name: &str, value: &str) -> Reply {
        self.send(
            self.request(Method::GET, "/data/projects")
                .header(name, value),
        )
        .await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.request(method, path);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    async fn login_as(&self, email: &str, password: &str) -> Reply {
        self.call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"email": email, "password": password})),
        )
        .await
    }

    /// A fresh simulator and the demo administrator's access token.
    async fn admin() -> (Self, String) {
        let k = Self::start().await;
        let (token, _) = k.login().await;
        (k, token)
    }

    /// Access and refresh tokens of the demo administrator.
    async fn login(&self) -> (String, String) {
        let reply = self.login_as(EMAIL, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        (
            reply.body["access_token"].as_str().unwrap().to_owned(),
            reply.body["refresh_token"].as_str().unwrap().to_owned(),
        )
    }

    /// The id of the record named `name` in the bare-array listing at `path`.
    async fn id_named(&self, path: &str, token: &str, name: &str) -> String {
        let reply = self.get(path, token).await;
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn project_id(&self, token: &str, name: &str) -> String {
        self.id_named("/data/projects", token, name).await
    }

    async fn status_id(&self, token: &str, name: &str) -> String {
        self.id_named("/data/project-status", token, name).await
    }
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn names(body: &Value) -> Vec<&str> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect()
}

/// An object's keys, sorted.
fn sorted_keys(object: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn msg(message: &str) -> Value {
    json!({ "msg": message })
}

fn is_naive_seconds(s: &str) -> bool {
    s.len() == 19
        && time::PrimitiveDateTime::parse(
            s,
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        )
        .is_ok()
}

#[tokio::test]
async fn index_head_unknown_routes_and_methods() {
    let k = Kitsu::start().await;
    let version = json!({"api": "Zou", "version": "1.0.97"});
    for path in ["", "/"] {
        let reply = k.call(Method::GET, path, None, None).await;
        assert_eq!(
            (reply.status, reply.body),
            (StatusCode::OK, version.clone())
        );
    }
    let head = k.call(Method::HEAD, "", None, None).await;
    assert_eq!(head.status, StatusCode::OK);

    let (token, _) = k.login().await;
    let unknown = k.get("/data/nothing-here", &token).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body, json!({"error": true, "message": NOT_FOUND}));
    let wrong_method = k
        .call(Method::PATCH, "/data/projects", Some(&token), None)
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        wrong_method.body,
        json!({"error": true, "message": "The method is not allowed for the requested URL."})
    );
}

#[tokio::test]
async fn login_answers_user_organisation_and_jwts() {
    let k = Kitsu::start().await;
    let reply = k.login_as(EMAIL, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.body.as_object().unwrap();
    assert_eq!(
        sorted_keys(&reply.body),
        [
            "access_token",
            "login",
            "organisation",
            "refresh_token",
            "user"
        ]
    );
    assert_eq!(body["login"], true);
    assert_eq!(body["user"]["email"], EMAIL);
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["type"], "Person");
    assert!(body["user"].get("password").is_none());
    assert_eq!(body["organisation"]["name"], "Kitsu");
    assert_eq!(body["organisation"]["type"], "Organisation");

    let access = body["access_token"].as_str().unwrap();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(access.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));
    let a = claims(access);
    assert_eq!(a["type"], "access");
    assert_eq!(a["identity_type"], "person");
    assert_eq!(a["sub"], body["user"]["id"]);
    assert_eq!(a["fresh"], false);
    assert_eq!(a["nbf"], a["iat"]);
    assert_eq!(
        a["exp"].as_i64().unwrap() - a["iat"].as_i64().unwrap(),
        7 * 86_400
    );
    let r = claims(body["refresh_token"].as_str().unwrap());
    assert_eq!(r["type"], "refresh");
    assert_eq!(
        r["exp"].as_i64().unwrap() - r["iat"].as_i64().unwrap(),
        15 * 86_400
    );
    assert_eq!(a["refresh_jti"], r["jti"]);
    assert_ne!(a["jti"], r["jti"]);

    // A form post works too.
    let form = k
        .send(
            k.http
                .post(format!("{}/auth/login", k.api))
                .form(&[("email", EMAIL), ("password", PASSWORD)]),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.body["login"], true);
}

#[tokio::test]
async fn login_failures_have_zou_bodies() {
    let k = Kitsu::start().await;
    let wrong = json!({"login": false, "message": "Wrong email or password."});
    for (email, password) in [(EMAIL, "nope"), ("nobody@example.com", PASSWORD)] {
        let reply = k.login_as(email, password).await;
        assert_eq!(
            (reply.status, reply.body),
            (StatusCode::BAD_REQUEST, wrong.clone())
        );
    }
    let no_password = k
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"email": EMAIL})),
        )
        .await;
    assert_eq!(
        (no_password.status, no_password.body),
        (StatusCode::BAD_REQUEST, wrong)
    );

    let validation = |field: &str, message: &str| {
        json!({"error": true, "message": "Validation error.",
               "data": {"errors": [{"field": field, "message": message}]}})
    };
    let missing = k
        .call(Method::POST, "/auth/login", None, Some(json!({})))
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body, validation("email", "Field required"));
    let empty = k
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"email": ""})),
        )
        .await;
    assert_eq!(
        empty.body,
        validation("email", "String should have at least 1 character")
    );
    let not_string = k
        .call(Method::POST, "/auth/login", None, Some(json!({"email": 5})))
        .await;
    assert_eq!(
        not_string.body,
        validation("email", "Input should be a valid string")
    );

    // Jonas left the studio: his account is kept but deactivated.
    let inactive = k
        .login_as("jonas.becker@kitsu.portico.demo", PASSWORD)
        .await;
    assert_eq!(inactive.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        inactive.body,
        json!({"error": true, "login": false, "unactive": true,
               "message": "User is unactive, he cannot log in."})
    );
}

#[tokio::test]
async fn token_errors_follow_flask_jwt_extended() {
    let k = Kitsu::start().await;
    let missing = k.call(Method::GET, "/data/projects", None, None).await;
    assert_eq!(
        (missing.status, missing.body),
        (StatusCode::UNAUTHORIZED, msg(MISSING_JWT))
    );

    let cases = [
        ("garbage", "Not enough segments"),
        (
            "abcd.efgh.ijkl",
            "Invalid header string: 'utf-8' codec can't decode byte 0xb7 in position 1: invalid start byte",
        ),
        (
            "bm9wZQ.e30.c2ln",
            "Invalid header string: Expecting value: line 1 column 1 (char 0)",
        ),
    ];
    for (token, message) in cases {
        let reply = k.get("/data/projects", token).await;
        assert_eq!(
            (reply.status, reply.body),
            (StatusCode::UNPROCESSABLE_ENTITY, msg(message))
        );
    }

    // Same header and claims, signed with another key.
    let (token, _) = k.login().await;
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged = URL_SAFE_NO_PAD.encode([7u8; 32]);
    parts[2] = &forged;
    let reply = k.get("/data/projects", &parts.join(".")).await;
    assert_eq!(
        (reply.status, reply.body),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            msg("Signature verification failed")
        )
    );

    let basic = k.projects_with_header("Authorization", "Basic abc").await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        basic.body,
        msg(
            "Missing JWT in cookies or headers (Missing cookie \"access_token_cookie\"; Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>')"
        )
    );
    let bare = k.projects_with_header("Authorization", "Bearer").await;
    assert_eq!(
        (bare.status, bare.body),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            msg("Bad Authorization header. Expected 'Authorization: Bearer <JWT>'")
        )
    );

    // The cookie flask-jwt-extended reads first is accepted as well.
    let cookie = k
        .projects_with_header("Cookie", &format!("access_token_cookie={token}"))
        .await;
    assert_eq!(cookie.status, StatusCode::OK);
    assert_eq!(cookie.body.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn refresh_authenticated_and_logout() {
    let k = Kitsu::start().await;
    let (access, refresh) = k.login().await;

    let authenticated = k.get("/auth/authenticated", &access).await;
    assert_eq!(authenticated.status, StatusCode::OK);
    assert_eq!(authenticated.body["authenticated"], true);
    assert_eq!(authenticated.body["user"]["email"], EMAIL);
    assert_eq!(authenticated.body["organisation"]["type"], "Organisation");

    let wrong_kind = k.get("/auth/refresh-token", &access).await;
    assert_eq!(
        (wrong_kind.status, wrong_kind.body),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            msg("Only refresh tokens are allowed")
        )
    );
    let refresh_as_access = k.get("/data/projects", &refresh).await;
    assert_eq!(
        (refresh_as_access.status, refresh_as_access.body),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            msg("Only non-refresh tokens are allowed")
        )
    );
    let no_refresh = k.call(Method::GET, "/auth/refresh-token", None, None).await;
    assert_eq!(
        (no_refresh.status, no_refresh.body),
        (
            StatusCode::UNAUTHORIZED,
            msg(
                "Missing JWT in cookies or headers (Missing cookie \"refresh_token_cookie\"; Missing Authorization Header)"
            )
        )
    );

    let refreshed = k.get("/auth/refresh-token", &refresh).await;
    assert_eq!(refreshed.status, StatusCode::OK);
    let keys: Vec<&String> = refreshed.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["access_token"]);
    let new_access = refreshed.body["access_token"].as_str().unwrap();
    assert_eq!(claims(new_access)["type"], "access");
    assert_eq!(
        k.get("/auth/authenticated", new_access).await.status,
        StatusCode::OK
    );

    let logout = k.get("/auth/logout", &access).await;
    assert_eq!(
        (logout.status, logout.body),
        (StatusCode::OK, json!({"logout": true}))
    );
    let revoked = msg("Token has been revoked");
    let after = k.get("/auth/authenticated", &access).await;
    assert_eq!(
        (after.status, after.body),
        (StatusCode::UNAUTHORIZED, revoked.clone())
    );
    let refresh_after = k.get("/auth/refresh-token", &refresh).await;
    assert_eq!(
        (refresh_after.status, refresh_after.body),
        (StatusCode::UNAUTHORIZED, revoked)
    );
}

#[tokio::test]
async fn projects_list_is_an_array_or_a_page_and_filters_by_name() {
    let (k, token) = Kitsu::admin().await;

    let all = k.get("/data/projects", &token).await;
    assert_eq!(all.status, StatusCode::OK);
    let mut listed = names(&all.body);
    listed.sort_unstable();
    assert_eq!(
        listed,
        [
            "Harbor Lights",
            "Moss & Stone",
            "Night Ferry",
            "Paper Kites"
        ]
    );
    for project in all.body.as_array().unwrap() {
        assert_eq!(project["type"], "Project");
        assert!(project.get("team").is_none(), "list has no relations");
        assert!(is_naive_seconds(project["created_at"].as_str().unwrap()));
        assert_eq!(
            uuid::Uuid::parse_str(project["id"].as_str().unwrap())
                .unwrap()
                .get_version_num(),
            4
        );
    }

    let page = k.get("/data/projects?page=1&limit=3", &token).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body["total"], 4);
    assert_eq!(page.body["nb_pages"], 2);
    assert_eq!(page.body["limit"], 3);
    assert_eq!(page.body["offset"], 0);
    assert_eq!(page.body["page"], 1);
    assert_eq!(page.body["data"].as_array().unwrap().len(), 3);
    let second = k.get("/data/projects?page=2&limit=3", &token).await;
    assert_eq!(second.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(second.body["offset"], 3);
    let default_limit = k.get("/data/projects?page=1", &token).await;
    assert_eq!(default_limit.body["limit"], 100);
    let past_end = k.get("/data/projects?page=9&limit=3", &token).await;
    assert_eq!(past_end.body["data"], json!([]));
    assert_eq!(past_end.body["total"], 4);
    let bad_page = k.get("/data/projects?page=abc", &token).await;
    assert_eq!(
        (bad_page.status, bad_page.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "page must be an integer.", "data": null})
        )
    );

    for (query, expected) in [
        ("harbor%20lights", vec!["Harbor Lights"]),
        ("MOSS%20%26%20STONE", vec!["Moss & Stone"]),
        ("paper%25", vec!["Paper Kites"]),
        ("harbor", vec![]),
    ] {
        let reply = k.get(&format!("/data/projects?name={query}"), &token).await;
        assert_eq!(names(&reply.body), expected, "name={query}");
    }
}

#[tokio::test]
async fn project_crud_and_only_closed_projects_are_deleted() {
    let (k, token) = Kitsu::admin().await;

    let created = k
        .post("/data/projects", &token, json!({"name": "Lantern Run"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let p = &created.body;
    assert_eq!(p.as_object().unwrap().len(), 45);
    for (key, value) in [
        ("fps", json!("25")),
        ("ratio", json!("16:9")),
        ("resolution", json!("1920x1080")),
        ("production_type", json!("short")),
        ("production_style", json!("2d3d")),
        ("homepage", json!("assets")),
        ("team", json!([])),
        ("asset_types", json!([])),
        ("type", json!("Project")),
    ] {
        assert_eq!(p[key], value, "{key}");
    }
    let open = k.status_id(&token, "Open").await;
    let closed = k.status_id(&token, "Closed").await;
    assert_eq!(p["project_status_id"], open.as_str());
    let id = p["id"].as_str().unwrap().to_owned();

    let duplicate = k
        .post("/data/projects", &token, json!({"name": "Lantern Run"}))
        .await;
    assert_eq!(
        (duplicate.status, duplicate.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"message": "A record with the same unique values already exists."})
        )
    );
    let nameless = k.post("/data/projects", &token, json!({"fps": "24"})).await;
    assert_eq!(
        nameless.body,
        json!({"message": "A required field is missing."})
    );
    let unknown_key = k
        .post("/data/projects", &token, json!({"name": "X", "foo": 1}))
        .await;
    assert_eq!(
        unknown_key.body,
        json!({"message": "'foo' is an invalid keyword argument for Project"})
    );
    let not_json = k
        .send(
            k.http
                .post(format!("{}/data/projects", k.api))
                .bearer_auth(&token)
                .header("Content-Type", "text/plain")
                .body(r#"{"name": "X"}"#),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        not_json.body,
        json!({"error": true, "message": "Did not attempt to load JSON data because the request Content-Type was not 'application/json'."})
    );
    let broken = k
        .send(
            k.http
                .post(format!("{}/data/projects", k.api))
                .bearer_auth(&token)
                .header("Content-Type", "application/json")
                .body("{nope"),
        )
        .await;
    assert_eq!(
        (broken.status, broken.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "The browser (or proxy) sent a request that this server could not understand."})
        )
    );
    let bad_style = k
        .post(
            "/data/projects",
            &token,
            json!({"name": "X", "production_style": "oil"}),
        )
        .await;
    assert_eq!(
        bad_style.body,
        json!({"error": true, "message": "Invalid production_style", "data": null})
    );

    let one = k.get(&format!("/data/projects/{id}"), &token).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["project_status_name"], "Open");
    assert_eq!(one.body["team"], json!([]));
    assert_eq!(one.body["descriptors"], json!([]));

    let updated = k
        .put(
            &format!("/data/projects/{id}"),
            &token,
            json!({"fps": "24", "type": "Project"}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["fps"], "24");
    assert_eq!(updated.body["name"], "Lantern Run");

    let refused = k.delete(&format!("/data/projects/{id}"), &token).await;
    assert_eq!(
        (refused.status, refused.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "Only closed projects can be deleted"})
        )
    );
    let closing = k
        .put(
            &format!("/data/projects/{id}"),
            &token,
            json!({"project_status_id": closed}),
        )
        .await;
    assert_eq!(closing.body["project_status_id"], closed.as_str());
    let deleted = k.delete(&format!("/data/projects/{id}"), &token).await;
    assert_eq!(
        (deleted.status, deleted.text.as_str()),
        (StatusCode::NO_CONTENT, "")
    );
    let gone = k.get(&format!("/data/projects/{id}"), &token).await;
    assert_eq!(
        (gone.status, gone.body),
        (
            StatusCode::NOT_FOUND,
            json!({"error": true, "message": NOT_FOUND})
        )
    );
    let malformed = k.get("/data/projects/not-a-uuid", &token).await;
    assert_eq!(
        (malformed.status, malformed.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "Malformed ID.", "data": null})
        )
    );

    // The delivered commercial is closed but still has assets: only a
    // forced delete removes it.
    let ferry = k.project_id(&token, "Night Ferry").await;
    let unforced = k.delete(&format!("/data/projects/{ferry}"), &token).await;
    assert_eq!(unforced.status, StatusCode::INTERNAL_SERVER_ERROR);
    let forced = k
        .delete(&format!("/data/projects/{ferry}?force=true"), &token)
        .await;
    assert_eq!(forced.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn project_statuses_and_non_admin_visibility() {
    let (k, token) = Kitsu::admin().await;
    let statuses = k.get("/data/project-status", &token).await;
    assert_eq!(names(&statuses.body), ["Open", "Closed"]);
    for status in statuses.body.as_array().unwrap() {
        assert_eq!(status["type"], "ProjectStatus");
        assert_eq!(status["color"], "#000000");
    }

    // An artist sees the productions whose team they are in, and may not
    // create one.
    let artist = k
        .login_as("lucas.martin@kitsu.portico.demo", PASSWORD)
        .await;
    let artist = artist.body["access_token"].as_str().unwrap().to_owned();
    let mut visible = names(&k.get("/data/projects", &artist).await.body)
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    visible.sort();
    assert_eq!(visible, ["Harbor Lights", "Moss & Stone"]);
    let refused = k
        .post("/data/projects", &artist, json!({"name": "Mine"}))
        .await;
    assert_eq!(
        (refused.status, refused.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": true, "message": FORBIDDEN})
        )
    );
    let minimal = k.get("/data/persons", &artist).await;
    let first = minimal.body[0].as_object().unwrap();
    assert_eq!(first.len(), 12);
    assert!(first.get("email").is_none());
}

#[tokio::test]
async fn asset_types_per_project_come_from_its_assets() {
    let (k, token) = Kitsu::admin().await;

    let all = k.get("/data/asset-types", &token).await;
    let all_names = names(&all.body);
    for name in ["Character", "Environment", "FX", "Prop", "Camera"] {
        assert!(all_names.contains(&name), "{name}");
    }
    assert!(!all_names.contains(&"Shot"));
    for t in all.body.as_array().unwrap() {
        assert_eq!(t["type"], "AssetType");
        assert_eq!(t["task_types"], json!([]));
    }

    let harbor = k.project_id(&token, "Harbor Lights").await;
    let used = k
        .get(&format!("/data/projects/{harbor}/asset-types"), &token)
        .await;
    assert_eq!(
        names(&used.body),
        ["Character", "Environment", "FX", "Prop"]
    );
    assert!(used.body[0].get("task_types").is_none());
    assert_eq!(used.body[0]["type"], "AssetType");
    let kites = k.project_id(&token, "Paper Kites").await;
    let used = k
        .get(&format!("/data/projects/{kites}/asset-types"), &token)
        .await;
    assert_eq!(names(&used.body), ["Character", "Prop"]);

    let created = k
        .post("/data/entity-types", &token, json!({"name": "Vehicle"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["type"], "EntityType");
    assert_eq!(created.body["name"], "Vehicle");
    let again = k
        .post("/data/entity-types", &token, json!({"name": "Vehicle"}))
        .await;
    assert_eq!(
        again.body,
        json!({"error": true, "message": "Entity type with this name already exists", "data": null})
    );
    let vehicle = created.body["id"].as_str().unwrap();
    let asset = k
        .post(
            &format!("/data/projects/{kites}/asset-types/{vehicle}/assets/new"),
            &token,
            json!({"name": "Mail Van", "description": "Brings the letters"}),
        )
        .await;
    assert_eq!(asset.status, StatusCode::CREATED);
    assert_eq!(asset.body["type"], "Asset");
    assert_eq!(asset.body["project_id"], kites.as_str());
    let used = k
        .get(&format!("/data/projects/{kites}/asset-types"), &token)
        .await;
    assert_eq!(names(&used.body), ["Character", "Prop", "Vehicle"]);
}

#[tokio::test]
async fn entity_links_pages_and_both_deletes() {
    let (k, token) = Kitsu::admin().await;
    let harbor = k.project_id(&token, "Harbor Lights").await;
    let path = format!("/data/projects/{harbor}/entity-links");

    let links = k.get(&path, &token).await;
    let links = links.body.as_array().unwrap().clone();
    assert_eq!(links.len(), 6);
    for link in &links {
        assert_eq!(
            sorted_keys(link),
            [
                "created_at",
                "data",
                "entity_in_id",
                "entity_out_id",
                "id",
                "label",
                "nb_occurences",
                "type"
            ]
        );
        let created = link["created_at"].as_str().unwrap();
        assert_eq!(created.len(), 26, "microseconds: {created}");
        assert_eq!(link["type"], "EntityLink");
    }

    let page = k.get(&format!("{path}?page=2&limit=4"), &token).await;
    assert_eq!(page.body["total"], 6);
    assert_eq!(page.body["nb_pages"], 2);
    assert_eq!(page.body["offset"], 4);
    let data = page.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["id"], links[4]["id"]);
    assert!(is_naive_seconds(data[0]["updated_at"].as_str().unwrap()));
    let capped = k.get(&format!("{path}?limit=2"), &token).await;
    assert_eq!(capped.body.as_array().unwrap().len(), 2);

    let (entity_in, entity_out) = (
        links[0]["entity_out_id"].clone(),
        links[0]["entity_in_id"].clone(),
    );
    let created = k
        .post(
            "/data/entity-links",
            &token,
            json!({"entity_in_id": entity_in, "entity_out_id": entity_out, "nb_occurences": 2, "label": "fixed"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(
        sorted_keys(&created.body),
        [
            "created_at",
            "data",
            "entity_in_id",
            "entity_out_id",
            "id",
            "label",
            "nb_occurences",
            "type",
            "updated_at"
        ]
    );
    assert_eq!(created.body["nb_occurences"], 2);
    let duplicate = k
        .post(
            "/data/entity-links",
            &token,
            json!({"entity_in_id": entity_in, "entity_out_id": entity_out}),
        )
        .await;
    assert_eq!(
        duplicate.body,
        json!({"message": "A record with the same unique values already exists."})
    );

    let first = links[0]["id"].as_str().unwrap();
    let removed = k.delete(&format!("{path}/{first}"), &token).await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.body["id"], first);
    assert_eq!(removed.body["type"], "EntityLink");
    let again = k.delete(&format!("{path}/{first}"), &token).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    let new_link = created.body["id"].as_str().unwrap();
    let plain = k
        .delete(&format!("/data/entity-links/{new_link}"), &token)
        .await;
    assert_eq!(
        (plain.status, plain.text.as_str()),
        (StatusCode::NO_CONTENT, "")
    );
    let left = k.get(&path, &token).await;
    assert_eq!(left.body.as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn persons_are_a_bare_array_without_secrets() {
    let (k, token) = Kitsu::admin().await;
    let persons = k.get("/data/persons", &token).await;
    let persons = persons.body.as_array().unwrap();
    assert_eq!(persons.len(), 12);
    assert_eq!(persons.iter().filter(|p| p["is_bot"] == true).count(), 3);
    for person in persons {
        let person = person.as_object().unwrap();
        assert_eq!(person.len(), 46);
        assert_eq!(person["type"], "Person");
        for key in [
            "role",
            "active",
            "expiration_date",
            "is_bot",
            "full_name",
            "email",
        ] {
            assert!(person.contains_key(key), "{key}");
        }
        for key in ["password", "jti", "departments"] {
            assert!(!person.contains_key(key), "{key}");
        }
    }
    let expiring = persons
        .iter()
        .find(|p| p["first_name"] == "Pipeline Sync")
        .unwrap();
    assert!(expiring["expiration_date"].as_str().unwrap().len() == 10);

    let admin = persons.iter().find(|p| p["email"] == EMAIL).unwrap()["id"]
        .as_str()
        .unwrap();
    let one = k.get(&format!("/data/persons/{admin}"), &token).await;
    assert_eq!(one.body["departments"], json!([]));
    let myself = k.delete(&format!("/data/persons/{admin}"), &token).await;
    assert_eq!(myself.status, StatusCode::FORBIDDEN);

    let created = k
        .post(
            "/data/persons",
            &token,
            json!({"first_name": "Ines", "last_name": "Moreau", "email": "Ines.Moreau@Example.com", "password": "secret-pass-1", "role": "supervisor"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["email"], "ines.moreau@example.com");
    assert!(created.body.get("access_token").is_none());
    let id = created.body["id"].as_str().unwrap().to_owned();
    let login = k.login_as("ines.moreau@example.com", "secret-pass-1").await;
    assert_eq!(login.status, StatusCode::OK);
    for (email, message) in [
        ("ines.moreau@example.com", "Email already in use."),
        ("not-an-email", "An email address must have an @-sign."),
    ] {
        let refused = k
            .post(
                "/data/persons",
                &token,
                json!({"first_name": "I", "last_name": "M", "email": email}),
            )
            .await;
        assert_eq!(
            refused.body,
            json!({"error": true, "message": message, "data": null}),
            "{email}"
        );
    }

    // She may issue herself a personal API token, not promote herself.
    let hers = login.body["access_token"].as_str().unwrap();
    let own = k
        .put(
            &format!("/data/persons/{id}"),
            hers,
            json!({"expiration_date": null, "role": "admin"}),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body["role"], "supervisor");
    let personal = own.body["access_token"].as_str().unwrap();
    assert_eq!(claims(personal)["identity_type"], "person_api");
    assert_eq!(
        k.get("/auth/authenticated", personal).await.status,
        StatusCode::OK
    );

    // Having logged in, she has linked data: deleting needs force.
    let linked = k.delete(&format!("/data/persons/{id}"), &token).await;
    assert_eq!(
        (linked.status, linked.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "Some data are still linked to given person."})
        )
    );
    let forced = k
        .delete(&format!("/data/persons/{id}?force=true"), &token)
        .await;
    assert_eq!(forced.status, StatusCode::NO_CONTENT);
}

/// The ids of a paged person listing's page.
fn page_ids(reply: &Reply) -> Vec<String> {
    reply.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Persons are paged in Zou's order, `updated_at desc, created_at desc,
/// id`, and each page shows every write made since the one before it:
/// the order a list works out on its first page is not kept past a write.
#[tokio::test]
async fn person_pages_follow_zou_order_and_every_write() {
    let (k, token) = Kitsu::admin().await;
    let people = "/data/persons?is_bot=false&limit=3";
    let page = |n: usize| format!("{people}&page={n}");

    // Every page together is the bare array in Zou's order.
    let all = k.get("/data/persons?is_bot=false", &token).await;
    let mut expected: Vec<&Value> = all.body.as_array().unwrap().iter().collect();
    expected.sort_by_key(|p| {
        let key = |f: &str| p[f].as_str().unwrap_or("").to_owned();
        (
            std::cmp::Reverse(key("updated_at")),
            std::cmp::Reverse(key("created_at")),
            key("id"),
        )
    });
    let expected: Vec<String> = expected
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    let first = k.get(&page(1), &token).await;
    let pages = usize::try_from(first.body["nb_pages"].as_i64().unwrap()).unwrap();
    assert_eq!(first.body["total"], expected.len());
    let mut paged = Vec::new();
    for n in 1..=pages {
        paged.extend(page_ids(&k.get(&page(n), &token).await));
    }
    assert_eq!(paged, expected);

    // A new person is the newest: first on the next read of page 1.
    let created = k
        .post(
            "/data/persons",
            &token,
            json!({"first_name": "Nadia", "last_name": "Okafor", "email": "nadia@example.com"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let after = k.get(&page(1), &token).await;
    assert_eq!(after.body["total"], expected.len() + 1);
    assert_eq!(
        page_ids(&after),
        [std::slice::from_ref(&id), &expected[..2]].concat()
    );

    // Edited, the oldest person is updated now and leaves the last page
    // for the first.
    let oldest = expected.last().unwrap().clone();
    let edited = k
        .put(
            &format!("/data/persons/{oldest}"),
            &token,
            json!({"phone": "+33 1 23 45 67 89"}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    assert!(page_ids(&k.get(&page(1), &token).await).contains(&oldest));
    let last = k.get(&page(pages), &token).await;
    assert!(!page_ids(&last).contains(&oldest));

    // Bots are a list of their own, not disturbed by the people's.
    let bots = k
        .get("/data/persons?is_bot=true&page=1&limit=3", &token)
        .await;
    assert_eq!(bots.body["total"], 3);

    let gone = k.delete(&format!("/data/persons/{id}"), &token).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.text);
    let after = k.get(&page(1), &token).await;
    assert_eq!(after.body["total"], expected.len());
    assert!(!page_ids(&after).contains(&id));
}

#[tokio::test]
async fn bot_token_is_regenerated_and_the_old_one_revoked() {
    let (k, token) = Kitsu::admin().await;
    let created = k
        .post(
            "/data/persons",
            &token,
            json!({"first_name": "Nightly Export", "last_name": "", "email": "nightly-export@example.com",
                   "role": "user", "departments": [], "active": true, "expiration_date": null, "is_bot": true}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let bot = created.body.clone();
    assert_eq!(bot["is_bot"], true);
    assert_eq!(bot["full_name"], "Nightly Export");
    let old = bot["access_token"].as_str().unwrap().to_owned();
    let c = claims(&old);
    assert_eq!(c["identity_type"], "bot");
    assert_eq!(c["sub"], bot["id"]);
    assert!(c.get("exp").is_none(), "no expiration date, no exp");

    let me = k.get("/auth/authenticated", &old).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["id"], bot["id"]);
    assert_eq!(me.body["user"]["is_bot"], true);

    // The token is not listed anywhere after creation.
    let listed = k
        .get(
            &format!("/data/persons/{}", bot["id"].as_str().unwrap()),
            &token,
        )
        .await;
    assert!(listed.body.get("access_token").is_none());

    // gazu's update_bot sends the whole bot back, expiration_date included.
    let id = bot["id"].as_str().unwrap();
    let regenerated = k
        .put(&format!("/data/persons/{id}"), &token, bot.clone())
        .await;
    assert_eq!(regenerated.status, StatusCode::OK);
    let new = regenerated.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new, old);
    let refused = k.get("/auth/authenticated", &old).await;
    assert_eq!(
        (refused.status, refused.body),
        (StatusCode::UNAUTHORIZED, msg("Token has been revoked"))
    );
    assert_eq!(
        k.get("/auth/authenticated", &new).await.status,
        StatusCode::OK
    );

    // Without the key, an update issues nothing; a past date is refused; a
    // future one issues a token ending with that day.
    let plain = k
        .put(
            &format!("/data/persons/{id}"),
            &token,
            json!({"first_name": "Nightly"}),
        )
        .await;
    assert!(plain.body.get("access_token").is_none());
    let past = k
        .put(
            &format!("/data/persons/{id}"),
            &token,
            json!({"expiration_date": "2020-01-01"}),
        )
        .await;
    assert_eq!(
        (past.status, past.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "Expiration date can't be in the past.", "data": null})
        )
    );
    let dated = k
        .put(
            &format!("/data/persons/{id}"),
            &token,
            json!({"expiration_date": "2031-05-06"}),
        )
        .await;
    assert_eq!(dated.body["expiration_date"], "2031-05-06");
    let dated_token = dated.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(claims(&dated_token)["exp"], 1_935_878_400); // 2031-05-07T00:00:00Z
    assert_eq!(
        k.get("/auth/authenticated", &new).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Bots cannot log out; deleting the bot revokes its token.
    let logout = k.get("/auth/logout", &dated_token).await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    let deleted = k.delete(&format!("/data/persons/{id}"), &token).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let after = k.get("/auth/authenticated", &dated_token).await;
    assert_eq!(
        (after.status, after.body),
        (StatusCode::UNAUTHORIZED, msg("Token has been revoked"))
    );
}

#[tokio::test]
async fn demo_config_is_toml_whose_credentials_work() {
    let k = Kitsu::start().await;
    let base = k.api.trim_end_matches("/kitsu/api").to_owned();
    let config: toml::Value = toml::from_str(&portico::sim::kitsu::demo_config(&base)).unwrap();
    let tenant = &config["tenants"][0];
    assert_eq!(tenant["name"].as_str(), Some("kitsu"));
    assert_eq!(tenant["platform"].as_str(), Some("kitsu"));
    assert_eq!(tenant["color"].as_str(), Some("green"));
    let base_url = tenant["base_url"].as_str().unwrap();
    assert_eq!(base_url, k.api);
    let email = tenant["auth"]["email"].as_str().unwrap();
    let password = tenant["auth"]["password"].as_str().unwrap();
    let reply = k
        .send(
            k.http
                .post(format!("{base_url}/auth/login"))
                .json(&json!({"email": email, "password": password})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["user"]["role"], "admin");
}

#[path = "support/totp.rs"]
mod totp;

const TOTP_EMAIL: &str = "aiko.tanaka@kitsu.portico.demo";
/// The demo secret, as `portico::sim::kitsu` documents it.
const TOTP_SECRET: &str = "PORTICODEMOKITSUTOTPSECRET234567";
const EMAIL_OTP_EMAIL: &str = "hugo.lefevre@kitsu.portico.demo";

impl Kitsu {
    async fn login_with(&self, body: Value) -> Reply {
        self.call(Method::POST, "/auth/login", None, Some(body))
            .await
    }

    /// The simulator's window on the mail it "sent".
    async fn mailed(&self, email: &str) -> Reply {
        let base = self.api.trim_end_matches("/api");
        self.send(
            self.http
                .get(format!("{base}/_sim/email-otp"))
                .query(&[("email", email)]),
        )
        .await
    }
}

#[tokio::test]
async fn totp_login_asks_for_the_code_and_refuses_a_wrong_one() {
    let k = Kitsu::start().await;
    let reply = k.login_as(TOTP_EMAIL, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body,
        json!({
            "error": true, "login": false, "missing_OTP": true,
            "message": "A two-factor authentication code is required.",
            "preferred_two_factor_authentication": "totp",
            "two_factor_authentication_enabled": ["recovery_code", "totp"],
        })
    );
    // A wrong password is refused before the second factor is asked for.
    let reply = k.login_as(TOTP_EMAIL, "wrong-password").await;
    assert_eq!(
        reply.body,
        json!({"login": false, "message": "Wrong email or password."})
    );

    let reply = k
        .login_with(
            json!({"email": TOTP_EMAIL, "password": PASSWORD, "totp": totp::wrong(TOTP_SECRET)}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body,
        json!({"error": true, "login": false, "wrong_OTP": true,
               "message": "Wrong two-factor authentication code."})
    );
    let reply = k
        .login_with(json!({"email": TOTP_EMAIL, "password": PASSWORD, "totp": 123_456}))
        .await;
    assert_eq!(
        reply.body,
        json!({"error": true, "message": "Validation error.",
               "data": {"errors": [{"field": "totp", "message": "Input should be a valid string"}]}})
    );
    // An email code does not stand in for the authenticator's.
    let reply = k
        .login_with(json!({"email": TOTP_EMAIL, "password": PASSWORD, "email_otp": "123456"}))
        .await;
    assert_eq!(reply.body["missing_OTP"], true, "{}", reply.text);

    let reply = k
        .login_with(
            json!({"email": TOTP_EMAIL, "password": PASSWORD, "totp": totp::now(TOTP_SECRET)}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["login"], true);
    assert_eq!(reply.body["user"]["totp_enabled"], true);
    assert_eq!(
        reply.body["user"]["preferred_two_factor_authentication"],
        "totp"
    );
    assert!(reply.body["user"].get("totp_secret").is_none());
}

#[tokio::test]
async fn email_codes_are_mailed_once_and_good_once() {
    let k = Kitsu::start().await;
    let reply = k.login_as(EMAIL_OTP_EMAIL, PASSWORD).await;
    assert_eq!(reply.body["missing_OTP"], true, "{}", reply.text);
    assert_eq!(
        reply.body["preferred_two_factor_authentication"],
        "email_otp"
    );
    assert_eq!(
        reply.body["two_factor_authentication_enabled"],
        json!(["recovery_code", "email_otp"])
    );
    assert_eq!(
        k.mailed(EMAIL_OTP_EMAIL).await.status,
        StatusCode::NOT_FOUND
    );

    // The same answer whoever asks, so it tells nobody who exists.
    for email in [EMAIL_OTP_EMAIL, "nobody@kitsu.portico.demo", EMAIL] {
        let reply = k
            .send(
                k.request(Method::GET, "/auth/email-otp")
                    .query(&[("email", email)]),
            )
            .await;
        assert_eq!(
            (reply.status, reply.body),
            (StatusCode::OK, json!({"success": true}))
        );
    }
    let reply = k.send(k.request(Method::GET, "/auth/email-otp")).await;
    assert_eq!(
        (reply.status, reply.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "Missing required parameter: email", "data": null})
        )
    );
    // Only the account with email codes got one.
    assert_eq!(k.mailed(EMAIL).await.status, StatusCode::NOT_FOUND);
    let mailed = k.mailed(EMAIL_OTP_EMAIL).await;
    let code = mailed.body["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));

    let login = json!({"email": EMAIL_OTP_EMAIL, "password": PASSWORD, "email_otp": code});
    let reply = k.login_with(login.clone()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let again = k.login_with(login).await;
    assert_eq!(again.body["wrong_OTP"], true, "a mailed code is good once");
}

#[tokio::test]
async fn totp_is_set_up_proven_and_turned_off_over_the_api() {
    let (k, admin) = Kitsu::admin().await;
    let created = k
        .post(
            "/data/persons",
            &admin,
            json!({"first_name": "Otto", "last_name": "Probe", "email": "otto@example.com",
                   "password": "otto-probe-pw1", "role": "user"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let token = k.login_as("otto@example.com", "otto-probe-pw1").await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let prepared = k.call(Method::PUT, "/auth/totp", Some(&token), None).await;
    assert_eq!(prepared.status, StatusCode::OK, "{}", prepared.text);
    assert_eq!(
        sorted_keys(&prepared.body),
        ["otp_secret", "totp_provisionning_uri"]
    );
    let secret = prepared.body["otp_secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 32);
    assert_eq!(
        prepared.body["totp_provisionning_uri"],
        format!(
            "otpauth://totp/Kitsu%20Kitsu:otto%40example.com?secret={secret}&issuer=Kitsu%20Kitsu"
        )
    );
    // Not on until a code proves the secret.
    assert_eq!(
        k.login_as("otto@example.com", "otto-probe-pw1")
            .await
            .status,
        StatusCode::OK
    );
    let wrong = k
        .post("/auth/totp", &token, json!({"totp": totp::wrong(&secret)}))
        .await;
    assert_eq!(
        (wrong.status, wrong.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "TOTP verification failed.", "wrong_OTP": true})
        )
    );
    let enabled = k
        .post("/auth/totp", &token, json!({"totp": totp::now(&secret)}))
        .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.text);
    assert_eq!(
        sorted_keys(&enabled.body),
        ["access_token", "otp_recovery_codes", "refresh_token"]
    );
    let codes: Vec<String> = enabled.body["otp_recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 16);
    assert!(codes.iter().all(|c| c.len() == 10));
    let again = k.call(Method::PUT, "/auth/totp", Some(&token), None).await;
    assert_eq!(
        (again.status, again.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "TOTP already enabled."})
        )
    );

    let reply = k.login_as("otto@example.com", "otto-probe-pw1").await;
    assert_eq!(reply.body["missing_OTP"], true, "{}", reply.text);
    // A recovery code logs in once.
    let recovery = json!({"email": "otto@example.com", "password": "otto-probe-pw1",
                          "recovery_code": codes[0]});
    assert_eq!(k.login_with(recovery.clone()).await.status, StatusCode::OK);
    assert_eq!(k.login_with(recovery).await.body["wrong_OTP"], true);

    // A bot has no second factor to set up.
    let bot = k
        .post(
            "/data/persons",
            &admin,
            json!({"first_name": "b", "last_name": "", "is_bot": true}),
        )
        .await;
    let bot_token = bot.body["access_token"].as_str().unwrap();
    let refused = k
        .call(Method::PUT, "/auth/totp", Some(bot_token), None)
        .await;
    assert_eq!(
        (refused.status, refused.body),
        (
            StatusCode::FORBIDDEN,
            json!({"error": true, "message": FORBIDDEN})
        )
    );

    let off = k
        .call(
            Method::DELETE,
            "/auth/totp",
            Some(&token),
            Some(json!({"totp": totp::wrong(&secret)})),
        )
        .await;
    assert_eq!(
        off.body,
        json!({"error": true, "message": "OTP verification failed.", "wrong_OTP": true})
    );
    let off = k
        .call(
            Method::DELETE,
            "/auth/totp",
            Some(&token),
            Some(json!({"totp": totp::now(&secret)})),
        )
        .await;
    assert_eq!(
        (off.status, off.body),
        (StatusCode::OK, json!({"success": true}))
    );
    let reply = k.login_as("otto@example.com", "otto-probe-pw1").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.body["user"]["preferred_two_factor_authentication"],
        Value::Null
    );
}

#[tokio::test]
async fn departments_are_listed_and_given_to_persons() {
    let (k, admin) = Kitsu::admin().await;
    let listed = k.get("/data/departments", &admin).await;
    assert_eq!(
        names(&listed.body),
        [
            "Modeling",
            "Animation",
            "FX",
            "Compositing",
            "Concept",
            "Layout"
        ]
    );
    let first = &listed.body[0];
    assert_eq!(
        sorted_keys(first),
        [
            "archived",
            "color",
            "created_at",
            "id",
            "name",
            "type",
            "updated_at"
        ]
    );
    assert_eq!(
        (first["color"].as_str(), first["type"].as_str()),
        (Some("#78909C"), Some("Department"))
    );
    let modeling = first["id"].as_str().unwrap().to_owned();
    let one = k
        .get(&format!("/data/departments/{modeling}"), &admin)
        .await;
    assert_eq!(one.body, *first);

    let bot = k
        .post(
            "/data/persons",
            &admin,
            json!({"first_name": "d", "last_name": "", "is_bot": true, "departments": [modeling]}),
        )
        .await;
    assert_eq!(bot.body["departments"], json!([modeling]), "{}", bot.text);
    let id = bot.body["id"].as_str().unwrap().to_owned();
    let path = format!("/data/persons/{id}");
    // Unknown ids are dropped without a word; ids that are not UUIDs refused.
    let unknown = "02cf4991-acb6-4ba0-8c4f-000000000000";
    let updated = k
        .put(&path, &admin, json!({"departments": [unknown]}))
        .await;
    assert_eq!(
        (updated.status, &updated.body["departments"]),
        (StatusCode::OK, &json!([]))
    );
    assert!(updated.body.get("access_token").is_none());
    let bad = k
        .put(&path, &admin, json!({"departments": ["not-a-uuid"]}))
        .await;
    assert_eq!(
        (bad.status, bad.body),
        (
            StatusCode::BAD_REQUEST,
            json!({"message": "One of the provided values has an invalid format."})
        )
    );
    k.put(&path, &admin, json!({"departments": [modeling]}))
        .await;
    // A plain listing leaves relations out; `relations=true` brings them.
    let plain = k.get("/data/persons?is_bot=true", &admin).await;
    let row = plain
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id.as_str())
        .unwrap()
        .clone();
    assert!(row.get("departments").is_none_or(Value::is_null), "{row}");
    let related = k
        .get("/data/persons?is_bot=true&relations=true", &admin)
        .await;
    let row = related
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["departments"], json!([modeling]));
}

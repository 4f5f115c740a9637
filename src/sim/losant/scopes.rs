//! Token scopes, enforced per route as Losant's route table and docs list
//! them. A route accepts a token holding any of:
//! - `all.User`, `all.Organization` and, under an application,
//!   `all.Application`;
//! - for a read (GET), the same three with `.read`;
//! - `<resource>.*` or `<resource>.<action>`, e.g. `applicationCertificate.patch`.
//!
//! An application token or device session is bound to its application:
//! a request for another application is refused. Listing `/applications`
//! with one is accepted and shows its own application only (Losant's docs
//! do not say; the simulator's choice, so such a token can browse).

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::Grant;
use super::error::ApiError;

/// The route-table resource a path names, and whether it lives under an
/// application; `None` for a path no scoped route serves.
fn resource(path: &str) -> Option<(&'static str, bool)> {
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let collection = |name: &str, one: bool| -> Option<&'static str> {
        Some(match (name, one) {
            ("certificates", false) => "applicationCertificates",
            ("certificates", true) => "applicationCertificate",
            ("certificate-authorities", false) => "applicationCertificateAuthorities",
            ("certificate-authorities", true) => "applicationCertificateAuthority",
            ("keys", false) => "applicationKeys",
            ("keys", true) => "applicationKey",
            ("tokens", false) => "applicationApiTokens",
            ("tokens", true) => "applicationApiToken",
            ("devices", false) => "devices",
            _ => return None,
        })
    };
    match parts.as_slice() {
        ["applications"] => Some(("applications", false)),
        ["applications", _] => Some(("application", true)),
        ["applications", _, name] => Some((collection(name, false)?, true)),
        ["applications", _, name, _] => Some((collection(name, true)?, true)),
        _ => None,
    }
}

const fn action(method: &Method) -> &'static str {
    match *method {
        Method::GET => "get",
        Method::POST => "post",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ => "unknown",
    }
}

/// The scopes any one of which lets a token call `resource.action`.
pub fn accepted(resource: &str, action: &str, in_application: bool) -> Vec<String> {
    let read = action == "get";
    let mut roots = vec!["all.User", "all.Organization"];
    if in_application {
        roots.push("all.Application");
    }
    let mut out: Vec<String> = roots.iter().map(|r| (*r).to_string()).collect();
    if read {
        out.extend(roots.iter().map(|r| format!("{r}.read")));
    }
    out.push(format!("{resource}.*"));
    out.push(format!("{resource}.{action}"));
    out
}

/// Whether `grant` may call `method` on `path`.
pub fn allows(grant: &Grant, method: &Method, path: &str) -> bool {
    let Some((resource, in_app)) = resource(path) else {
        // Not a scoped route: the router answers 404 for it.
        return true;
    };
    let app_in_path = path.split('/').filter(|s| !s.is_empty()).nth(1);
    if let (Some(own), Some(asked)) = (&grant.application, app_in_path)
        && !own.eq_ignore_ascii_case(asked)
    {
        return false;
    }
    // A token bound to an application lists applications as it reads it.
    let in_app = in_app || grant.application.is_some();
    let ok = accepted(resource, action(method), in_app);
    grant.scopes.iter().any(|s| ok.contains(s))
}

/// Middleware after `require_token`: 403 with Losant's error body when
/// the token's scopes do not cover the route.
pub async fn enforce(req: Request, next: Next) -> Response {
    let refused = req
        .extensions()
        .get::<Grant>()
        .is_some_and(|grant| !allows(grant, req.method(), req.uri().path()));
    if refused {
        ApiError::forbidden().into_response()
    } else {
        next.run(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(scopes: &[&str], app: Option<&str>) -> Grant {
        Grant {
            scopes: scopes.iter().map(ToString::to_string).collect(),
            application: app.map(str::to_string),
        }
    }

    const A: &str = "/applications/5cd02a50df66feb0994c7196/certificates/5cd02a50df66feb0994c7197";

    #[test]
    fn the_seed_lists_match() {
        let get = accepted("applicationCertificate", "get", true);
        for s in [
            "all.Application",
            "all.Application.read",
            "all.Organization",
            "all.Organization.read",
            "all.User",
            "all.User.read",
            "applicationCertificate.*",
            "applicationCertificate.get",
        ] {
            assert!(get.contains(&s.to_string()), "{s}");
        }
        assert_eq!(get.len(), 8);
        let patch = accepted("applicationCertificate", "patch", true);
        assert_eq!(patch.len(), 5);
        assert!(!patch.contains(&"all.Application.read".to_string()));
    }

    #[test]
    fn read_only_reads_and_nothing_else() {
        let ro = grant(&["all.Application.read"], Some("5cd02a50df66feb0994c7196"));
        assert!(allows(&ro, &Method::GET, A));
        assert!(!allows(&ro, &Method::PATCH, A));
        assert!(!allows(&ro, &Method::DELETE, A));
        let other = A.replace("5cd02a50df66feb0994c7196", "5cd02a50df66feb0994c7199");
        assert!(!allows(&ro, &Method::GET, &other), "another application");
        let narrow = grant(&["applicationCertificate.patch"], None);
        assert!(allows(&narrow, &Method::PATCH, A));
        assert!(!allows(&narrow, &Method::GET, A));
        assert!(!allows(&grant(&["all.Device"], None), &Method::GET, A));
    }
}

//! What the tenant's API token may do, read from the token itself: Losant
//! tokens are JWTs whose `scope` claim lists the scopes. A route accepts
//! `all.User`, `all.Organization`, under an application `all.Application`
//! (each also as `.read` for a GET), `<resource>.*` or `<resource>.<action>`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::model::{Change, Kind, Resource};

/// The `scope` claim of a JWT, or `None` when the token does not say.
pub fn of_token(token: &str) -> Option<Vec<String>> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    let list = claims.get("scope")?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
    )
}

pub fn allows(scopes: &[String], resource: &str, action: &str) -> bool {
    let roots = ["all.User", "all.Organization", "all.Application"];
    scopes.iter().any(|s| {
        roots.contains(&s.as_str())
            || (action == "get" && roots.iter().any(|r| *s == format!("{r}.read")))
            || *s == format!("{resource}.*")
            || *s == format!("{resource}.{action}")
    })
}

/// The route-table names of one item and of its collection.
const fn names(kind: Kind) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        Kind::Application => ("application", "applications"),
        Kind::Certificate => ("applicationCertificate", "applicationCertificates"),
        Kind::CertificateAuthority => (
            "applicationCertificateAuthority",
            "applicationCertificateAuthorities",
        ),
        Kind::AccessKey => ("applicationKey", "applicationKeys"),
        Kind::ApiToken => ("applicationApiToken", "applicationApiTokens"),
        _ => return None,
    })
}

/// Marks on `res` each change `scopes` do not cover, with the scope it needs.
pub fn mark(res: &mut Resource, scopes: Option<&[String]>) {
    let Some(scopes) = scopes else { return };
    let Some((item, _)) = names(res.kind) else {
        return;
    };
    let why = |call: String| {
        format!(
            "the API token's scopes ({}) do not allow {call}",
            scopes.join(", ")
        )
    };
    let mut refuse = |change: Change, resource: &str, action: &str| {
        if !allows(scopes, resource, action) {
            res.refused
                .push((change, why(format!("{resource}.{action}"))));
        }
    };
    refuse(Change::Edit, item, "patch");
    refuse(Change::Toggle, item, "patch");
    refuse(Change::Delete, item, "delete");
    match res.kind {
        // A renewal patches the certificate; a key's rotation posts a new key.
        Kind::Certificate => refuse(Change::Rotate, item, "patch"),
        Kind::AccessKey => refuse(Change::Rotate, "applicationKeys", "post"),
        _ => {}
    }
    if res.kind == Kind::Application {
        let children = [
            "applicationCertificates",
            "applicationCertificateAuthorities",
            "applicationKeys",
            "applicationApiTokens",
        ];
        if !children.iter().any(|c| allows(scopes, c, "post")) {
            res.refused
                .push((Change::CreateUnder, why("creating credentials".into())));
        }
    }
    if let Some(line) = summary(res) {
        // First, so a detail view too short for every field still says it.
        res.details.insert(0, ("not allowed".into(), line));
    }
}

/// The refused changes in a word each, grouped by the reason they share,
/// so the detail view says what the token cannot do before a key is tried.
fn summary(res: &Resource) -> Option<String> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (change, reason) in &res.refused {
        let word = match change {
            Change::CreateUnder => "create credentials",
            Change::Edit => "edit",
            Change::Delete => "delete",
            Change::Rotate if res.kind == Kind::Certificate => "renew",
            Change::Rotate => "rotate",
            Change::Toggle => "enable/disable",
        };
        match groups.iter_mut().find(|(r, _)| *r == reason.as_str()) {
            Some((_, words)) => words.push(word),
            None => groups.push((reason.as_str(), vec![word])),
        }
    }
    (!groups.is_empty()).then(|| {
        groups
            .iter()
            .map(|(reason, words)| format!("{}: {reason}", words.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: &str) -> String {
        format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(claims))
    }

    #[test]
    fn scopes_come_from_the_claim() {
        assert_eq!(
            of_token(&token(r#"{"scope":["all.Application.read"]}"#)),
            Some(vec!["all.Application.read".to_string()])
        );
        assert_eq!(of_token(&token(r#"{"sub":"x"}"#)), None);
        assert_eq!(of_token("opaque"), None);
    }

    #[test]
    fn read_only_refuses_every_change() {
        let ro = vec!["all.Application.read".to_string()];
        let mut res = Resource::new(Kind::Certificate, "c", "c");
        mark(&mut res, Some(&ro));
        for change in [Change::Edit, Change::Toggle, Change::Delete, Change::Rotate] {
            assert!(
                res.refusal(change)
                    .is_some_and(|r| r.contains("applicationCertificate."))
            );
        }
        let said = res.detail("not allowed").unwrap_or_default();
        assert!(
            said.starts_with("edit, enable/disable, renew: ")
                && said.contains("applicationCertificate.patch")
                && said.contains("delete: "),
            "{said}"
        );
        let full = vec!["all.Application".to_string()];
        let mut res = Resource::new(Kind::Certificate, "c", "c");
        mark(&mut res, Some(&full));
        assert!(res.refused.is_empty());
        assert_eq!(res.detail("not allowed"), None);
        assert!(allows(&ro, "applicationKeys", "get"));
        assert!(!allows(&ro, "applicationKeys", "post"));
    }
}

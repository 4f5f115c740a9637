//! Reading the `Authorization` header: HTTP Basic for users and clients,
//! Bearer for access tokens.

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub(super) enum Credentials {
    None,
    Basic {
        username: String,
        password: String,
    },
    Bearer(String),
    /// A header that is present but unusable (unknown scheme, bad base64...).
    /// It still counts as "credentials were sent" at the token endpoint.
    Malformed,
}

pub(super) fn credentials(headers: &HeaderMap) -> Credentials {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Credentials::None;
    };
    let Ok(value) = value.to_str() else {
        return Credentials::Malformed;
    };
    let (scheme, rest) = value
        .trim()
        .split_once(' ')
        .unwrap_or_else(|| (value.trim(), ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("basic") {
        decode_basic(rest).unwrap_or(Credentials::Malformed)
    } else if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
        Credentials::Bearer(rest.to_owned())
    } else {
        Credentials::Malformed
    }
}

fn decode_basic(encoded: &str) -> Option<Credentials> {
    let bytes = STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (username, password) = text.split_once(':')?;
    Some(Credentials::Basic {
        username: username.to_owned(),
        password: password.to_owned(),
    })
}

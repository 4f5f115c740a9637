//! HTTP plumbing every vendor simulator reads requests with: the JSON
//! content-type check, percent-decoding and the bearer credential. Error
//! bodies stay with each vendor, whose contract they are.

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};

/// Whether the body is declared JSON: `application/json` (RFC 8259) or a
/// `+json` structured syntax suffix (RFC 6839), compared without regard
/// to case as media types are (RFC 9110 8.3.1), parameters ignored.
pub fn is_json(headers: &HeaderMap) -> bool {
    let Some(media) = media_type(headers) else {
        return false;
    };
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// The `type/subtype` of `Content-Type`, lower-cased.
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

/// One component of a query string or `application/x-www-form-urlencoded`
/// body: `+` is a space and `%XX` an octet. A `%` that does not start two
/// hex digits is malformed (RFC 3986 2.1), as are octets that are not
/// UTF-8 (RFC 6749 appendix B): both give `None`, for the caller to refuse
/// or keep as sent, as the imitated server does.
pub fn percent_decode(input: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(input.get(i + 1..i + 3)?).ok()?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The token of `Authorization: Bearer <token>` (scheme in any case, RFC
/// 9110 11.1); `None` without one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn typed(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(content_type) {
            headers.insert(CONTENT_TYPE, value);
        }
        headers
    }

    #[test]
    fn json_media_types() {
        assert!(is_json(&typed("application/json")));
        assert!(is_json(&typed("Application/JSON; charset=utf-8")));
        assert!(is_json(&typed("application/merge-patch+json")));
        assert!(!is_json(&typed("text/json")));
        assert!(!is_json(&typed("application/x-www-form-urlencoded")));
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn percent_decoding_is_strict() {
        assert_eq!(
            percent_decode(b"Moss+%26+Stone").as_deref(),
            Some("Moss & Stone")
        );
        assert_eq!(percent_decode(b"%C3%A9").as_deref(), Some("é"));
        assert_eq!(percent_decode(b"%zz"), None);
        assert_eq!(percent_decode(b"%4"), None);
        assert_eq!(percent_decode(b"%+1"), None);
        assert_eq!(percent_decode(b"%FF"), None);
    }

    #[test]
    fn bearer_tokens() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer  abc "));
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
    }
}

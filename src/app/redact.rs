//! Masking what looks like a credential in text meant for the screen.
//!
//! Errors are built never to hold a secret, but a server may echo a
//! request back: before the full text of an error is shown, anything
//! that reads as a token, password or authorization header is masked.

/// Names whose value is masked when written `name=value` or `"name": "value"`.
const SENSITIVE: [&str; 9] = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "access_key",
    "authorization",
    "client_secret",
];

/// Words after which the next word is a credential.
const SCHEMES: [&str; 2] = ["bearer ", "basic "];

const MASK: &str = "***";

/// `text` with credential values replaced by `***`.
pub fn redact(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    // Byte ranges of values to mask, found on the lower-case copy (same
    // byte offsets: only ASCII letters change case).
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for scheme in SCHEMES {
        for (at, _) in lower.match_indices(scheme) {
            let start = at + scheme.len();
            let end = value_end(text, start);
            if end > start {
                spans.push((start, end));
            }
        }
    }
    for name in SENSITIVE {
        for (at, _) in lower.match_indices(name) {
            let mut i = at + name.len();
            let bytes = text.as_bytes();
            // A longer word ("tokens", "secretary") is not the name.
            if bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                continue;
            }
            while bytes
                .get(i)
                .is_some_and(|b| matches!(b, b'"' | b'\'' | b' '))
            {
                i += 1;
            }
            if !bytes.get(i).is_some_and(|b| matches!(b, b'=' | b':')) {
                continue;
            }
            i += 1;
            while bytes
                .get(i)
                .is_some_and(|b| matches!(b, b'"' | b'\'' | b' '))
            {
                i += 1;
            }
            // `Authorization: Bearer x` is masked by the scheme rule.
            if SCHEMES.iter().any(|s| lower[i..].starts_with(s)) {
                continue;
            }
            let end = value_end(text, i);
            if end > i {
                spans.push((i, end));
            }
        }
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (start, end) in spans {
        if start < from {
            continue;
        }
        out.push_str(&text[from..start]);
        out.push_str(MASK);
        from = end;
    }
    out.push_str(&text[from..]);
    out
}

/// Where a value starting at `start` ends: at whitespace, a quote, or a
/// separator of query strings and JSON.
fn value_end(text: &str, start: usize) -> usize {
    text[start..]
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || matches!(c, '"' | '\'' | '&' | ',' | ';' | ')' | '}'))
        .map_or(text.len(), |(i, _)| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_masked_and_the_rest_kept() {
        let cases = [
            (
                "HTTP 401: bad header Authorization: Bearer eyJhbGc.x.y rejected",
                "HTTP 401: bad header Authorization: Bearer *** rejected",
            ),
            (
                "echo: {\"email\":\"a@b\",\"password\":\"hunter2\"}",
                "echo: {\"email\":\"a@b\",\"password\":\"***\"}",
            ),
            (
                "GET /x?token=abc123&page=2 failed",
                "GET /x?token=***&page=2 failed",
            ),
            ("client_secret = s3cr3t", "client_secret = ***"),
            (
                "3 tokens issued; secretary: Ann",
                "3 tokens issued; secretary: Ann",
            ),
            ("nothing secret here", "nothing secret here"),
        ];
        for (given, want) in cases {
            assert_eq!(redact(given), want, "{given}");
        }
    }
}

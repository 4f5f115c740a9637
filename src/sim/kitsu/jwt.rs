//! HS256 JSON Web Tokens as Zou issues them through flask-jwt-extended and
//! `PyJWT`, including `PyJWT`'s error texts for tokens it cannot decode.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

/// `PyJWT` pads and decodes with Python's non-strict base64, which tolerates
/// stray bits at the end; a strict decoder would reject tokens `PyJWT` reads.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub type Claims = Map<String, Value>;

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Decoding failed; flask-jwt-extended answers 422 with this text.
    Invalid(String),
    /// `exp` has passed.
    Expired,
}

/// A per-process signing key: tokens never survive a simulator restart,
/// like a Zou whose `SECRET_KEY` changed.
pub struct Signer {
    key: [u8; 32],
}

impl Signer {
    pub fn random() -> Self {
        Self {
            key: rand::random(),
        }
    }

    fn mac(&self) -> Option<Hmac<Sha256>> {
        <Hmac<Sha256> as Mac>::new_from_slice(&self.key).ok()
    }

    pub fn encode(&self, claims: &Claims) -> String {
        // PyJWT sorts header keys, so this is byte for byte its header.
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string());
        let input = format!("{header}.{payload}");
        let signature = match self.mac() {
            Some(mut mac) => {
                mac.update(input.as_bytes());
                URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
            }
            None => String::new(),
        };
        format!("{input}.{signature}")
    }

    /// Follows `PyJWT`'s order of checks, so the first problem reported is the
    /// one the real server would report.
    pub fn decode(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let invalid = |m: &str| TokenError::Invalid(m.to_owned());
        let (signing_input, crypto) = token
            .rsplit_once('.')
            .ok_or_else(|| invalid("Not enough segments"))?;
        let (header_segment, payload_segment) = signing_input
            .split_once('.')
            .ok_or_else(|| invalid("Not enough segments"))?;
        let header_bytes =
            b64_decode(header_segment).ok_or_else(|| invalid("Invalid header padding"))?;
        let header = json_object(&header_bytes)
            .map_err(|e| TokenError::Invalid(format!("Invalid header string: {e}")))?;
        let payload_bytes =
            b64_decode(payload_segment).ok_or_else(|| invalid("Invalid payload padding"))?;
        let signature = b64_decode(crypto).ok_or_else(|| invalid("Invalid crypto padding"))?;

        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return Err(invalid("The specified alg value is not allowed"));
        }
        let mut mac = self
            .mac()
            .ok_or_else(|| invalid("Signature verification failed"))?;
        mac.update(signing_input.as_bytes());
        if mac.verify_slice(&signature).is_err() {
            return Err(invalid("Signature verification failed"));
        }

        let claims = json_object(&payload_bytes)
            .map_err(|e| TokenError::Invalid(format!("Invalid payload string: {e}")))?;
        if let Some(exp) = claims.get("exp") {
            let exp = exp
                .as_i64()
                .ok_or_else(|| invalid("Expiration Time claim (exp) must be an integer."))?;
            if exp <= now {
                return Err(TokenError::Expired);
            }
        }
        if let Some(iat) = claims.get("iat")
            && iat.as_i64().is_none()
        {
            return Err(invalid("Issued At claim (iat) must be an integer."));
        }
        if let Some(nbf) = claims.get("nbf") {
            let nbf = nbf
                .as_i64()
                .ok_or_else(|| invalid("Not Before claim (nbf) must be an integer."))?;
            if nbf > now {
                return Err(invalid("The token is not yet valid (nbf)"));
            }
        }
        Ok(claims)
    }
}

/// Python's `urlsafe_b64decode` after `PyJWT` re-adds the padding: characters
/// outside the alphabet are skipped, and a length of 4n+1 is an error.
fn b64_decode(segment: &str) -> Option<Vec<u8>> {
    let cleaned: String = segment
        .chars()
        .filter_map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
            '+' => Some('-'),
            '/' => Some('_'),
            _ => None,
        })
        .collect();
    if cleaned.len() % 4 == 1 {
        return None;
    }
    LENIENT.decode(cleaned).ok()
}

/// `json.loads(bytes)` with Python's wording for the two ways it fails.
fn json_object(bytes: &[u8]) -> Result<Claims, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| utf8_message(bytes, &e))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("must be a json object".into()),
        Err(e) => Err(json_message(text, &e)),
    }
}

fn utf8_message(bytes: &[u8], e: &std::str::Utf8Error) -> String {
    let start = e.valid_up_to();
    let first = bytes.get(start).copied().unwrap_or(0);
    let (len, reason) = match e.error_len() {
        None => (bytes.len() - start, "unexpected end of data"),
        Some(1) if !(0xC2..=0xF4).contains(&first) => (1, "invalid start byte"),
        Some(n) => (n, "invalid continuation byte"),
    };
    if len <= 1 {
        format!("'utf-8' codec can't decode byte 0x{first:02x} in position {start}: {reason}")
    } else {
        let end = start + len - 1;
        format!("'utf-8' codec can't decode bytes in position {start}-{end}: {reason}")
    }
}

/// Python's json module reports positions as line, column and character
/// offset. A document that does not open with a container fails at its first
/// character ("Expecting value"); trailing garbage is "Extra data"; anything
/// deeper is reported where serde stopped, which is close to where Python
/// stops.
fn json_message(text: &str, e: &serde_json::Error) -> String {
    let position = |line: usize, column: usize| {
        let offset: usize = text
            .split('\n')
            .take(line.saturating_sub(1))
            .map(|l| l.chars().count() + 1)
            .sum::<usize>()
            + column.saturating_sub(1);
        format!("line {line} column {column} (char {offset})")
    };
    if e.to_string().starts_with("trailing characters") {
        return format!("Extra data: {}", position(e.line(), e.column()));
    }
    let trimmed = text.trim_start();
    if !trimmed.starts_with(['{', '[', '"']) {
        let skipped = &text[..text.len() - trimmed.len()];
        let line = skipped.matches('\n').count() + 1;
        let column = skipped.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        return format!("Expecting value: {}", position(line, column));
    }
    format!(
        "Expecting value: {}",
        position(e.line().max(1), e.column().max(1))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let signer = Signer::random();
        let mut claims = Claims::new();
        claims.insert("sub".into(), "x".into());
        claims.insert("exp".into(), 2_000.into());
        let token = signer.encode(&claims);
        assert_eq!(signer.decode(&token, 1_000).unwrap(), claims);
        assert_eq!(signer.decode(&token, 2_000), Err(TokenError::Expired));
        let other = Signer::random();
        assert_eq!(
            other.decode(&token, 1_000),
            Err(TokenError::Invalid("Signature verification failed".into()))
        );
    }

    #[test]
    fn garbage_messages() {
        let signer = Signer::random();
        let msg = |t: &str| match signer.decode(t, 0) {
            Err(TokenError::Invalid(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(msg("garbage"), "Not enough segments");
        assert_eq!(msg("a.b.c"), "Invalid header padding");
        assert_eq!(
            msg("abcd.efgh.ijkl"),
            "Invalid header string: 'utf-8' codec can't decode byte 0xb7 in position 1: invalid start byte"
        );
        assert_eq!(
            msg("bm9wZQ.e30.c2ln"),
            "Invalid header string: Expecting value: line 1 column 1 (char 0)"
        );
        assert_eq!(
            msg("WzFd.e30.c2ln"),
            "Invalid header string: must be a json object"
        );
    }
}

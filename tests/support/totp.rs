//! TOTP codes (RFC 6238 over RFC 4226's HOTP, HMAC-SHA-1, 30-second steps,
//! six digits) as an authenticator app makes them, written independently
//! of the simulator's own, so that the two check each other.
#![allow(dead_code)] // each test crate uses what it needs

use hmac::{Hmac, Mac};
use sha1::Sha1;

fn base32(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits: u64 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        let v = ALPHABET
            .iter()
            .position(|a| *a == c.to_ascii_uppercase())
            .expect("base32 secret");
        let v = u64::try_from(v).unwrap();
        bits = (bits << 5) | v;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from(bits >> count).unwrap());
            bits &= (1 << count) - 1;
        }
    }
    out
}

/// The code for the step holding `unix`.
pub fn at(secret: &str, unix: u64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(&base32(secret)).unwrap();
    mac.update(&(unix / 30).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0xf);
    let word = u32::from_be_bytes(digest[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", word % 1_000_000)
}

/// The code an authenticator shows now.
pub fn now(secret: &str) -> String {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    at(secret, unix)
}

/// A code that is certainly wrong now (none of the accepted steps make it).
pub fn wrong(secret: &str) -> String {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let taken: Vec<String> = [unix - 30, unix, unix + 30]
        .iter()
        .map(|t| at(secret, *t))
        .collect();
    // Four candidates, at most three of them taken.
    ["000000", "111111", "222222", "333333"]
        .into_iter()
        .map(str::to_string)
        .find(|c| !taken.contains(c))
        .unwrap()
}

#[test]
fn rfc_6238_vectors() {
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_eq!(at(secret, 59), "287082");
    assert_eq!(at(secret, 1_111_111_109), "081804");
}

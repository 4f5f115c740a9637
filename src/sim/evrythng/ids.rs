//! Ids, keys and timestamps in EVRYTHNG's formats.

use std::time::{SystemTime, UNIX_EPOCH};

/// The id alphabet: no i, j, l, o, u, v, z and no I, J, L, O, Z, so an id
/// read aloud or typed cannot be misread.
pub const ID_ALPHABET: &[u8] = b"abcdefghkmnpqrstwxyABCDEFGHKMNPQRSTUVWXY0123456789";
pub const ID_LEN: usize = 24;
const KEY_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// Application API keys and operator keys are 80 alphanumerics.
pub const KEY_LEN: usize = 80;

/// A small seeded generator (SplitMix64): the seed data and demo keys come
/// out the same in every process, so a printed config works against any
/// simulator.
pub struct Rng(u64);

impl Rng {
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    const fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| {
                let len = u64::try_from(alphabet.len()).unwrap_or(u64::MAX);
                let at = usize::try_from(self.next() % len).unwrap_or(0);
                char::from(alphabet[at])
            })
            .collect()
    }

    pub fn id(&mut self) -> String {
        self.pick(ID_ALPHABET, ID_LEN)
    }

    pub fn key(&mut self) -> String {
        self.pick(KEY_ALPHABET, KEY_LEN)
    }
}

pub fn is_id(raw: &str) -> bool {
    raw.len() == ID_LEN && raw.bytes().all(|b| ID_ALPHABET.contains(&b))
}

/// Epoch milliseconds, the API's only time format.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_keys_use_their_alphabets() {
        let mut rng = Rng::new(7);
        let id = rng.id();
        assert!(is_id(&id), "{id}");
        let key = rng.key();
        assert_eq!(key.len(), KEY_LEN);
        assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(
            !is_id("U4aPM5gyBg8w9pwaaYKCepVz"),
            "z is not in the alphabet"
        );
        assert_eq!(Rng::new(7).id(), id, "same seed, same id");
    }
}

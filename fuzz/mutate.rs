//! A small, seeded mutation engine: flips, inserts, deletes, splices of
//! the input with itself, and tokens that parsers trip over. Seeded, so a
//! run can be repeated exactly from its seed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Fragments that reach the odd corners of TOML, JSON and key specs.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b"[[",
    b"]]",
    b",",
    b":",
    b"=",
    b"\n",
    b"\r\n",
    b"\0",
    b"null",
    b"true",
    b"-1",
    b"0",
    b"1e999",
    b"-0.0",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"\\ud800",
    b"\\u0000",
    b"\\u001b[2J",
    b"\x1b]52;c;eA==\x07",
    b"\xe2\x80\xae",
    b"\xe2\x80\x8d",
    b"\xc2\xa0",
    b"\xf3\xa0\x80\x81",
    b"\xff\xfe",
    b"\xc0\x80",
    b"'''",
    b"\"\"\"",
    b"#",
    b"ctrl-",
    b"alt-",
    b"ctrl-alt-",
    b"f99",
    b"\"id\"",
    b"\"name\"",
    b"\"data\"",
    b"\"items\"",
    b"\"totalCount\"",
    b"\"clientApplications\"",
    b"1970-01-01T00:00:00Z",
    b"9999-12-31T23:59:59.999Z",
    b"2024-02-30",
];

pub struct Mutator {
    rng: StdRng,
}

impl Mutator {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    pub fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
        &from[self.rng.random_range(0..from.len())]
    }

    /// One to eight mutations of `input`.
    pub fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        for _ in 0..self.rng.random_range(1..=8) {
            self.once(&mut out);
        }
        out
    }

    fn at(&mut self, out: &[u8]) -> usize {
        self.rng.random_range(0..=out.len())
    }

    fn once(&mut self, out: &mut Vec<u8>) {
        match self.rng.random_range(0..9) {
            0 if !out.is_empty() => {
                let i = self.rng.random_range(0..out.len());
                out[i] ^= 1 << self.rng.random_range(0..8);
            }
            1 if !out.is_empty() => {
                let i = self.rng.random_range(0..out.len());
                out[i] = self.rng.random();
            }
            2 if !out.is_empty() => {
                let a = self.rng.random_range(0..out.len());
                let len = self.rng.random_range(1..=16.min(out.len() - a));
                out.drain(a..a + len);
            }
            3 if !out.is_empty() => {
                // A piece of the input copied elsewhere in it.
                let a = self.rng.random_range(0..out.len());
                let len = self.rng.random_range(1..=64.min(out.len() - a));
                let piece = out[a..a + len].to_vec();
                let at = self.at(out);
                out.splice(at..at, piece);
            }
            4 if !out.is_empty() => {
                let at = self.rng.random_range(0..out.len());
                out.truncate(at);
            }
            5 => {
                // A run of one byte: long names, deep nesting.
                let byte = *self.pick(b"[{\"a \\0");
                let len = self.rng.random_range(1..=4096);
                let at = self.at(out);
                out.splice(at..at, std::iter::repeat_n(byte, len));
            }
            _ => {
                let token = *self.pick(TOKENS);
                let at = self.at(out);
                out.splice(at..at, token.iter().copied());
            }
        }
    }
}

//! A `portico sim` process of its own, so a test measures the console
//! apart from the simulator serving it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_portico");

pub struct Standalone {
    child: Child,
    config: String,
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Standalone {
    /// Starts `portico sim` on a free port with `knobs` (e.g. `--chaos`),
    /// waits until it says it listens and accepts a connection, and reads
    /// the config `--print-config` gives for that address.
    pub fn start(knobs: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["sim", "--addr", "127.0.0.1:0"])
            .args(knobs)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start the simulator");
        let stderr = child.stderr.take().expect("stderr");
        let mut line = String::new();
        BufReader::new(stderr)
            .read_line(&mut line)
            .expect("the simulator says where it listens");
        let base = line.trim().rsplit(' ').next().expect("an address");
        let addr = base.trim_start_matches("http://").to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "the simulator never answered");
            std::thread::yield_now();
        }
        let printed = Command::new(BIN)
            .args(["sim", "--addr", &addr, "--print-config"])
            .output()
            .expect("print config");
        let config = String::from_utf8_lossy(&printed.stdout).to_string();
        Self { child, config }
    }

    /// The `config.toml` text for the tenants this simulator serves.
    pub fn config(&self) -> &str {
        &self.config
    }
}

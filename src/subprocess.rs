//! Commands the user configured (credential commands, deliveries) run
//! through `sh -c` in a process group of their own, with a deadline. At
//! the deadline the whole group is killed, so a hung command, or one that
//! left children behind, can stall neither a tenant nor Portico's exit.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use zeroize::Zeroizing;

/// What a command that finished in time left behind.
pub struct Finished {
    pub status: ExitStatus,
    /// Wiped when dropped: a credential command prints its secret here.
    pub stdout: Zeroizing<Vec<u8>>,
    pub stderr: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot run it: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("it did not finish within {}s and was killed", .0.as_secs().max(1))]
    TimedOut(Duration),
}

/// Runs `sh -c script` with `env` added and `input` on stdin (stdin is
/// closed when there is none), waiting at most `timeout`. Blocking: call
/// it from a blocking thread.
pub fn run(
    script: &str,
    env: &[(&str, String)],
    input: Option<Zeroizing<Vec<u8>>>,
    timeout: Duration,
) -> Result<Finished, RunError> {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    own_group(&mut command);
    let mut child = command.spawn().map_err(RunError::Spawn)?;
    if let (Some(mut pipe), Some(bytes)) = (child.stdin.take(), input) {
        // A command that never reads its stdin must not block the writer
        // past the deadline, so the write has a thread of its own.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_until(&mut child, timeout)?;
    // The group is gone or finished; the readers end with their pipes.
    let stdout = stdout
        .recv_timeout(Duration::from_secs(1))
        .unwrap_or_default();
    let stderr = stderr
        .recv_timeout(Duration::from_secs(1))
        .unwrap_or_default();
    Ok(Finished {
        status,
        stdout: Zeroizing::new(stdout),
        stderr,
    })
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut out);
        }
        let _ = tx.send(out);
    });
    rx
}

fn wait_until(child: &mut Child, timeout: Duration) -> Result<ExitStatus, RunError> {
    let deadline = std::time::Instant::now() + timeout;
    let mut pause = Duration::from_millis(2);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                // Children it left behind go with it.
                kill_group(child);
                return Ok(status);
            }
            Ok(None) => {}
            Err(err) => {
                kill_group(child);
                let _ = child.wait();
                return Err(RunError::Spawn(err));
            }
        }
        let now = std::time::Instant::now();
        if now >= deadline {
            kill_group(child);
            let _ = child.kill();
            let _ = child.wait();
            return Err(RunError::TimedOut(timeout));
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

#[cfg(unix)]
fn own_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn own_group(_command: &mut Command) {}

#[cfg(unix)]
fn kill_group(child: &Child) {
    // The child leads its own group (process_group(0)), so the group id
    // is its pid; a negative pid signals the whole group.
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) takes plain integers and touches no memory.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(child: &mut Child) {
    let _ = child.kill();
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn input_goes_to_stdin_and_env_is_added() {
        let done = run(
            "read -r line; printf '%s:%s' \"$line\" \"$WHO\"",
            &[("WHO", "me".into())],
            Some(Zeroizing::new(b"hello\n".to_vec())),
            Duration::from_secs(10),
        )
        .expect("ran");
        assert!(done.status.success());
        assert_eq!(done.stdout.as_slice(), b"hello:me");
    }

    #[test]
    fn a_hung_command_and_its_children_are_killed_at_the_deadline() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pidfile = dir.path().join("child.pid");
        let script = format!("sleep 300 & echo $! > '{}'; wait", pidfile.display());
        let started = std::time::Instant::now();
        let err = run(&script, &[], None, Duration::from_millis(300))
            .err()
            .expect("timed out");
        assert!(matches!(err, RunError::TimedOut(_)), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
        let pid = std::fs::read_to_string(&pidfile).expect("pid written");
        let proc = format!("/proc/{}", pid.trim());
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        // A killed child may linger as a zombie of init for a moment.
        while std::path::Path::new(&proc).exists()
            && !std::fs::read_to_string(format!("{proc}/stat"))
                .unwrap_or_default()
                .contains(") Z")
        {
            assert!(std::time::Instant::now() < deadline, "grandchild survived");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

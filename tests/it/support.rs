//! The test harness: a throwaway lab folder per test and a runner for the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The umctl binary cargo built for these tests.
pub fn umctl_bin() -> &'static str {
    env!("CARGO_BIN_EXE_umctl")
}

/// A lab folder that disappears with the test.
pub struct TempLab {
    dir: tempfile::TempDir,
}

/// What one run of umctl did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with the whole output unless the run exited with `code`.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit code {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        self.expect_code(0)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl TempLab {
    /// A lab with the built-in forest, as `umctl lab init` makes it (only `lab init` and
    /// `lab import` create a lab).
    pub fn new() -> TempLab {
        let lab = TempLab::empty();
        umctl::directory::lab::LabDirectory::init(lab.path(), false).expect("lab init");
        lab
    }

    /// An empty folder: no lab in it.
    pub fn empty() -> TempLab {
        TempLab {
            dir: tempfile::Builder::new()
                .prefix("umctl-lab-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A command for this lab, not yet run (for background processes).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(umctl_bin());
        cmd.arg("--lab")
            .arg(self.path())
            .args(args)
            .env_remove("UMCTL_LAB")
            .env_remove("UMCTL_FAULT")
            .env_remove("UMCTL_LDAP_PASSWORD")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs umctl on this lab.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("run umctl"))
    }

    /// Runs umctl with extra environment variables.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::from(cmd.output().expect("run umctl"))
    }

    /// Writes `text` to a file in the lab folder's parent-free scratch area and returns its path.
    pub fn write(&self, name: &str, text: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write test file");
        path
    }

    /// Applies LDIF change records through `umctl lab apply`.
    pub fn apply(&self, ldif: &str) -> Run {
        let path = self.write("change.ldif", ldif.as_bytes());
        self.run(&["lab", "apply", path.to_str().expect("utf-8 path")])
    }

    /// The forest as `umctl lab export` prints it, without the header comment.
    pub fn export(&self) -> String {
        let run = self.run(&["lab", "export"]).ok();
        strip_comments(&run.stdout)
    }
}

/// Runs umctl on the lab folder `dir` (which need not exist).
pub fn run_on(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(umctl_bin())
        .arg("--lab")
        .arg(dir)
        .args(args)
        .env_remove("UMCTL_LAB")
        .env_remove("UMCTL_FAULT")
        .stdin(Stdio::null())
        .output()
        .expect("run umctl");
    Run::from(out)
}

/// LDIF without `#` comment lines (headers carry paths and counts).
pub fn strip_comments(ldif: &str) -> String {
    ldif.lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A running `umctl serve --ephemeral-ports --log-format json` on a lab: the JSON line it
/// printed, its stderr (the transaction log) collected in the background. Stopped by PID on
/// drop (SIGTERM, then SIGKILL), never by name.
pub struct ServeHarness {
    child: std::process::Child,
    /// The JSON line: `{"servers":[{"name","fqdn","roles":[{"role","udp","tcp","tls"}]}]}`.
    pub report: serde_json::Value,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl ServeHarness {
    /// Starts serve on `lab` with `extra` arguments and waits (at most 30 s) for its line.
    pub fn start(lab: &TempLab, extra: &[&str]) -> ServeHarness {
        let mut args = vec!["--ephemeral-ports"];
        args.extend_from_slice(extra);
        ServeHarness::start_with(lab, &args)
    }

    /// Starts `serve --log-format json` with exactly `extra` (e.g. one `--server` on fixed
    /// ports, for several serve processes on one lab).
    pub fn start_with(lab: &TempLab, extra: &[&str]) -> ServeHarness {
        let mut args = vec!["serve", "--log-format", "json"];
        args.extend_from_slice(extra);
        ServeHarness::start_command(lab, &args)
    }

    /// Starts `umctl ARGS` (`serve` and all its options, the log format too).
    pub fn start_command(lab: &TempLab, args: &[&str]) -> ServeHarness {
        use std::io::{BufRead, BufReader, Read};
        let mut child = lab
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn umctl serve");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut harness = ServeHarness {
            child,
            report: serde_json::Value::Null,
            stderr,
            reader: Some(reader),
        };
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap_or_default();
        harness.report = serde_json::from_str(&line).unwrap_or_else(|e| {
            let status = harness.child.try_wait();
            panic!(
                "serve printed no JSON line ({e}): {line:?}, status {status:?}\nstderr:\n{}",
                harness.stderr()
            )
        });
        harness
    }

    /// The address `role` of `server` listens on over `transport` (`udp`, `tcp`, `tls`).
    pub fn addr(&self, server: &str, role: &str, transport: &str) -> std::net::SocketAddr {
        let servers = self.report["servers"].as_array().expect("servers");
        let s = servers
            .iter()
            .find(|s| s["name"] == server)
            .unwrap_or_else(|| panic!("no server {server} in {}", self.report));
        let r = s["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .find(|r| r["role"] == role)
            .unwrap_or_else(|| panic!("no role {role} on {server} in {}", self.report));
        r[transport]
            .as_str()
            .unwrap_or_else(|| panic!("no {transport} for {role} on {server}"))
            .parse()
            .expect("socket address")
    }

    /// Everything serve wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The JSON transaction-log lines so far.
    pub fn log(&self) -> Vec<serde_json::Value> {
        self.stderr()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The log lines that report a problem (WARN or ERROR: a media engine error, a record
    /// not written, ...).
    pub fn problems(&self) -> Vec<serde_json::Value> {
        self.log()
            .into_iter()
            .filter(|l| l["level"] == "WARN" || l["level"] == "ERROR")
            .collect()
    }

    /// Waits (at most `wait`) until `done` holds for the log lines; returns whether it did.
    pub fn wait_for_log(
        &self,
        wait: std::time::Duration,
        done: impl Fn(&[serde_json::Value]) -> bool,
    ) -> bool {
        let end = std::time::Instant::now() + wait;
        loop {
            if done(&self.log()) {
                return true;
            }
            if std::time::Instant::now() > end {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Sends SIGTERM (by PID) and waits at most `wait` for the exit; `None` if still running.
    pub fn terminate(&mut self, wait: std::time::Duration) -> Option<std::process::ExitStatus> {
        signal(self.child.id(), "TERM");
        self.wait_exit(wait)
    }

    /// Waits at most `wait` for serve to exit (no signal); `None` if still running.
    pub fn wait_exit(&mut self, wait: std::time::Duration) -> Option<std::process::ExitStatus> {
        let end = std::time::Instant::now() + wait;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                if let Some(reader) = self.reader.take() {
                    let _ = reader.join();
                }
                return Some(status);
            }
            if std::time::Instant::now() > end {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl ServeHarness {
    /// SIGKILL (by PID, `Child::kill`): serve dies without any cleanup, as in a crash.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// `kill -<sig> <pid>`: one process, by its id.
fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

impl Drop for ServeHarness {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None))
            && self.terminate(std::time::Duration::from_secs(5)).is_none()
        {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// How many tests this run skipped because a peer is missing.
static SKIPPED_FOR_PEERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Figures a test measured (failover, delivery counts), written past the harness's capture so
/// `cargo test` (and CI's log) shows them also when the test passes.
pub fn show_figures(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "\n{text}");
}

/// Called by a test whose peer (`needs`, with how to install it) is missing. Under CI (`.ci/run`
/// sets CI=true) a missing peer fails the test. Elsewhere the skip is printed straight to the
/// process's stderr, which `cargo test` does not capture (only the print macros are), with the
/// running count: the last such line says "N tests skipped for missing peers".
#[track_caller]
pub fn skip_for_missing_peer(test: &str, needs: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: {needs} is required in CI (.ci/run installs it)"
    );
    use std::io::Write;
    let n = SKIPPED_FOR_PEERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    let _ = writeln!(
        std::io::stderr().lock(),
        "\n*** SKIPPED {test}: needs {needs} ***\n*** {n} tests skipped for missing peers ***"
    );
}

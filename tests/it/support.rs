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
    fn from(output: Output) -> Run {
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
    /// An empty folder; the lab is seeded on the first umctl command.
    pub fn new() -> TempLab {
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

/// LDIF without `#` comment lines (headers carry paths and counts).
pub fn strip_comments(ldif: &str) -> String {
    ldif.lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

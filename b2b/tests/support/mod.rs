//! What the `b2b` integration tests share: running the binary, checking its exit code and
//! output, temporary folders, external tools, and a standalone sandbox process.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The TLS identity's password variable.
pub const PASSWORD_ENV: &str = "B2B_IDENTITY_PASSWORD";
/// The signing identity's password variable.
pub const SIGNING_PASSWORD_ENV: &str = "B2B_SIGNING_PASSWORD";

/// The binary with a clean environment as far as it matters: no password inherited from the
/// developer's shell, and stdin not a terminal so nothing ever prompts.
pub fn b2b() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_b2b"));
    cmd.env_remove(PASSWORD_ENV)
        .env_remove(SIGNING_PASSWORD_ENV)
        .stdin(Stdio::null());
    cmd
}

pub fn run(args: &[&str]) -> Output {
    b2b().args(args).output().expect("run b2b")
}

/// Runs `cmd` with `input` on stdin.
pub fn run_cmd_with_stdin(mut cmd: Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run b2b");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// Runs b2b with `args` and `input` on stdin.
pub fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut cmd = b2b();
    cmd.args(args);
    run_cmd_with_stdin(cmd, input)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

#[track_caller]
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// A fresh, empty folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("b2b-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Fails the test unless `name` runs (`name version` or `name --version`).
pub fn require_tool(name: &str) {
    let runs = |arg: &str| {
        Command::new(name)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    assert!(
        runs("version") || runs("--version"),
        "{name} is missing: run scripts/install-test-tools.sh"
    );
}

/// `b2b sandbox <service>` running as its own process; killed (and its folder removed) on drop,
/// so a failing assertion does not leave it behind.
pub struct StandaloneSandbox {
    child: Child,
    /// Its standard input, when started with [`StandaloneSandbox::start_with`] (until closed).
    stdin: Option<ChildStdin>,
    /// What it prints, line by line, as read by a thread of its own.
    output: mpsc::Receiver<String>,
    pub dir: PathBuf,
    /// The base URL it printed.
    pub url: String,
    /// What it printed up to the URL and every `markers` line asked for (and every line read
    /// by [`StandaloneSandbox::wait_for`] since).
    pub lines: Vec<String>,
}

impl StandaloneSandbox {
    /// Starts `b2b sandbox <service> --out <temp dir>` and reads its output until it has printed
    /// the URL and a line containing each of `markers`; then checks that `files` exist.
    pub fn start(service: &str, name: &str, markers: &[&str], files: &[&str]) -> Self {
        Self::spawn(service, name, &[], Stdio::null(), markers, files)
    }

    /// Like [`start`](Self::start) with `args` after `--out <temp dir>`, and standard input a
    /// pipe for [`send`](Self::send).
    pub fn start_with(
        service: &str,
        name: &str,
        args: &[&str],
        markers: &[&str],
        files: &[&str],
    ) -> Self {
        Self::spawn(service, name, args, Stdio::piped(), markers, files)
    }

    fn spawn(
        service: &str,
        name: &str,
        args: &[&str],
        stdin: Stdio,
        markers: &[&str],
        files: &[&str],
    ) -> Self {
        let dir = temp_dir(&format!("{service}-{name}"));
        let mut child = b2b()
            .args(["sandbox", service, "--out"])
            .arg(&dir)
            .args(args)
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start b2b sandbox {service}: {e}"));
        let out = child.stdout.take().unwrap();
        let stdin = child.stdin.take();
        // Read in a thread so a silent process cannot hang the test.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Guard first: from here on the process is killed even if waiting fails.
        let mut sandbox = Self {
            child,
            stdin,
            output: rx,
            dir,
            url: String::new(),
            lines: Vec::new(),
        };
        let missing = |s: &Self| {
            s.url.is_empty()
                || markers
                    .iter()
                    .any(|m| !s.lines.iter().any(|l| l.contains(m)))
        };
        while missing(&sandbox) {
            let line = sandbox.next_line();
            if line.contains("listening on")
                && let Some(url) = line.split_whitespace().find(|w| w.starts_with("https://"))
            {
                sandbox.url = url.to_owned();
            }
            sandbox.lines.push(line);
        }
        // The files are written before anything is printed; check anyway.
        for file in files {
            assert!(sandbox.dir.join(file).is_file(), "{file} missing");
        }
        sandbox
    }

    /// The next line it prints, within 30 s.
    fn next_line(&self) -> String {
        self.output
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|e| {
                panic!(
                    "the sandbox did not print what was expected ({e}): {:?}",
                    self.lines
                )
            })
    }

    /// Reads what it prints until a line containing `marker` (within 30 s a line); that line.
    pub fn wait_for(&mut self, marker: &str) -> String {
        loop {
            let line = self.next_line();
            self.lines.push(line.clone());
            if line.contains(marker) {
                return line;
            }
        }
    }

    /// Writes `line` and a newline to its standard input (see [`start_with`](Self::start_with)).
    pub fn send(&mut self, line: &str) {
        let stdin = self
            .stdin
            .as_mut()
            .expect("started with start_with, standard input not closed");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Closes its standard input (the end of its input).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The text after `marker` on the first line containing it.
    pub fn after(&self, marker: &str) -> Option<String> {
        self.lines
            .iter()
            .find_map(|l| l.split(marker).nth(1))
            .map(|rest| rest.trim().to_owned())
    }

    pub fn path(&self, file: &str) -> String {
        self.dir.join(file).to_str().unwrap().to_owned()
    }
}

impl Drop for StandaloneSandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

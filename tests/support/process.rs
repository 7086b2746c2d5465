//! Runs the real binary and stops it by PID, whatever happens to the test.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Path of the binary cargo built for these tests.
pub const BINARY: &str = env!("CARGO_BIN_EXE_cloudflare-saml-exporter");

/// A command for the binary with a clean credential environment.
pub fn exporter_command() -> Command {
    let mut command = Command::new(BINARY);
    for var in [
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_API_TOKEN_FILE",
        "CLOUDFLARE_EMAIL",
        "CLOUDFLARE_API_KEY",
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFLARE_API_BASE_URL",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    command
}

/// `serve` against `api_base_url` for `accounts` (comma-separated), on a
/// free loopback port, refreshing every 300 ms and logging at debug level;
/// credentials are the caller's to add.
pub fn fast_serve_command(api_base_url: &str, accounts: &str) -> Command {
    let mut command = exporter_command();
    command.args([
        "serve",
        "--account-id",
        accounts,
        "--api-base-url",
        api_base_url,
        "--web.listen-address",
        "127.0.0.1:0",
        "--refresh-interval",
        "300ms",
        "--log.level",
        "debug",
    ]);
    command
}

/// Runs the binary to completion with a time limit.
pub fn run_to_end(mut command: Command, limit: Duration) -> Output {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("start the exporter binary");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        let _ = tx.send(out);
    });
    let err_reader = std::thread::spawn(move || {
        let mut err = Vec::new();
        let _ = stderr.read_to_end(&mut err);
        err
    });
    let stdout = match rx.recv_timeout(limit) {
        Ok(out) => out,
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("binary (pid {pid}) did not finish within {limit:?}");
        }
    };
    let status = child.wait().expect("wait for the binary");
    Output { status, stdout, stderr: err_reader.join().unwrap_or_default() }
}

/// A long-running binary, killed by PID when dropped.
pub struct RunningBinary {
    child: Child,
    /// Lines printed on stdout before `wait_for_line` returned.
    pub stdout_lines: Vec<String>,
    lines: mpsc::Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl RunningBinary {
    /// Starts the binary with piped output.
    pub fn start(mut command: Command) -> Self {
        command.stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::null());
        let mut child = command.spawn().expect("start the exporter binary");
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr_text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = std::sync::Arc::clone(&stderr_text);
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut all = sink.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        Self { child, stdout_lines: Vec::new(), lines, stderr: stderr_text }
    }

    /// The process ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for a stdout line starting with `prefix` and returns it.
    pub fn wait_for_line(&mut self, prefix: &str, limit: Duration) -> String {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.stdout_lines.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no stdout line starting with {prefix:?} within {limit:?}; stdout so far: {:?}; stderr: {}",
                    self.stdout_lines,
                    self.stderr()
                ),
            }
        }
    }

    /// Waits for a stderr line containing `fragment` and returns it.
    pub fn wait_for_stderr(&self, fragment: &str, limit: Duration) -> String {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(line) = self.stderr().lines().find(|l| l.contains(fragment)) {
                return line.to_owned();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no stderr line with {fragment:?} within {limit:?}; stderr: {}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `http://ADDR/metrics` of a `serve` process, from its `msg=listening`
    /// log line (logfmt).
    pub fn metrics_url_from_log(&self, limit: Duration) -> String {
        let line = self.wait_for_stderr("msg=listening", limit);
        let address =
            line.split_whitespace().find_map(|w| w.strip_prefix("address=")).expect("address= in the log");
        format!("http://{address}/metrics")
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Everything written on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits (bounded) for the exit status.
    pub fn terminate(&mut self, limit: Duration) -> std::process::ExitStatus {
        let status =
            Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("run kill(1)");
        assert!(status.success(), "kill -TERM failed");
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the child") {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "binary ignored SIGTERM for {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// `http://ADDR/...` from a line like `Exporter metrics:     http://127.0.0.1:1234/metrics`.
pub fn url_in(line: &str) -> String {
    line.split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .expect("a URL in the line")
        .to_owned()
}

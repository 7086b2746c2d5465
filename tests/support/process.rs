//! Runs the real binary (and the tools some tests need) and stops it by
//! PID, whatever happens to the test.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::ops::{Deref, DerefMut};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::memory::Memory;
pub use super::run_to_end::run_to_end;
use super::{eventually, try_get};

/// Path of the binary cargo built for these tests.
pub const BINARY: &str = env!("CARGO_BIN_EXE_cloudflare-saml-exporter");

/// How long the binary may take to start serving, or to run to its end.
pub const START: Duration = Duration::from_secs(60);

/// Which subcommand an [`Exporter`] runs, and so how its URLs are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subcommand {
    Serve,
    Demo,
    Other,
}

/// The one way tests start the binary: a builder with arguments, then
/// [`Exporter::spawn`] (a guard that kills the process by PID on drop) or
/// [`Exporter::run`] (to completion). The environment starts without any
/// Cloudflare credential or `RUST_LOG`.
#[derive(Debug)]
pub struct Exporter {
    command: Command,
    subcommand: Subcommand,
}

impl Exporter {
    /// `serve` on a free loopback port, refreshing every 300 ms, logging
    /// at debug level; add the API, accounts and credentials.
    pub fn serve() -> Self {
        Self::with(Subcommand::Serve, &["serve", "--refresh-interval", "300ms", "--log.level", "debug"])
    }

    /// `serve` with exactly `args` (a deployment's, say), which must name
    /// a loopback `--web.listen-address`. Only the end-to-end tier has
    /// such arguments (a Helm chart's).
    #[allow(dead_code)]
    pub fn serve_exactly<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> Self {
        let mut exporter = Self::with(Subcommand::Other, &["serve"]).args(args);
        exporter.subcommand = Subcommand::Serve;
        exporter
    }

    /// `demo` (the fake API and its data built in) on a free loopback port.
    pub fn demo() -> Self {
        Self::with(Subcommand::Demo, &["demo"])
    }

    /// `check`; add the API and credentials.
    pub fn check() -> Self {
        Self::with(Subcommand::Other, &["check"])
    }

    /// The binary without a subcommand (it then serves, but is only run to
    /// its end, to see how it refuses).
    pub fn bare() -> Self {
        Self::with(Subcommand::Other, &[])
    }

    fn with(subcommand: Subcommand, args: &[&str]) -> Self {
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
        command.args(args);
        if subcommand != Subcommand::Other {
            command.args(["--web.listen-address", "127.0.0.1:0"]);
        }
        Self { command, subcommand }
    }

    /// `--api-base-url`.
    pub fn api(self, base_url: &str) -> Self {
        self.args(["--api-base-url", base_url])
    }

    /// `--account-id` (repeatable).
    pub fn account(self, id: &str) -> Self {
        self.args(["--account-id", id])
    }

    /// The API token, through `CLOUDFLARE_API_TOKEN`.
    pub fn token(self, token: &str) -> Self {
        self.env("CLOUDFLARE_API_TOKEN", token)
    }

    /// An environment variable.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.command.env(name, value);
        self
    }

    /// One more argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    /// More arguments.
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        self.command.args(args);
        self
    }

    /// Starts a `serve` or `demo` process and waits (up to [`START`]) until
    /// it says where it serves.
    pub fn spawn(self) -> ExporterProcess {
        let subcommand = self.subcommand;
        let mut process = RunningBinary::start(self.command);
        match subcommand {
            Subcommand::Serve => {
                let metrics_url = process.metrics_url_from_log(START);
                ExporterProcess { process, metrics_url, fake_api_url: None }
            }
            Subcommand::Demo => {
                let fake_api_url = url_in(&process.wait_for_line("Fake Cloudflare API:", START));
                let metrics_url = url_in(&process.wait_for_line("Exporter metrics:", START));
                ExporterProcess { process, metrics_url, fake_api_url: Some(fake_api_url) }
            }
            Subcommand::Other => panic!("only serve and demo keep running: use run() for the others"),
        }
    }

    /// Runs the binary to its end (failing the test after [`START`]).
    pub fn run(self) -> Output {
        self.run_within(START)
    }

    /// Runs the binary to its end, killing it and failing the test if that
    /// takes longer than `limit`: for what must end at once, such as a
    /// refusal at start-up.
    pub fn run_within(mut self, limit: Duration) -> Output {
        run_to_end(&mut self.command, limit)
    }
}

/// A running `serve` or `demo` and where it serves; killed by PID on drop.
#[derive(Debug)]
pub struct ExporterProcess {
    process: RunningBinary,
    /// `/metrics`, e.g. `http://127.0.0.1:4711/metrics` (`https` with TLS).
    pub metrics_url: String,
    fake_api_url: Option<String>,
}

impl ExporterProcess {
    /// `path` (e.g. `/-/ready`) on the exporter's address.
    pub fn url(&self, path: &str) -> String {
        let (scheme, rest) = self.metrics_url.split_once("://").expect("a URL");
        let host = rest.split('/').next().expect("a host");
        format!("{scheme}://{host}{path}")
    }

    /// The demo's fake Cloudflare API base URL.
    pub fn fake_api_url(&self) -> &str {
        self.fake_api_url.as_deref().expect("only the demo runs a fake API")
    }

    /// Waits until the demo is ready and has compared its IdPs' metadata
    /// with Cloudflare (which follows the accounts' first read), so that
    /// every family it serves is in the next scrape.
    pub async fn until_demo_complete(&self) {
        self.until_ready().await;
        crate::support::scrape_until(
            &self.metrics_url,
            "the demo's metadata compared",
            Duration::from_secs(60),
            |s| {
                let names = s.names();
                names.contains("cloudflare_access_saml_identity_provider_signing_certificate_drift")
                    && names.contains("cloudflare_access_saml_identity_provider_metadata_errors_total")
            },
        )
        .await;
    }

    /// Waits (bounded) until `/-/ready` answers 200 (plain HTTP only).
    pub async fn until_ready(&self) {
        let ready = self.url("/-/ready");
        eventually("the exporter to be ready", Duration::from_secs(30), || {
            let ready = ready.clone();
            async move { (try_get(&ready).await?.0 == 200).then_some(()) }
        })
        .await;
    }
}

impl Deref for ExporterProcess {
    type Target = RunningBinary;

    fn deref(&self) -> &RunningBinary {
        &self.process
    }
}

impl DerefMut for ExporterProcess {
    fn deref_mut(&mut self) -> &mut RunningBinary {
        &mut self.process
    }
}

/// A long-running process, killed by PID when dropped.
#[derive(Debug)]
pub struct RunningBinary {
    child: Child,
    /// Lines printed on stdout before `wait_for_line` returned.
    pub stdout_lines: Vec<String>,
    lines: mpsc::Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl RunningBinary {
    /// Starts `command` with piped output.
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

    /// The process ID.
    #[allow(dead_code)] // the hostile tests use it; the end-to-end tier does not
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's resident memory now and at its peak.
    #[allow(dead_code)] // the hostile tests use it; the end-to-end tier does not
    pub fn memory(&self) -> Memory {
        Memory::of(self.pid())
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

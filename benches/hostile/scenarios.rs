//! What every hostile scenario needs: the fake API with two accounts, the
//! release binary in its own process (its log in a file, so its size can be
//! measured), its memory from `/proc`, and a verdict line per bound.

use std::fmt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_cloudflare::FakeCloudflare;

pub use super::fleet::TOKEN;
/// The two accounts of [`fake`], as `fleet::fake_data` names them.
pub const ACCOUNT_A: &str = "00000000000000000000000000000000";
pub const ACCOUNT_B: &str = "00000000000000000000000000000001";
const WAIT: Duration = Duration::from_secs(120);

/// Resident memory now and at its peak, bytes.
pub struct Memory {
    pub resident: u64,
    pub peak: u64,
}

pub fn memory_of(pid: u32) -> Memory {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    };
    Memory { resident: field("VmRSS:"), peak: field("VmHWM:") }
}

/// The fake API with accounts A and B, one set and one SAML IdP each.
pub async fn fake() -> FakeCloudflare {
    fake_with_sets(1).await
}

/// The fake API with accounts A and B, `sets` sets and as many SAML IdPs each.
pub async fn fake_with_sets(sets: usize) -> FakeCloudflare {
    let data = super::fleet::fake_data(2, sets);
    FakeCloudflare::start("127.0.0.1:0".parse().unwrap(), data).await.expect("fake API")
}

/// The exporter binary serving A and B from the fake; killed on drop.
pub struct Spawned {
    child: Child,
    log: PathBuf,
    pub metrics_url: String,
}

impl Spawned {
    /// Serving A and B, refreshing every second unless `extra` says.
    pub fn serve(binary: &str, fake: &FakeCloudflare, extra: &[&str]) -> Self {
        let mut args = vec!["--account-id".to_owned(), format!("{ACCOUNT_A},{ACCOUNT_B}")];
        if !extra.contains(&"--refresh-interval") {
            args.extend(["--refresh-interval".into(), "1s".into()]);
        }
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        Self::start(binary, fake, args)
    }

    /// Discovering the token's accounts, on the default flags.
    pub fn discover(binary: &str, fake: &FakeCloudflare) -> Self {
        Self::start(binary, fake, Vec::new())
    }

    fn start(binary: &str, fake: &FakeCloudflare, extra: Vec<String>) -> Self {
        let log = std::env::temp_dir().join(format!(
            "cse-hostile-bench-{}-{}.log",
            std::process::id(),
            fastrand_suffix()
        ));
        let file = std::fs::File::create(&log).expect("log file");
        let mut args = vec![
            "serve".to_owned(),
            "--web.listen-address".into(),
            "127.0.0.1:0".into(),
            "--api-base-url".into(),
            fake.base_url(),
        ];
        args.extend(extra);
        let child = Command::new(binary)
            .args(&args)
            .env("CLOUDFLARE_API_TOKEN", TOKEN)
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start the exporter");
        let deadline = Instant::now() + WAIT;
        let address = loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(address) = text
                .lines()
                .filter(|l| l.contains("listening"))
                .find_map(|l| l.split_whitespace().find_map(|w| w.strip_prefix("address=")))
            {
                break address.trim_matches('"').to_owned();
            }
            assert!(Instant::now() < deadline, "the exporter did not listen: {text}");
            std::thread::sleep(Duration::from_millis(50));
        };
        Self { child, log, metrics_url: format!("http://{address}/metrics") }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `/metrics` shows `account` up.
    pub async fn until_up(&self, account: &str) {
        self.until_metric_at_least(&format!("cloudflare_access_saml_up{{account_id=\"{account}\"}}"), 1.0)
            .await
    }

    /// Waits until the sample `series` (name and labels, as served) is at least `value`.
    pub async fn until_metric_at_least(&self, series: &str, value: f64) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(response) = reqwest::get(&self.metrics_url).await
                && let Ok(text) = response.text().await
                && text
                    .lines()
                    .filter_map(|l| l.strip_prefix(series))
                    .filter_map(|v| v.trim().parse::<f64>().ok())
                    .any(|v| v >= value)
            {
                return;
            }
            assert!(Instant::now() < deadline, "{series} did not reach {value}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Stops the process; answers how many bytes it logged.
    pub fn stop_and_log(mut self) -> u64 {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
        std::fs::metadata(&self.log).map(|m| m.len()).unwrap_or(0)
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn fastrand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

/// One measured figure beside its bound.
pub struct Outcome {
    what: String,
    measured: f64,
    bound: f64,
}

impl Outcome {
    pub fn at_most(what: &str, measured: f64, bound: f64) -> Self {
        Self { what: what.to_owned(), measured, bound }
    }

    pub fn met(&self) -> bool {
        self.measured <= self.bound
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.met() { "met" } else { "MISSED" };
        write!(f, "{:<62} {:>14.2} {:>14.2}  {verdict}", self.what, self.measured, self.bound)
    }
}

/// Each configuration mistake's exit: code 64, within a second.
pub fn configuration_mistakes(binary: &str) -> Vec<Outcome> {
    let dir = std::env::temp_dir().join(format!("cse-hostile-bench-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty-token");
    std::fs::write(&empty, "").unwrap();
    let empty = empty.display().to_string();
    let cases: [(&str, Vec<&str>); 5] = [
        ("--config.file /dev/zero", vec!["--config.file", "/dev/zero"]),
        ("--web.config.file /dev/urandom", vec!["--web.config.file", "/dev/urandom"]),
        ("--web.max-requests 2^61", vec!["--web.max-requests", "2305843009213693952"]),
        ("an empty --api-token-file (check)", vec!["check", "--api-token-file", &empty]),
        ("--account-id acc-a", vec!["--account-id", "acc-a"]),
    ];
    let outcomes = cases
        .into_iter()
        .map(|(what, args)| {
            let started = Instant::now();
            let out = Command::new(binary)
                .args(&args)
                .env("CLOUDFLARE_API_TOKEN", TOKEN)
                .env_remove("CLOUDFLARE_ACCOUNT_ID")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let took = started.elapsed().as_secs_f64();
            let exited_64 = out.is_ok_and(|s| s.code() == Some(64));
            Outcome::at_most(
                &format!("{what}: exit 64 after (s)"),
                if exited_64 { took } else { f64::INFINITY },
                1.0,
            )
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    outcomes
}

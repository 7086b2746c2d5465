//! The serving bench's tools: child processes stopped when dropped, free
//! ports, readiness, RSS from `/proc`, nginx serving a file and `wrk`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// wrk's duration, connections and threads.
pub type WrkLoad<'a> = (&'a str, &'a str, &'a str);

/// A child process stopped by PID when dropped, whatever happens: SIGTERM
/// first (a SIGKILLed nginx master would orphan its workers), SIGKILL after
/// five seconds.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What wrk measured.
pub struct Load {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub non_2xx: u64,
    pub socket_errors: u64,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub async fn wait_ready(url: &str, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let ok = reqwest::get(url).await.is_ok_and(|r| r.status().is_success());
        if ok {
            return;
        }
        assert!(Instant::now() < deadline, "{url} not answering 200 within {limit:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// nginx on `port` with `workers` worker processes, its config, logs and
/// temp files in `dir`, serving `dir/www/metrics` with sendfile: as fast as
/// a static file gets.
pub fn start_nginx(dir: &Path, port: u16, workers: usize) -> Guard {
    let d = dir.display();
    let config = format!(
        "daemon off;\nworker_processes {workers};\npid {d}/nginx.pid;\nerror_log {d}/nginx-error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 1000000;\n\
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         types {{ }}\n  default_type \"text/plain; version=0.0.4; charset=utf-8\";\n\
         server {{ listen 127.0.0.1:{port}; root {d}/www;\n\
         location = /metrics-gzip {{ add_header Content-Encoding gzip; add_header Vary Accept-Encoding; }} }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), config).expect("nginx config");
    // Workers drop root privileges: they must be able to read the file.
    make_readable(dir);
    let child = Command::new("nginx")
        .args(["-p", &d.to_string(), "-c", &format!("{d}/nginx.conf")])
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx");
    Guard(child)
}

fn make_readable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    for path in [dir.to_owned(), dir.join("www")] {
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
    }
    for file in ["www/metrics", "www/metrics-gzip"] {
        let _ = std::fs::set_permissions(dir.join(file), std::fs::Permissions::from_mode(0o644));
    }
}

/// Only `done()`: a `response()` hook would make wrk copy every body into Lua.
const WRK_LUA: &str = r#"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"#;

pub fn wrk(
    dir: &Path,
    url: &str,
    encoding: Option<&str>,
    (duration, connections, threads): WrkLoad<'_>,
) -> Load {
    let script = dir.join("count.lua");
    std::fs::write(&script, WRK_LUA).expect("wrk script");
    eprintln!("wrk {duration}, {connections} connections against {url} ({})", encoding.unwrap_or("plain"));
    let mut command = Command::new("wrk");
    command.args(["--threads", threads, "--connections", connections, "--duration", duration]).args([
        "--timeout",
        "10s",
        "--script",
        &script.display().to_string(),
    ]);
    if let Some(encoding) = encoding {
        command.args(["--header", &format!("Accept-Encoding: {encoding}")]);
    }
    let out = command.arg(url).output().expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    let line =
        text.lines().find_map(|l| l.strip_prefix("RESULT ")).unwrap_or_else(|| panic!("wrk said:\n{text}"));
    let n: Vec<f64> = line.split(' ').map(|v| v.parse().unwrap()).collect();
    Load {
        requests_per_second: n[0] / (n[1] / 1e6),
        non_2xx: n[2] as u64,
        socket_errors: n[3] as u64,
        p50_ms: n[4] / 1000.0,
        p99_ms: n[5] / 1000.0,
    }
}

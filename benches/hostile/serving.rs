//! The serving attacks at full size: a client a second that asks for
//! `/metrics` and never reads, for a minute; 64 connections guessing
//! passwords while a new right login arrives; a liveness probe while
//! account discovery hangs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpSocket;

use super::scenarios::{Outcome, Spawned, memory_of};

/// One never-reading client a second for `lasting`, against the default
/// `--web.write-timeout` (30 s).
pub async fn never_reading_clients(binary: &str, lasting: Duration) -> Outcome {
    let fake = super::scenarios::fake_with_sets(150).await;
    let exporter = Spawned::serve(binary, &fake, &[]);
    exporter.until_up(super::scenarios::ACCOUNT_B).await;
    for _ in 0..3 {
        if let Ok(response) = reqwest::get(&exporter.metrics_url).await {
            let _ = response.bytes().await;
        }
    }
    let warm = memory_of(exporter.pid()).resident;
    let address = exporter.metrics_url.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let request = "GET /metrics HTTP/1.1\r\nHost: exporter\r\nAccept-Encoding: identity\r\n\r\n";
    let started = Instant::now();
    let mut clients = Vec::new();
    while started.elapsed() < lasting {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(16 * 1024).unwrap();
        if let Ok(mut stream) = socket.connect(address.parse().unwrap()).await {
            let _ = stream.write_all(request.as_bytes()).await;
            clients.push(stream);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let peak = memory_of(exporter.pid()).peak;
    drop(clients);
    fake.stop().await;
    Outcome::at_most(
        &format!("a never-reading client a second for {} s: peak RSS / warm", lasting.as_secs()),
        peak as f64 / warm.max(1) as f64,
        2.0,
    )
}

/// 64 connections sending wrong passwords (bcrypt cost 10); a new right
/// login's wait.
pub async fn password_flood(binary: &str) -> Outcome {
    const GUESSERS: usize = 64;
    let dir = std::env::temp_dir().join(format!("cse-hostile-bench-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hash = bcrypt::hash("s3cret", 10).unwrap();
    std::fs::write(dir.join("web.yml"), format!("basic_auth_users:\n  prom: {hash}\n")).unwrap();
    let config = dir.join("web.yml").display().to_string();
    let fake = super::scenarios::fake().await;
    let exporter = Spawned::serve(binary, &fake, &["--web.config.file", &config]);
    let stop = Arc::new(AtomicBool::new(false));
    let mut guessers = tokio::task::JoinSet::new();
    for i in 0..GUESSERS {
        let (url, stop) = (exporter.metrics_url.clone(), Arc::clone(&stop));
        guessers.spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let _ = client.get(&url).basic_auth("prom", Some(format!("guess-{i}-{n}"))).send().await;
            }
        });
    }
    // Let the flood take hold: every guesser has sent several.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let started = Instant::now();
    let answer = tokio::time::timeout(
        Duration::from_secs(30),
        reqwest::Client::new().get(&exporter.metrics_url).basic_auth("prom", Some("s3cret")).send(),
    )
    .await;
    let took = started.elapsed();
    let ok = matches!(answer, Ok(Ok(ref r)) if r.status().is_success());
    stop.store(true, Ordering::Relaxed);
    guessers.join_all().await;
    fake.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
    Outcome::at_most(
        "64 connections of wrong passwords: a new right login (s)",
        if ok { took.as_secs_f64() } else { f64::INFINITY },
        1.0,
    )
}

/// `/-/healthy` while `GET /accounts` hangs.
pub async fn health_while_discovery_hangs(binary: &str) -> Outcome {
    let fake = super::scenarios::fake().await;
    let discovery = fake.hold("/accounts");
    let started = Instant::now();
    let exporter = Spawned::discover(binary, &fake);
    let healthy = exporter.metrics_url.replace("/metrics", "/-/healthy");
    let mut took = f64::INFINITY;
    while started.elapsed() < Duration::from_secs(10) {
        if reqwest::get(&healthy).await.is_ok_and(|r| r.status().is_success()) {
            took = started.elapsed().as_secs_f64();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let still_held = discovery.held() == 1;
    discovery.release();
    fake.stop().await;
    Outcome::at_most(
        "GET /accounts hanging: /-/healthy answers after start (s)",
        if still_held { took } else { f64::INFINITY },
        1.0,
    )
}

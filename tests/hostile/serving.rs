//! Hostile inputs: serving. Clients that ask for `/metrics` and never
//! read, a flood of wrong passwords, and a liveness probe while account
//! discovery hangs, each against the real binary on loopback.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::support::fleet::accounts;
use crate::support::memory::Memory;
use crate::support::{
    Exporter, TOKEN, TempDir, data, eventually, start_fake, try_get, two_accounts, with_timeout,
};

/// `host:port` of a `http://host:port/...` URL.
fn address(url: &str) -> String {
    url.trim_start_matches("http://").split('/').next().expect("an address").to_owned()
}

/// Whether the server's end of the connection from `client` (a loopback
/// port) to `server` is still open, from `/proc/net/tcp`: once the server
/// closes it, its socket leaves `ESTABLISHED` (state `01`) while the kernel
/// still holds the bytes the client did not read.
fn server_side_open(server: u16, client: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    let port = |address: &str| address.rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok());
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.len() > 3
            && port(fields[1]) == Some(server)
            && port(fields[2]) == Some(client)
            && fields[3] == "01"
    })
}

/// Reads `stream` to its end; `None` if it stays open for `limit`.
async fn read_to_close(stream: &mut TcpStream, limit: Duration) -> Option<usize> {
    let mut received = 0;
    let mut buffer = vec![0u8; 1 << 16];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(received),
            Ok(Ok(n)) => received += n,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn clients_that_never_read_are_dropped_at_the_write_timeout_and_their_bodies_freed() {
    const ACCOUNTS: usize = 1500;
    const CLIENTS: usize = 30;
    let fake = start_fake(data(accounts("ab", ACCOUNTS))).await;
    fake.update_knobs(|k| k.rate_limit = None);
    // The state stays as the first pass left it: clients within a second
    // share a render, so what the test sees is whether bodies are dropped,
    // not how fast a loaded machine renders. (`cargo bench --bench hostile`
    // runs the attack at full size with the state changing every second.)
    let exporter = Exporter::serve_exactly([
        "--web.listen-address",
        "127.0.0.1:0",
        "--api-base-url",
        &fake.base_url(),
        "--refresh-interval",
        "1h",
        "--cloudflare.max-requests-per-5m",
        "1000000",
        "--web.write-timeout",
        "1s",
    ])
    .token(TOKEN)
    .spawn();
    exporter.until_ready().await;
    let url = exporter.metrics_url.clone();
    let mut full = 0;
    for _ in 0..3 {
        // reqwest here asks for no compression: the plain text, as the
        // hostile clients below.
        let (code, body) = try_get(&url).await.expect("a scrape");
        assert_eq!(code, 200);
        full = body.len();
    }
    // The server's send buffer grows to 4 MiB (`net.ipv4.tcp_wmem`).
    assert!(full > 6_000_000, "the exposition must outgrow the socket buffers: {full} bytes");
    let warm = exporter.memory().resident;

    let request = "GET /metrics HTTP/1.1\r\nHost: exporter\r\nAccept-Encoding: identity\r\n\r\n";
    let mut clients = Vec::with_capacity(CLIENTS);
    let started = Instant::now();
    for _ in 0..CLIENTS {
        // A small receive buffer: the kernel takes in little of the body.
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(16 * 1024).unwrap();
        let mut stream = socket.connect(address(&url).parse().unwrap()).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        // Its answer has begun (the body is rendered and in flight); the
        // client reads none of it.
        with_timeout(stream.readable()).await.unwrap();
        clients.push(stream);
    }
    let opened = started.elapsed();
    let server_port: u16 = address(&url).rsplit(':').next().unwrap().parse().unwrap();
    let ports: Vec<u16> = clients.iter().map(|c| c.local_addr().unwrap().port()).collect();
    eventually("the server to drop every client that does not read", Duration::from_secs(10), || {
        let open = ports.iter().filter(|&&port| server_side_open(server_port, port)).count();
        std::future::ready((open == 0).then_some(()))
    })
    .await;
    let dropped = started.elapsed();
    // Now the clients read what the kernel kept: a cut-off body, then the end.
    for (i, stream) in clients.iter_mut().enumerate() {
        let received = read_to_close(stream, Duration::from_secs(10)).await;
        let received = received.unwrap_or_else(|| panic!("client {i} was never disconnected"));
        assert!(received < full, "client {i} got the whole body ({received} bytes): it was not cut off");
    }
    let memory = exporter.memory();
    assert!(
        memory.peak < 2 * warm,
        "peak {:.1} MB with {CLIENTS} clients that never read (opened in {opened:?}), warm {:.1} MB",
        Memory::mb(memory.peak),
        Memory::mb(warm),
    );
    eprintln!(
        "{CLIENTS} never-reading clients opened in {opened:?}, all dropped after {dropped:?}, body {:.1} MB: warm {:.1} MB, peak {:.1} MB, now {:.1} MB",
        full as f64 / 1e6,
        Memory::mb(warm),
        Memory::mb(memory.peak),
        Memory::mb(memory.resident)
    );
    assert_eq!(try_get(&url).await.map(|(code, _)| code), Some(200), "still serving");
    drop(exporter);
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_wrong_passwords_does_not_keep_a_new_right_login_out() {
    const GUESSERS: usize = 64;
    let dir = TempDir::new("password-flood");
    // bcrypt at cost 8 (a few ms each): the guessers' first wave of checks
    // passes in a second or two; every guess after it still costs a check.
    let hash = bcrypt::hash("s3cret", 8).unwrap();
    std::fs::write(dir.join("web.yml"), format!("basic_auth_users:\n  prom: {hash}\n")).unwrap();
    let fake = start_fake(two_accounts()).await;
    let exporter = Exporter::serve()
        .api(&fake.base_url())
        .token(TOKEN)
        .arg("--web.config.file")
        .arg(dir.join("web.yml"))
        .spawn();
    let url = exporter.metrics_url.clone();

    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let guessers_in = Arc::new(AtomicUsize::new(0));
    let mut guessers = tokio::task::JoinSet::new();
    for i in 0..GUESSERS {
        let (url, stop, answered, guessers_in) =
            (url.clone(), Arc::clone(&stop), Arc::clone(&answered), Arc::clone(&guessers_in));
        guessers.spawn(async move {
            // One keep-alive connection each.
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
            let mut codes = Vec::new();
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let user = if i % 2 == 0 { "prom" } else { "mallory" };
                let sent = client.get(&url).basic_auth(user, Some(format!("guess-{i}-{n}"))).send().await;
                codes.push(sent.map(|r| r.status().as_u16()).map_err(|e| e.to_string()));
                answered.fetch_add(1, Ordering::Relaxed);
                if n == 0 {
                    guessers_in.fetch_add(1, Ordering::Relaxed);
                }
            }
            codes
        });
    }
    // The flood is on once every guesser has failed once: from then on
    // each of its guesses waits behind fresh logins.
    eventually("every guesser to have failed once", Duration::from_secs(30), || {
        std::future::ready((guessers_in.load(Ordering::Relaxed) == GUESSERS).then_some(()))
    })
    .await;
    let before = answered.load(Ordering::Relaxed);

    let fresh = reqwest::Client::new();
    let started = Instant::now();
    let response = tokio::time::timeout(
        Duration::from_secs(10),
        fresh.get(&url).basic_auth("prom", Some("s3cret")).send(),
    )
    .await
    .expect("the right login is answered")
    .expect("the right login gets an answer");
    let took = started.elapsed();
    let during = answered.load(Ordering::Relaxed) - before;
    assert_eq!(response.status().as_u16(), 200);
    assert!(took < Duration::from_secs(1), "a new right login took {took:?} during the flood");
    stop.store(true, Ordering::Relaxed);
    let codes: Vec<_> = guessers.join_all().await.into_iter().flatten().collect();
    assert!(codes.iter().all(|c| matches!(c, Ok(401))), "every guess is denied, none busy: {codes:?}");
    eprintln!(
        "a new right login got 200 in {took:?} beside {GUESSERS} guessers ({during} guesses answered meanwhile, {} in all)",
        codes.len()
    );
    drop(exporter);
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn health_answers_while_account_discovery_hangs_and_readiness_waits_for_it() {
    let fake = start_fake(two_accounts()).await;
    let discovery = fake.hold("/accounts");
    let exporter = Exporter::serve().api(&fake.base_url()).token(TOKEN).spawn();
    with_timeout(discovery.until_held(1)).await;
    let (healthy, ready) = (exporter.url("/-/healthy"), exporter.url("/-/ready"));
    let started = Instant::now();
    let code = tokio::time::timeout(Duration::from_secs(1), try_get(&healthy)).await;
    assert_eq!(code.ok().flatten().map(|(code, _)| code), Some(200), "/-/healthy while GET /accounts hangs");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(try_get(&ready).await.map(|(code, _)| code), Some(503), "not ready before discovery");
    assert_eq!(discovery.held(), 1, "discovery is still parked");
    discovery.release();
    exporter.until_ready().await;
    drop(exporter);
    fake.stop().await;
}

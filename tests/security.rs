//! Protecting `/metrics`: TLS, mutual TLS and basic auth with a real TLS
//! client against the real binary, the scrape limit, and slow clients that
//! must not block scrapes. (promtool's check of the example web config is in
//! the end-to-end tier, `tests/end_to_end/promtool.rs`.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use crate::support::pki::{Pki, pki};
use crate::support::process::ExporterProcess;
use crate::support::{Exporter, TempDir, eventually, try_get};
use crate::support::{scrape_until, up_of};

/// The demo with `args`, serving on a free loopback port.
fn demo_with(args: &[&str]) -> (ExporterProcess, String) {
    let demo = Exporter::demo().args(args).spawn();
    let url = demo.metrics_url.clone();
    (demo, url)
}

fn client(pki: &Pki, with_identity: bool) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pki.server_ca_pem.as_bytes()).unwrap()])
        .timeout(Duration::from_secs(10));
    if with_identity {
        builder = builder.identity(reqwest::Identity::from_pem(pki.client_identity_pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

async fn status(client: &reqwest::Client, url: &str, auth: Option<(&str, &str)>) -> Result<u16, String> {
    let mut request = client.get(url);
    if let Some((user, password)) = auth {
        request = request.basic_auth(user, Some(password));
    }
    request.send().await.map(|r| r.status().as_u16()).map_err(|e| format!("{e:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn server_only_tls_with_basic_auth_and_headers() {
    let dir = TempDir::new("tls");
    let pki = pki(dir.path());
    let hash = bcrypt::hash("s3cret", 4).unwrap();
    let config = format!(
        "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\nbasic_auth_users:\n  prom: {hash}\n"
    );
    std::fs::write(pki.dir.join("web.yml"), config).unwrap();
    let (_demo, url) = demo_with(&["--web.config.file", pki.dir.join("web.yml").to_str().unwrap()]);
    assert!(url.starts_with("https://"), "{url}");
    let url = url.replace("127.0.0.1", "localhost");
    let tls = client(&pki, false);
    assert_eq!(status(&tls, &url, Some(("prom", "s3cret"))).await, Ok(200));
    let response = tls.get(&url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401, "no credentials");
    assert_eq!(response.headers()["www-authenticate"], "Basic");
    assert_eq!(response.headers()["x-frame-options"], "deny");
    assert_eq!(status(&tls, &url, Some(("prom", "wrong"))).await, Ok(401));
    assert_eq!(status(&tls, &url, Some(("nobody", "s3cret"))).await, Ok(401));
    for page in ["/", "/status.json"] {
        let page_url = url.replace("/metrics", page);
        assert_eq!(status(&tls, &page_url, None).await, Ok(401), "{page} without credentials");
        assert_eq!(status(&tls, &page_url, Some(("prom", "s3cret"))).await, Ok(200), "{page}");
    }
    let plain = url.replace("https://", "http://");
    assert!(try_get(&plain).await.is_none_or(|(code, _)| code != 200), "plain HTTP must not be served");
}

#[tokio::test(flavor = "multi_thread")]
async fn mutual_tls_requires_a_client_certificate_from_the_configured_ca() {
    let dir = TempDir::new("mtls");
    let pki = pki(dir.path());
    let config = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: clients-ca.crt\n  min_version: TLS13\n";
    std::fs::write(pki.dir.join("web.yml"), config).unwrap();
    let (_demo, url) = demo_with(&["--web.config.file", pki.dir.join("web.yml").to_str().unwrap()]);
    let url = url.replace("127.0.0.1", "localhost");
    assert_eq!(status(&client(&pki, true), &url, None).await, Ok(200));
    assert!(
        status(&client(&pki, false), &url, None).await.is_err(),
        "a client without a certificate is refused"
    );
}

#[test]
fn a_bad_web_config_is_refused_at_start_with_the_key_named() {
    let dir = TempDir::new("badweb");
    for (config, named) in [
        ("tls_server_config:\n  cert_fil: x\n", "cert_fil"),
        ("tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n", "missing.crt"),
        ("basic_auth_users:\n  prom: not-a-hash\n", "basic_auth_users"),
        ("http_server_config:\n  headers:\n    X-Frame-Options: bogus\n", "bogus"),
    ] {
        std::fs::write(dir.join("web.yml"), config).unwrap();
        let out = Exporter::demo().arg("--web.config.file").arg(dir.join("web.yml")).run();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{config}: {err}");
        assert!(err.contains("--web.config.file") && err.contains(named), "{config}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn password_guessers_cannot_lock_the_scraper_out() {
    // bcrypt at cost 12 makes every guess slow; with one scrape slot, guesses
    // that held it while being checked would turn the scraper away.
    let dir = TempDir::new("guessers");
    let hash = bcrypt::hash("s3cret", 12).unwrap();
    std::fs::write(dir.join("web.yml"), format!("basic_auth_users:\n  prom: {hash}\n")).unwrap();
    let (_demo, url) =
        demo_with(&["--web.config.file", dir.join("web.yml").to_str().unwrap(), "--web.max-requests", "1"]);
    let client = reqwest::Client::new();
    assert_eq!(status(&client, &url, Some(("prom", "s3cret"))).await, Ok(200), "first login");

    const GUESSERS: usize = 40;
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let mut guessers = tokio::task::JoinSet::new();
    for i in 0..GUESSERS {
        let (client, url, stop, sent) = (client.clone(), url.clone(), Arc::clone(&stop), Arc::clone(&sent));
        guessers.spawn(async move {
            let mut codes = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let user = if i % 2 == 0 { "prom" } else { "mallory" };
                sent.fetch_add(1, Ordering::Relaxed);
                codes.push(status(&client, &url, Some((user, &format!("guess-{i}-{n}")))).await.unwrap());
            }
            codes
        });
    }
    // The flood is on once every guesser has a guess on its way.
    eventually("every guesser to be guessing", Duration::from_secs(30), || {
        std::future::ready((sent.load(Ordering::Relaxed) >= GUESSERS).then_some(()))
    })
    .await;
    for _ in 0..10 {
        assert_eq!(
            status(&client, &url, Some(("prom", "s3cret"))).await,
            Ok(200),
            "the scraper during the flood"
        );
    }
    stop.store(true, Ordering::Relaxed);
    let codes: Vec<u16> = guessers.join_all().await.into_iter().flatten().collect();
    assert!(codes.contains(&401), "guesses are denied: {codes:?}");
    assert!(codes.iter().all(|c| [401, 503].contains(c)), "a guess got in: {codes:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_clients_cannot_block_a_normal_scrape() {
    let (_demo, url) = demo_with(&[]);
    let addr = url.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let mut idle = Vec::new();
    for _ in 0..300 {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
        idle.push(stream);
    }
    let (code, body) = eventually("a scrape beside 300 half-sent requests", Duration::from_secs(5), || {
        let url = url.clone();
        async move { try_get(&url).await }
    })
    .await;
    assert_eq!(code, 200);
    assert!(body.contains("cloudflare_access_saml_up"));
    drop(idle);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_token_file_needs_no_restart_and_a_loose_one_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;

    use crate::support::{account, data, get, saml_idp, set_expiring_in, start_fake};

    const FIRST: &str = "first-token-5b1e";
    const SECOND: &str = "second-token-9c4d";
    let dir = TempDir::new("tokenfile");
    let token_file = dir.join("cf-token");
    std::fs::write(&token_file, format!("{FIRST}\n")).unwrap();
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o644)).unwrap();

    let mut fake_data = data(vec![account(
        "acc00000000000000000000000000000",
        vec![set_expiring_in("set", 90)],
        vec![saml_idp("idp", Some("set"))],
    )]);
    fake_data.token = FIRST.into();
    let fake = start_fake(fake_data).await;
    let mut exporter = Exporter::serve()
        .api(&fake.base_url())
        .account("acc00000000000000000000000000000")
        .arg("--api-token-file")
        .arg(&token_file)
        .spawn();
    let url = exporter.metrics_url.clone();
    let up = |want: f64| {
        let url = url.clone();
        async move {
            let what = format!("up {want}");
            scrape_until(&url, &what, Duration::from_secs(30), |s| {
                up_of(s, "acc00000000000000000000000000000") == Some(want)
            })
            .await;
        }
    };
    up(1.0).await;
    exporter.wait_for_stderr("readable by other users", Duration::from_secs(30));

    // Cloudflare rotates the token: refreshes fail until the file follows.
    fake.update_data(|d| d.token = SECOND.into());
    up(0.0).await;
    std::fs::write(&token_file, format!("{SECOND}\n")).unwrap();
    up(1.0).await;

    let served = get(&url).await.1;
    let status = exporter.terminate(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    let written = format!("{}\n{}", exporter.stdout_lines.join("\n"), exporter.stderr());
    for token in [FIRST, SECOND] {
        assert!(!written.contains(token) && !served.contains(token), "the token {token} leaked");
    }
    fake.stop().await;
}

//! The on-call kit against real tools: promtool checks the rules and runs
//! their unit tests, and a real Prometheus scrapes the demo, evaluates the
//! rules and routes through a real Alertmanager to a webhook run by this
//! test. (The checks that need no tool are in `tests/oncall.rs`.)

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use fake_cloudflare::demo_data::{ACCOUNT_A, ACCOUNT_B, applications, sets};
use http_body_util::{BodyExt, Full};
use serde_json::Value;

use crate::support::oncall_kit::{JOB, RULES, dashboard_queries, rules as rules_of_repo};
use crate::support::process::{ExporterProcess, RunningBinary};
use crate::support::{Exporter, TempDir, eventually, repo, try_get};
use crate::tools::run;

/// Demo IdPs whose signing certificates raise an alert (see `fake_cloudflare::demo_data`).
const ENTRA: &str = "1d7a0002-0000-4000-8000-000000000002";
const SHIBBOLETH: &str = "1d7b0001-0000-4000-8000-000000000001";
const ONELOGIN: &str = "1d7b0002-0000-4000-8000-000000000002";
const JUMPCLOUD: &str = "1d7b0003-0000-4000-8000-000000000003";
const PING_FEDERATE: &str = "1d7a0003-0000-4000-8000-000000000003";

/// A tool the test needs, or a failure that says how to get it.
fn tool(name: &str) -> Command {
    crate::tools::tool(name, "Debian's `prometheus` and `prometheus-alertmanager` packages")
}

#[test]
fn promtool_accepts_the_rules_and_their_unit_tests_pass() {
    let check = run(tool("promtool")
        .args(["check", "rules", "--lint=all", "--lint-fatal", RULES])
        .current_dir(repo(".")));
    assert!(
        check.status.success(),
        "promtool check rules:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let mut tests: Vec<String> = std::fs::read_dir(repo("alerts/tests"))
        .unwrap()
        .map(|e| e.unwrap().path().strip_prefix(repo(".")).unwrap().display().to_string())
        .filter(|p| p.ends_with(".yml"))
        .collect();
    tests.sort();
    assert!(tests.len() >= 3, "{tests:?}");
    let run = run(tool("promtool").args(["test", "rules"]).args(&tests).current_dir(repo(".")));
    assert!(
        run.status.success(),
        "promtool test rules:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// The demo on loopback, once it is ready.
async fn ready_demo() -> ExporterProcess {
    let demo = Exporter::demo().args(["--refresh-interval", "5s"]).spawn();
    demo.until_demo_complete().await;
    demo
}

/// Starts a Prometheus tool told to listen on `127.0.0.1:0`, and reads the
/// address it got from its `msg="Listening on"` log line.
fn start_listening(command: Command) -> (RunningBinary, SocketAddr) {
    let tool = RunningBinary::start(command);
    let line = tool.wait_for_stderr("msg=\"Listening on\"", Duration::from_secs(60));
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("address="))
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address= in {line:?}"));
    (tool, addr)
}

/// Collects what Alertmanager posts.
async fn start_webhook() -> (SocketAddr, Arc<Mutex<Vec<Value>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&received);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let sink = Arc::clone(&sink);
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let sink = Arc::clone(&sink);
                        async move {
                            let body =
                                req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                            if let Ok(json) = serde_json::from_slice::<Value>(&body) {
                                sink.lock().unwrap().push(json);
                            }
                            Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                                Bytes::from_static(b"ok"),
                            )))
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, received)
}

/// The key labels of a firing alert, for comparison.
fn alert_key(labels: &Value) -> String {
    let label = |k: &str| labels[k].as_str().unwrap_or("").to_owned();
    let object =
        [label("certificate_set_uid"), label("identity_provider_id"), label("application_id")].join("");
    let key = format!("{} {} {}", label("alertname"), label("account_id"), object);
    // Unreadable signing entries are told apart by their position.
    match label("position").as_str() {
        "" => key,
        position => format!("{key} #{position}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn prometheus_and_alertmanager_raise_exactly_the_demos_alerts() {
    let dir = TempDir::new("oncall");

    let demo = ready_demo().await;
    let target = demo.url("").trim_start_matches("http://").to_owned();
    let (hook, received) = start_webhook().await;

    // The real rules, with every `for:` shortened so the test need not wait
    // (Absent keeps its own: it would otherwise fire before the first scrape).
    let rules = std::fs::read_to_string(repo(RULES)).unwrap();
    let mut fast = String::new();
    let mut current_alert = String::new();
    for line in rules.lines() {
        if let Some(name) = line.trim().strip_prefix("- alert: ") {
            current_alert = name.to_owned();
        }
        if line.trim_start().starts_with("for: ") && current_alert != "CloudflareSAMLExporterAbsent" {
            let indent = &line[..line.len() - line.trim_start().len()];
            fast.push_str(&format!("{indent}for: 0s\n"));
        } else {
            fast.push_str(line);
            fast.push('\n');
        }
    }
    std::fs::write(dir.join("rules.yml"), fast).unwrap();

    std::fs::write(
        dir.join("alertmanager.yml"),
        format!(
            "route:\n  receiver: unrouted\n  group_by: ['...']\n  group_wait: 0s\n  group_interval: 1s\n  repeat_interval: 1h\n  routes:\n    - matchers: ['severity=\"critical\"']\n      receiver: pager\nreceivers:\n  - name: unrouted\n  - name: pager\n    webhook_configs:\n      - url: http://{hook}/\n        send_resolved: false\n"
        ),
    )
    .unwrap();
    let amtool = run(tool("amtool").args(["check-config", dir.join("alertmanager.yml").to_str().unwrap()]));
    assert!(amtool.status.success(), "amtool: {}", String::from_utf8_lossy(&amtool.stdout));
    let mut am = tool("prometheus-alertmanager");
    am.args([
        &format!("--config.file={}", dir.join("alertmanager.yml").display()),
        &format!("--storage.path={}", dir.join("am-data").display()),
        "--web.listen-address=127.0.0.1:0",
        "--cluster.listen-address=",
    ]);
    let (_alertmanager, am_addr) = start_listening(am);

    std::fs::write(
        dir.join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{am_addr}']\nscrape_configs:\n  - job_name: {JOB}\n    static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let check_config =
        run(tool("promtool").args(["check", "config", dir.join("prometheus.yml").to_str().unwrap()]));
    assert!(
        check_config.status.success(),
        "promtool check config: {}",
        String::from_utf8_lossy(&check_config.stdout)
    );
    let mut prom = tool("prometheus");
    prom.current_dir(dir.path()).args([
        &format!("--config.file={}", dir.join("prometheus.yml").display()),
        &format!("--storage.tsdb.path={}", dir.join("prom-data").display()),
        "--web.listen-address=127.0.0.1:0",
    ]);
    let (_prometheus, prom_addr) = start_listening(prom);
    let api = format!("http://{prom_addr}/api/v1");

    let expected: BTreeSet<String> = [
        // The overdue set is Entra ID's, the only way into Payroll: the critical twin.
        format!("CloudflareSAMLCertificateRotationOverdueWithoutFallback {ACCOUNT_A} {}", sets::OVERDUE),
        format!("CloudflareSAMLRotationInProgress {ACCOUNT_A} {}", sets::ROTATING),
        format!("CloudflareSAMLIdentityProviderWithoutCertificateSet {ACCOUNT_A} 1d7a0004-0000-4000-8000-000000000004"),
        format!("CloudflareSAMLCertificateExpired {ACCOUNT_B} {}", sets::EXPIRED),
        // The expired set never rotated: the cause keeps firing beside it, critical
        // because Shibboleth, which uses the set, is the only way into the lab portal.
        format!("CloudflareSAMLCertificateRotationOverdueWithoutFallback {ACCOUNT_B} {}", sets::EXPIRED),
        format!("CloudflareSAMLCertificateUnreadable {ACCOUNT_B} {}", sets::UNREADABLE),
        format!("CloudflareSAMLCertificateNotAfterMismatch {ACCOUNT_B} {}", sets::MISMATCH),
        format!("CloudflareSAMLEncryptionWithoutCertificateSet {ACCOUNT_B} 1d7b0004-0000-4000-8000-000000000004"),
        format!("CloudflareSAMLEncryptionWithoutCertificateSet {ACCOUNT_B} 1d7b0005-0000-4000-8000-000000000005"),
        // Signing certificates, judged by each IdP's latest: PingFederate's rollover
        // (old at 3 days, new at 400) and the healthy IdPs stay silent.
        format!("CloudflareSAMLIdentityProviderSigningCertificateExpiringWithoutFallback {ACCOUNT_A} {ENTRA}"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateExpiringSoon {ACCOUNT_B} {ONELOGIN}"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateExpired {ACCOUNT_B} {SHIBBOLETH}"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateUnreadable {ACCOUNT_B} {JUMPCLOUD} #1"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateUnreadable {ACCOUNT_B} {JUMPCLOUD} #2"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateUnreadable {ACCOUNT_B} {JUMPCLOUD} #3"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateUnreadable {ACCOUNT_B} {JUMPCLOUD} #4"),
        // Metadata drift: one IdP in each state but in sync, which stays silent.
        // PingFederate is the only way into Salesforce: the critical twin.
        format!("CloudflareSAMLIdentityProviderSigningCertificateRolloverPendingWithoutFallback {ACCOUNT_A} {PING_FEDERATE}"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateMismatch {ACCOUNT_A} {ENTRA}"),
        format!("CloudflareSAMLIdentityProviderMetadataUnreachable {ACCOUNT_B} {SHIBBOLETH}"),
        // SaaS applications (the demo turns --collector.applications on).
        format!("CloudflareSAMLSaaSApplicationSigningCertificateExpiring {ACCOUNT_A} {}", applications::SALESFORCE),
        format!("CloudflareSAMLSaaSApplicationSigningCertificateUnreadable {ACCOUNT_B} {}", applications::LEGACY_CRM),
    ]
    .into_iter()
    .collect();

    // Prometheus: exactly these alerts fire, and nothing else (pending or firing).
    let alerts_url = format!("{api}/alerts");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    let (alerts, got) = loop {
        let seen = match try_get(&alerts_url).await {
            Some((200, body)) => serde_json::from_str::<Value>(&body).ok(),
            _ => None,
        };
        let alerts = seen.and_then(|json| json["data"]["alerts"].as_array().cloned()).unwrap_or_default();
        let got: BTreeSet<String> = alerts.iter().map(|a| alert_key(&a["labels"])).collect();
        let all_firing = alerts.iter().all(|a| a["state"] == "firing");
        if (got == expected && all_firing) || tokio::time::Instant::now() > deadline {
            break (alerts, got);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(got, expected, "firing alerts differ after 90 s: {alerts:#?}");
    for alert in &alerts {
        assert_eq!(alert["state"], "firing", "{alert}");
        let description = alert["annotations"]["description"].as_str().unwrap_or("");
        assert!(description.contains(alert["labels"]["account_id"].as_str().unwrap()), "{alert}");
    }
    let overdue = alerts
        .iter()
        .find(|a| {
            a["labels"]["alertname"] == "CloudflareSAMLCertificateRotationOverdueWithoutFallback"
                && a["labels"]["certificate_set_uid"] == sets::OVERDUE
        })
        .unwrap();
    assert!(overdue["annotations"]["description"].as_str().unwrap().contains("Entra ID (demo)"), "{overdue}");
    // The signing alerts name the IdP and the time left.
    for (alertname, idp, name) in [
        ("CloudflareSAMLIdentityProviderSigningCertificateExpiringWithoutFallback", ENTRA, "Entra ID (demo)"),
        ("CloudflareSAMLIdentityProviderSigningCertificateExpiringSoon", ONELOGIN, "OneLogin (demo)"),
        ("CloudflareSAMLIdentityProviderSigningCertificateExpired", SHIBBOLETH, "Shibboleth (demo)"),
        ("CloudflareSAMLIdentityProviderSigningCertificateUnreadable", JUMPCLOUD, "JumpCloud SAML (demo)"),
    ] {
        let alert = alerts
            .iter()
            .find(|a| a["labels"]["alertname"] == alertname && a["labels"]["identity_provider_id"] == idp)
            .unwrap();
        let description = alert["annotations"]["description"].as_str().unwrap();
        assert!(description.contains(&format!("{name} ({idp})")), "{alert}");
        assert!(description.contains("expire"), "time left missing: {alert}");
    }

    // The drift alerts name the IdP, and the certificate Cloudflare lacks.
    for (alertname, idp, name) in [
        (
            "CloudflareSAMLIdentityProviderSigningCertificateRolloverPendingWithoutFallback",
            PING_FEDERATE,
            "PingFederate (demo)",
        ),
        ("CloudflareSAMLIdentityProviderSigningCertificateMismatch", ENTRA, "Entra ID (demo)"),
        ("CloudflareSAMLIdentityProviderMetadataUnreachable", SHIBBOLETH, "Shibboleth (demo)"),
    ] {
        let alert = alerts
            .iter()
            .find(|a| a["labels"]["alertname"] == alertname && a["labels"]["identity_provider_id"] == idp)
            .unwrap();
        let description = alert["annotations"]["description"].as_str().unwrap();
        assert!(description.contains(name), "{alert}");
    }

    // Alertmanager: the critical ones reach the webhook with their labels, nothing else does.
    let paging: BTreeSet<String> = rules_of_repo()
        .into_iter()
        .filter(|r| r.labels.get("severity").map(String::as_str) == Some("critical"))
        .map(|r| format!("{} ", r.alert))
        .collect();
    let critical: BTreeSet<String> =
        expected.iter().filter(|k| paging.iter().any(|name| k.starts_with(name))).cloned().collect();
    assert_eq!(critical.len(), 10, "{critical:?}");
    let delivered = eventually("the webhook to receive the critical alerts", Duration::from_secs(60), || {
        let (received, critical) = (Arc::clone(&received), critical.clone());
        async move {
            let posts = received.lock().unwrap().clone();
            let keys: BTreeSet<String> = posts
                .iter()
                .flat_map(|p| p["alerts"].as_array().cloned().unwrap_or_default())
                .map(|a| alert_key(&a["labels"]))
                .collect();
            critical.is_subset(&keys).then_some(posts)
        }
    })
    .await;
    for post in &delivered {
        assert_eq!(post["receiver"], "pager");
        for alert in post["alerts"].as_array().unwrap() {
            assert_eq!(alert["labels"]["severity"], "critical", "{alert}");
            assert!(critical.contains(&alert_key(&alert["labels"])), "unexpected page: {alert}");
            assert!(
                alert["annotations"]["runbook_url"].as_str().unwrap().contains("docs/runbook.md#"),
                "{alert}"
            );
        }
    }

    // Every dashboard query returns at least one series.
    for (title, expr) in dashboard_queries() {
        let url = format!("{api}/query");
        let client = reqwest::Client::new();
        let result = eventually(&format!("panel {title:?} to return data"), Duration::from_secs(30), || {
            let (client, url, expr, title) = (client.clone(), url.clone(), expr.clone(), title.clone());
            async move {
                let mut url = reqwest::Url::parse(&url).unwrap();
                url.query_pairs_mut().append_pair("query", &expr);
                let json: Value = client.get(url).send().await.ok()?.json().await.ok()?;
                assert_eq!(json["status"], "success", "panel {title:?}: {json}");
                let n = json["data"]["result"].as_array().map_or(0, Vec::len);
                (n > 0).then_some(n)
            }
        })
        .await;
        assert!(result > 0);
    }
}

//! The on-call kit against real tools: promtool checks and unit tests of the
//! alert rules, the dashboard's structure (portable import, variables, every
//! panel described and with a unit), every PromQL expression of the rules and
//! the dashboard parsed and checked against a live scrape of the demo, and the
//! demo scraped by a real Prometheus evaluating the rules and routing through
//! a real Alertmanager to a webhook run by this test.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use cloudflare_saml_exporter::fake::demo_data::{ACCOUNT_A, ACCOUNT_B, sets};
use http_body_util::{BodyExt, Full};
use promql_parser::parser::Expr;
use promql_parser::util::{ExprVisitor, walk_expr};
use serde::Deserialize;
use serde_json::Value;

use crate::support::process::{RunningBinary, exporter_command, url_in};
use crate::support::{eventually, get, scrape, try_get};

const RULES: &str = "alerts/cloudflare-access-saml.rules.yml";
const DASHBOARD: &str = "dashboards/cloudflare-access-saml.json";
const JOB: &str = "cloudflare-saml-exporter";
/// Demo IdPs whose signing certificates raise an alert (see `fake::demo_data`).
const ENTRA: &str = "1d7a0002-0000-4000-8000-000000000002";
const SHIBBOLETH: &str = "1d7b0001-0000-4000-8000-000000000001";
const ONELOGIN: &str = "1d7b0002-0000-4000-8000-000000000002";
const JUMPCLOUD: &str = "1d7b0003-0000-4000-8000-000000000003";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A tool the test needs, or a failure that says how to get it.
fn tool(name: &str) -> Command {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{name}` is needed by this test: install Debian's `prometheus` and `prometheus-alertmanager` \
         packages (./scripts/install-test-tools.sh does it)"
    );
    Command::new(name)
}

#[derive(Debug, Deserialize)]
struct RuleFile {
    groups: Vec<RuleGroup>,
}

#[derive(Debug, Deserialize)]
struct RuleGroup {
    rules: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
struct Rule {
    alert: String,
    expr: String,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
}

fn rules() -> Vec<Rule> {
    let text = std::fs::read_to_string(repo(RULES)).unwrap();
    let file: RuleFile =
        serde_saphyr::from_str(&text).expect("the rule file is YAML of the documented shape");
    file.groups.into_iter().flat_map(|g| g.rules).collect()
}

/// Every panel query of the dashboard, with Grafana's variables substituted.
fn dashboard_queries() -> Vec<(String, String)> {
    fn collect(panels: &[Value], out: &mut Vec<(String, String)>) {
        for panel in panels {
            let title = panel["title"].as_str().unwrap_or("?").to_owned();
            for target in panel["targets"].as_array().into_iter().flatten() {
                if let Some(expr) = target["expr"].as_str() {
                    out.push((title.clone(), substitute(expr)));
                }
            }
            if let Some(inner) = panel["panels"].as_array() {
                collect(inner, out);
            }
        }
    }
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(repo(DASHBOARD)).unwrap()).unwrap();
    let mut out = Vec::new();
    collect(dashboard["panels"].as_array().expect("panels"), &mut out);
    out
}

fn substitute(expr: &str) -> String {
    expr.replace("$__rate_interval", "1m")
        .replace("${job}", JOB)
        .replace("$job", JOB)
        .replace("${account_id}", ".*")
        .replace("$account_id", ".*")
}

struct MetricNames(BTreeSet<String>);

impl ExprVisitor for MetricNames {
    type Error = String;

    fn pre_visit(&mut self, expr: &Expr) -> Result<bool, String> {
        let selector = match expr {
            Expr::VectorSelector(vs) => vs,
            Expr::MatrixSelector(ms) => &ms.vs,
            _ => return Ok(true),
        };
        match &selector.name {
            Some(name) => {
                self.0.insert(name.clone());
            }
            None => return Err(format!("selector without a metric name: {expr}")),
        }
        Ok(true)
    }
}

fn names_in(expr: &str) -> Result<BTreeSet<String>, String> {
    let parsed = promql_parser::parser::parse(expr)?;
    let mut names = MetricNames(BTreeSet::new());
    walk_expr(&mut names, &parsed)?;
    Ok(names.0)
}

/// The demo on loopback; returns the process and its metrics URL.
fn start_demo() -> (RunningBinary, String) {
    let mut command = exporter_command();
    command.args(["demo", "--web.listen-address", "127.0.0.1:0", "--refresh-interval", "5s"]);
    let mut demo = RunningBinary::start(command);
    let metrics = url_in(&demo.wait_for_line("Exporter metrics:", Duration::from_secs(60)));
    (demo, metrics)
}

async fn wait_ready(metrics_url: &str) {
    let ready = metrics_url.replace("/metrics", "/-/ready");
    eventually("the demo to be ready", Duration::from_secs(30), || {
        let ready = ready.clone();
        async move { (get(&ready).await.0 == 200).then_some(()) }
    })
    .await;
}

#[test]
fn promtool_accepts_the_rules_and_their_unit_tests_pass() {
    let check = tool("promtool")
        .args(["check", "rules", "--lint=all", "--lint-fatal", RULES])
        .current_dir(repo("."))
        .output()
        .unwrap();
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
    let run = tool("promtool").args(["test", "rules"]).args(&tests).current_dir(repo(".")).output().unwrap();
    assert!(
        run.status.success(),
        "promtool test rules:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn every_alert_has_severity_summary_description_and_runbook_section() {
    let runbook = std::fs::read_to_string(repo("docs/runbook.md")).unwrap();
    let rules = rules();
    assert!(rules.len() >= 17);
    for rule in rules {
        let severity = rule.labels.get("severity").map(String::as_str);
        assert!(
            matches!(severity, Some("critical" | "warning" | "info")),
            "{}: severity {severity:?}",
            rule.alert
        );
        for key in ["summary", "description", "runbook_url"] {
            assert!(
                rule.annotations.get(key).is_some_and(|v| !v.trim().is_empty()),
                "{} lacks {key}",
                rule.alert
            );
        }
        let anchor = rule.annotations["runbook_url"].rsplit('#').next().unwrap().to_owned();
        assert_eq!(anchor, rule.alert.to_lowercase(), "{}: runbook anchor", rule.alert);
        assert!(
            runbook.contains(&format!("## {}", rule.alert)),
            "docs/runbook.md has no section {}",
            rule.alert
        );
    }
}

/// Every panel of the dashboard, rows and the panels of collapsed rows
/// (which Grafana nests under the row) included.
fn all_panels(panels: &[Value]) -> Vec<&Value> {
    let mut out = Vec::new();
    for panel in panels {
        out.push(panel);
        out.extend(all_panels(panel["panels"].as_array().map_or(&[][..], Vec::as_slice)));
    }
    out
}

/// Whether a panel's or query's `datasource` points at the `datasource`
/// variable: as an object `{type, uid}` (current Grafana) or a bare string
/// (older dashboards).
fn uses_datasource_variable(datasource: &Value) -> bool {
    let uid = datasource.as_str().or_else(|| datasource["uid"].as_str());
    matches!(uid, Some("${datasource}" | "$datasource"))
}

#[test]
fn the_dashboard_imports_anywhere_and_every_panel_has_a_title_description_datasource_and_unit() {
    let text = std::fs::read_to_string(repo(DASHBOARD)).unwrap();
    let dashboard: Value = serde_json::from_str(&text).expect("the dashboard is JSON");

    // A fixed uid keeps links and provisioned copies pointing at one
    // dashboard across re-imports; dashboards/README.md documents it.
    let uid = dashboard["uid"].as_str().unwrap_or("");
    assert!(!uid.is_empty() && uid.len() <= 40, "uid {uid:?}");
    assert!(uid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "uid {uid:?}");
    let readme = std::fs::read_to_string(repo("dashboards/README.md")).unwrap();
    assert!(readme.contains(&format!("uid: `{uid}`")), "dashboards/README.md does not document uid {uid:?}");
    // A numeric id belongs to one Grafana database and would clash on import.
    assert!(dashboard["id"].is_null(), "id {}", dashboard["id"]);
    let schema = dashboard["schemaVersion"].as_u64().expect("schemaVersion");
    assert!(schema >= 39, "schemaVersion {schema}");
    // `__inputs` and `${DS_...}` placeholders only work through the import UI,
    // not through file or ConfigMap provisioning.
    assert!(dashboard.get("__inputs").is_none(), "the dashboard has __inputs");
    assert!(!text.contains("${DS_"), "the dashboard has ${{DS_...}} placeholders");

    let variables = dashboard["templating"]["list"].as_array().expect("templating.list");
    let variable = |name: &str| {
        variables
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("no template variable {name:?}"))
    };
    let datasource = variable("datasource");
    assert_eq!(datasource["type"], "datasource", "{datasource}");
    assert_eq!(datasource["query"], "prometheus", "{datasource}");
    let account = variable("account_id");
    assert_eq!(account["multi"], true, "{account}");
    assert_eq!(account["includeAll"], true, "{account}");
    for variable in variables.iter().filter(|v| v["type"] == "query") {
        assert!(uses_datasource_variable(&variable["datasource"]), "variable {variable}");
    }

    let panels = all_panels(dashboard["panels"].as_array().expect("panels"));
    assert!(panels.iter().filter(|p| p["type"] != "row").count() >= 10, "{} panels", panels.len());
    for panel in panels {
        let kind = panel["type"].as_str().unwrap_or("");
        let title = panel["title"].as_str().unwrap_or("").trim();
        assert!(!title.is_empty(), "a {kind} panel (id {}) has no title", panel["id"]);
        let description = panel["description"].as_str().unwrap_or("").trim();
        assert!(!description.is_empty(), "panel {title:?} has no description");
        let targets = panel["targets"].as_array().map_or(&[][..], Vec::as_slice);
        if !targets.is_empty() {
            assert!(
                uses_datasource_variable(&panel["datasource"]),
                "panel {title:?}: datasource {}",
                panel["datasource"]
            );
        }
        // A query may name its own data source; if so, the same variable.
        for target in targets.iter().filter(|t| !t["datasource"].is_null()) {
            assert!(
                uses_datasource_variable(&target["datasource"]),
                "panel {title:?} query {}: datasource {}",
                target["refId"],
                target["datasource"]
            );
        }
        if matches!(kind, "stat" | "gauge" | "timeseries" | "table" | "bargauge") {
            let unit = panel["fieldConfig"]["defaults"]["unit"].as_str().unwrap_or("");
            assert!(!unit.trim().is_empty(), "{kind} panel {title:?} has no fieldConfig.defaults.unit");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_promql_expression_parses_and_names_only_metrics_the_demo_exposes() {
    let (_demo, metrics_url) = start_demo();
    wait_ready(&metrics_url).await;
    let mut exposed = scrape(&metrics_url).await.names();
    exposed.insert("up".to_owned()); // Prometheus' own per-target series.
    let mut expressions: Vec<(String, String)> =
        rules().into_iter().map(|r| (format!("rule {}", r.alert), r.expr)).collect();
    expressions.extend(dashboard_queries().into_iter().map(|(title, e)| (format!("panel {title:?}"), e)));
    assert!(expressions.len() > 30, "{}", expressions.len());
    for (origin, expr) in expressions {
        let names = names_in(&expr).unwrap_or_else(|e| panic!("{origin}: {e}\n{expr}"));
        assert!(!names.is_empty(), "{origin} reads no metric");
        for name in names {
            assert!(exposed.contains(&name), "{origin} uses {name}, which the exporter does not expose");
        }
    }
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The key labels of a firing alert, for comparison.
fn alert_key(labels: &Value) -> String {
    let label = |k: &str| labels[k].as_str().unwrap_or("").to_owned();
    let object = [label("certificate_set_uid"), label("identity_provider_id")].join("");
    let key = format!("{} {} {}", label("alertname"), label("account_id"), object);
    // Unreadable signing entries are told apart by their position.
    match label("position").as_str() {
        "" => key,
        position => format!("{key} #{position}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn prometheus_and_alertmanager_raise_exactly_the_demos_alerts() {
    let dir = std::env::temp_dir().join(format!("cse-oncall-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let (_demo, metrics_url) = start_demo();
    wait_ready(&metrics_url).await;
    let target = metrics_url.trim_start_matches("http://").split('/').next().unwrap().to_owned();
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

    let am_port = free_port();
    let prom_port = free_port();
    std::fs::write(
        dir.join("alertmanager.yml"),
        format!(
            "route:\n  receiver: unrouted\n  group_by: ['...']\n  group_wait: 0s\n  group_interval: 1s\n  repeat_interval: 1h\n  routes:\n    - matchers: ['severity=\"critical\"']\n      receiver: pager\nreceivers:\n  - name: unrouted\n  - name: pager\n    webhook_configs:\n      - url: http://{hook}/\n        send_resolved: false\n"
        ),
    )
    .unwrap();
    let amtool = tool("amtool")
        .args(["check-config", dir.join("alertmanager.yml").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(amtool.status.success(), "amtool: {}", String::from_utf8_lossy(&amtool.stdout));
    std::fs::write(
        dir.join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:{am_port}']\nscrape_configs:\n  - job_name: {JOB}\n    static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let check_config = tool("promtool")
        .args(["check", "config", dir.join("prometheus.yml").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        check_config.status.success(),
        "promtool check config: {}",
        String::from_utf8_lossy(&check_config.stdout)
    );

    let mut am = tool("prometheus-alertmanager");
    am.args([
        &format!("--config.file={}", dir.join("alertmanager.yml").display()),
        &format!("--storage.path={}", dir.join("am-data").display()),
        &format!("--web.listen-address=127.0.0.1:{am_port}"),
        "--cluster.listen-address=",
    ]);
    let _alertmanager = RunningBinary::start(am);
    let mut prom = tool("prometheus");
    prom.current_dir(&dir).args([
        &format!("--config.file={}", dir.join("prometheus.yml").display()),
        &format!("--storage.tsdb.path={}", dir.join("prom-data").display()),
        &format!("--web.listen-address=127.0.0.1:{prom_port}"),
    ]);
    let prometheus = RunningBinary::start(prom);
    let api = format!("http://127.0.0.1:{prom_port}/api/v1");

    let expected: BTreeSet<String> = [
        format!("CloudflareSAMLCertificateRotationOverdue {ACCOUNT_A} {}", sets::OVERDUE),
        format!("CloudflareSAMLRotationInProgress {ACCOUNT_A} {}", sets::ROTATING),
        format!("CloudflareSAMLIdentityProviderWithoutCertificateSet {ACCOUNT_A} 1d7a0004-0000-4000-8000-000000000004"),
        format!("CloudflareSAMLCertificateExpired {ACCOUNT_B} {}", sets::EXPIRED),
        // The expired set never rotated: the cause keeps firing beside it.
        format!("CloudflareSAMLCertificateRotationOverdue {ACCOUNT_B} {}", sets::EXPIRED),
        format!("CloudflareSAMLCertificateUnreadable {ACCOUNT_B} {}", sets::UNREADABLE),
        format!("CloudflareSAMLCertificateNotAfterMismatch {ACCOUNT_B} {}", sets::MISMATCH),
        format!("CloudflareSAMLEncryptionWithoutCertificateSet {ACCOUNT_B} 1d7b0004-0000-4000-8000-000000000004"),
        format!("CloudflareSAMLEncryptionWithoutCertificateSet {ACCOUNT_B} 1d7b0005-0000-4000-8000-000000000005"),
        // Signing certificates, judged by each IdP's latest: PingFederate's rollover
        // (old at 3 days, new at 400) and the healthy IdPs stay silent.
        format!("CloudflareSAMLIdentityProviderSigningCertificateExpiring {ACCOUNT_A} {ENTRA}"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateExpiringSoon {ACCOUNT_B} {ONELOGIN}"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateExpired {ACCOUNT_B} {SHIBBOLETH}"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateUnreadable {ACCOUNT_B} {JUMPCLOUD} #1"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateUnreadable {ACCOUNT_B} {JUMPCLOUD} #2"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateUnreadable {ACCOUNT_B} {JUMPCLOUD} #3"),
        format!("CloudflareSAMLIdentityProviderSigningCertificateUnreadable {ACCOUNT_B} {JUMPCLOUD} #4"),
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
            a["labels"]["alertname"] == "CloudflareSAMLCertificateRotationOverdue"
                && a["labels"]["certificate_set_uid"] == sets::OVERDUE
        })
        .unwrap();
    assert!(overdue["annotations"]["description"].as_str().unwrap().contains("Entra ID (demo)"), "{overdue}");
    // The signing alerts name the IdP and the time left.
    for (alertname, idp, name) in [
        ("CloudflareSAMLIdentityProviderSigningCertificateExpiring", ENTRA, "Entra ID (demo)"),
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

    // Alertmanager: the critical ones reach the webhook with their labels, nothing else does.
    let paging: BTreeSet<String> = self::rules()
        .into_iter()
        .filter(|r| r.labels.get("severity").map(String::as_str) == Some("critical"))
        .map(|r| format!("{} ", r.alert))
        .collect();
    let critical: BTreeSet<String> =
        expected.iter().filter(|k| paging.iter().any(|name| k.starts_with(name))).cloned().collect();
    assert_eq!(critical.len(), 5, "{critical:?}");
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

    drop(prometheus);
    let _ = std::fs::remove_dir_all(&dir);
}

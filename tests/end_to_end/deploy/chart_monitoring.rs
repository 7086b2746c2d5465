//! The chart's monitoring objects: the alert rules select the job the
//! ServiceMonitor produces, the PrometheusRule holds exactly the rules of
//! `alerts/` (and promtool accepts them), the dashboard ConfigMaps hold
//! exactly `dashboards/`, and the chart's copies have not drifted.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::chart::{only, rendered};
use super::{files_ending, read, repo, yaml_file};
use crate::support::TempDir;
use crate::tools::{run, run_ok, tool};

/// The job Prometheus gives the ServiceMonitor's targets, computed the way
/// the Prometheus Operator does: the Service's name, or the value of its
/// `jobLabel` label, then the endpoint's relabelings in order.
fn job_produced(objects: &[&Value]) -> String {
    let monitor = only(objects, "ServiceMonitor");
    let service = only(objects, "Service");
    let wanted = monitor["spec"]["selector"]["matchLabels"].as_object().unwrap();
    for (key, value) in wanted {
        assert_eq!(&service["metadata"]["labels"][key], value, "the ServiceMonitor must select the Service");
    }
    let namespaces = &monitor["spec"]["namespaceSelector"]["matchNames"];
    assert_eq!(namespaces, &json!([service["metadata"]["namespace"]]));
    let endpoint = &monitor["spec"]["endpoints"][0];
    assert_eq!(
        endpoint["port"], service["spec"]["ports"][0]["name"],
        "the endpoint must name the Service's port"
    );

    let mut job = match monitor["spec"]["jobLabel"].as_str() {
        Some(label) => service["metadata"]["labels"][label].as_str().unwrap().to_owned(),
        None => service["metadata"]["name"].as_str().unwrap().to_owned(),
    };
    for relabeling in endpoint["relabelings"].as_array().into_iter().flatten() {
        let action = relabeling["action"].as_str().unwrap_or("replace");
        if relabeling["targetLabel"] == "job" && action == "replace" {
            // Without sourceLabels the default regex (.*) matches the empty string.
            assert!(relabeling["sourceLabels"].is_null(), "unexpected relabeling {relabeling}");
            job = relabeling["replacement"].as_str().unwrap().to_owned();
        }
    }
    job
}

/// Every job named by a selector in the rules: `job="x"` in expressions and
/// `job=\"x\"` inside the description templates' queries.
fn jobs_selected(groups: &Value) -> BTreeSet<String> {
    let text = groups.to_string().replace("\\\\\\\"", "\"").replace("\\\"", "\"");
    let mut jobs = BTreeSet::new();
    for piece in text.split("job=\"").skip(1) {
        jobs.insert(piece.split('"').next().unwrap().to_owned());
    }
    jobs
}

#[test]
fn the_rules_select_the_job_the_service_monitor_produces() {
    for (scenario, expected) in [
        ("monitoring", "cloudflare-saml-exporter"),
        ("custom-job", "cf-saml"),
        ("sharded", "cloudflare-saml-exporter"),
    ] {
        let objects = rendered(scenario);
        let job = job_produced(&objects);
        assert_eq!(job, expected, "{scenario}");
        // Without the relabeling the job would be the Service's name and no alert could fire.
        assert_ne!(only(&objects, "Service")["metadata"]["name"], job.as_str(), "{scenario}");
        let groups = &only(&objects, "PrometheusRule")["spec"]["groups"];
        let selected = jobs_selected(groups);
        assert_eq!(selected, BTreeSet::from([job.clone()]), "{scenario}: every selector must name job {job}");
        let alerts = groups.as_array().unwrap().iter().flat_map(|g| g["rules"].as_array().unwrap());
        for rule in alerts {
            assert!(
                rule["expr"].as_str().unwrap().contains(&format!("job=\"{job}\"")),
                "{scenario}: {}",
                rule["alert"]
            );
        }
    }
}

/// The groups of every rule file under `alerts/`, in file order.
fn repository_groups() -> Vec<Value> {
    let files = files_ending("alerts", ".rules.yml");
    assert!(!files.is_empty());
    files
        .iter()
        .flat_map(|f| yaml_file(&format!("alerts/{f}"))["groups"].as_array().unwrap().clone())
        .collect()
}

fn map_strings(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| map_strings(v, f)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), map_strings(v, f))).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn the_prometheus_rule_holds_exactly_the_repository_rules() {
    let repository = Value::Array(repository_groups());
    let objects = rendered("monitoring");
    let rule = only(&objects, "PrometheusRule");
    // By default the runbook links point at the exporter's own /runbook, through its Service.
    let base = read("alerts/runbook-base-url").trim().to_owned();
    let service = only(&objects, "Service");
    let own = format!(
        "http://{}.{}.svc:{}/runbook#",
        service["metadata"]["name"].as_str().unwrap(),
        service["metadata"]["namespace"].as_str().unwrap(),
        service["spec"]["ports"][0]["port"]
    );
    let own_runbook = map_strings(&repository, &|s| s.replace(&format!("{base}#"), &own));
    assert_ne!(own_runbook, repository);
    assert_eq!(
        rule["spec"]["groups"], own_runbook,
        "default values: spec.groups must equal alerts/*.rules.yml, the runbook base being the Service's /runbook"
    );
    assert_eq!(rule["metadata"]["labels"]["release"], "kube-prometheus-stack");

    // With another job and runbook base, exactly those two things change.
    let expected = map_strings(&repository, &|s| {
        s.replace("job=\"cloudflare-saml-exporter\"", "job=\"cf-saml\"")
            .replace("job=\\\"cloudflare-saml-exporter\\\"", "job=\\\"cf-saml\\\"")
            .replace(&format!("{base}#"), "https://runbooks.example.org/cf-saml.md#")
    });
    assert_ne!(expected, repository);
    let custom = rendered("custom-job");
    assert_eq!(only(&custom, "PrometheusRule")["spec"]["groups"], expected);
}

#[test]
fn promtool_accepts_the_rendered_rules() {
    let dir = TempDir::new("deploy-rendered-rules");
    for scenario in ["monitoring", "custom-job"] {
        let objects = rendered(scenario);
        let groups = &only(&objects, "PrometheusRule")["spec"]["groups"];
        let path = dir.join(&format!("{scenario}.rules.json"));
        // JSON is YAML: promtool reads the groups exactly as rendered.
        std::fs::write(&path, json!({"groups": groups}).to_string()).unwrap();
        run_ok(tool("promtool", "Debian package `prometheus`").args(["check", "rules"]).arg(&path));
    }
}

#[test]
fn dashboard_config_maps_hold_exactly_the_repository_dashboards() {
    let objects = rendered("monitoring");
    let maps: Vec<_> = objects.iter().filter(|o| o["kind"] == "ConfigMap").collect();
    let files = files_ending("dashboards", ".json");
    assert_eq!(maps.len(), files.len(), "one ConfigMap per dashboard");
    for file in files {
        let map = maps
            .iter()
            .find(|m| m["data"][&file].is_string())
            .unwrap_or_else(|| panic!("no ConfigMap holds {file}"));
        assert_eq!(map["metadata"]["labels"]["grafana_dashboard"], "1");
        assert!(
            map["data"][&file] == read(&format!("dashboards/{file}")),
            "{file} differs from the repository's"
        );
    }
    assert!(rendered("default").iter().all(|o| o["kind"] != "ConfigMap"));
}

#[test]
fn the_chart_copies_match_the_repository() {
    let output = run(tool("python3", "Python 3").arg(repo("scripts/sync-chart.py")).arg("--check"));
    assert!(
        output.status.success(),
        "the chart's rules or dashboards differ from alerts/ and dashboards/; run scripts/sync-chart.py:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

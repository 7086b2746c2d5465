//! The on-call kit against real tools: promtool checks and unit tests of the
//! alert rules and the dashboard's structure (portable import, variables,
//! every panel described and with a unit) here; the rules and dashboard
//! against the running demo in [`live`].

mod live;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use promql_parser::parser::Expr;
use promql_parser::util::{ExprVisitor, walk_expr};
use serde::Deserialize;
use serde_json::Value;

use crate::support::repo;
use crate::support::tools::run;

const RULES: &str = "alerts/cloudflare-access-saml.rules.yml";
const DASHBOARD: &str = "dashboards/cloudflare-access-saml.json";
const JOB: &str = "cloudflare-saml-exporter";

/// A tool the test needs, or a failure that says how to get it.
fn tool(name: &str) -> Command {
    crate::support::tools::tool(name, "Debian's `prometheus` and `prometheus-alertmanager` packages")
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

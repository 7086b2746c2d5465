//! The on-call kit read as files and against the running demo: every alert
//! has its severity, annotations and runbook section; the dashboard imports
//! anywhere and describes every panel; every PromQL expression of the rules
//! and the dashboard parses and names only metrics the demo exposes.
//! (promtool and the real Prometheus + Alertmanager are in the end-to-end
//! tier, `tests/end_to_end/oncall.rs`.) Every rule's runbook anchor exists in the
//! runbook the demo serves at `/runbook`.

use serde_json::Value;

use crate::support::oncall_kit::{DASHBOARD, dashboard_queries, names_in, rules};
use crate::support::{Exporter, repo, scrape};

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
    let demo = Exporter::demo().args(["--refresh-interval", "5s"]).spawn();
    demo.until_demo_complete().await;
    let mut exposed = scrape(&demo.metrics_url).await.names();
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

#[tokio::test(flavor = "multi_thread")]
async fn every_alerts_runbook_url_resolves_to_a_section_of_the_demos_own_runbook() {
    let demo = Exporter::demo().spawn();
    demo.until_ready().await;
    let (status, page) = crate::support::get(&demo.url("/runbook")).await;
    assert_eq!(status, 200);
    assert!(!page.contains("<script"), "the runbook page runs no script");
    let rules = rules();
    assert!(rules.len() > 30, "{}", rules.len());
    for rule in rules {
        let anchor = rule.annotations["runbook_url"].rsplit('#').next().unwrap().to_owned();
        assert!(page.contains(&format!("id=\"{anchor}\"")), "{}: /runbook has no #{anchor}", rule.alert);
    }
    let (_, status_page) = crate::support::get(&demo.url("/")).await;
    assert!(status_page.contains("href=\"/runbook\""), "the status page links to the runbook");
}

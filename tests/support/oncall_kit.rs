//! The on-call kit as data: the alert rules and the dashboard's queries as
//! the repository has them, and the metric names a PromQL expression reads.
//! Both test tiers check them: against the demo's scrape, and through
//! promtool and a real Prometheus.

use std::collections::{BTreeMap, BTreeSet};

use promql_parser::parser::Expr;
use promql_parser::util::{ExprVisitor, walk_expr};
use serde::Deserialize;
use serde_json::Value;

use super::files::repo;

/// The alert rules.
pub const RULES: &str = "alerts/cloudflare-access-saml.rules.yml";
/// The dashboard.
pub const DASHBOARD: &str = "dashboards/cloudflare-access-saml.json";
/// The job name the rules and the dashboard select.
pub const JOB: &str = "cloudflare-saml-exporter";

#[derive(Debug, Deserialize)]
struct RuleFile {
    groups: Vec<RuleGroup>,
}

#[derive(Debug, Deserialize)]
struct RuleGroup {
    rules: Vec<Rule>,
}

/// One alerting rule.
#[derive(Debug, Deserialize)]
pub struct Rule {
    /// Its name.
    pub alert: String,
    /// Its PromQL.
    pub expr: String,
    /// `labels`.
    pub labels: BTreeMap<String, String>,
    /// `annotations`.
    pub annotations: BTreeMap<String, String>,
}

/// Every rule of [`RULES`].
pub fn rules() -> Vec<Rule> {
    let text = std::fs::read_to_string(repo(RULES)).unwrap();
    let file: RuleFile =
        serde_saphyr::from_str(&text).expect("the rule file is YAML of the documented shape");
    file.groups.into_iter().flat_map(|g| g.rules).collect()
}

/// Every panel query of the dashboard (title, PromQL), with Grafana's
/// variables substituted.
pub fn dashboard_queries() -> Vec<(String, String)> {
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

/// The metric names `expr` reads; an error if it does not parse or has a
/// selector without a name.
pub fn names_in(expr: &str) -> Result<BTreeSet<String>, String> {
    let parsed = promql_parser::parser::parse(expr)?;
    let mut names = MetricNames(BTreeSet::new());
    walk_expr(&mut names, &parsed)?;
    Ok(names.0)
}

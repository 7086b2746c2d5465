//! The deployment artefacts read as files, no tool needed: every value of
//! the Helm chart in its schema and README, every runbook URL on the one
//! base, and the Dockerfile's shape. (Helm, systemd-analyze and cargo-deb
//! check the rest in the end-to-end tier, `tests/end_to_end/deploy/`.)

use serde_json::Value;

use crate::support::{files_ending, read, yaml_file};

const CHART: &str = "deploy/helm/cloudflare-saml-exporter";
/// Where the package and the image put the binary.
const INSTALLED_BINARY: &str = "/usr/bin/cloudflare-saml-exporter";

/// Every value of values.yaml, as `a.b.c`, down to where the schema stops
/// describing keys (Kubernetes objects passed through, label maps).
fn value_paths(value: &Value, schema: &Value, prefix: &str, out: &mut Vec<String>) {
    match (value.as_object(), schema["properties"].as_object()) {
        (Some(map), Some(properties)) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                assert!(properties.contains_key(key), "{path} is missing from values.schema.json");
                value_paths(inner, &properties[key], &path, out);
            }
        }
        _ => out.push(prefix.to_owned()),
    }
}

#[test]
fn every_value_is_in_the_schema_and_the_chart_readme() {
    let values = yaml_file(&format!("{CHART}/values.yaml"));
    let schema: Value = serde_json::from_str(&read(&format!("{CHART}/values.schema.json"))).unwrap();
    assert_eq!(schema["additionalProperties"], false, "unknown top-level values must be refused");
    let readme = read(&format!("{CHART}/README.md"));
    let mut paths = Vec::new();
    value_paths(&values, &schema, "", &mut paths);
    assert!(paths.len() > 40, "values.yaml parsed to {paths:?}");
    for path in paths {
        assert!(readme.contains(&format!("`{path}`")), "{path} is missing from the chart README");
    }
}

#[test]
fn every_runbook_url_starts_with_the_one_base() {
    let base = read("alerts/runbook-base-url").trim().to_owned();
    let mut seen = 0;
    let tests = files_ending("alerts/tests", ".yml").into_iter().map(|f| format!("alerts/tests/{f}"));
    for path in files_ending("alerts", ".rules.yml").into_iter().map(|f| format!("alerts/{f}")).chain(tests) {
        for line in read(&path).lines().filter(|l| l.trim_start().starts_with("runbook_url:")) {
            let url = line.trim_start().trim_start_matches("runbook_url:").trim();
            assert!(url.starts_with(&format!("{base}#")), "{path}: {url} does not start with {base}#");
            seen += 1;
        }
    }
    assert!(seen >= 13, "only {seen} runbook URLs found");
}

#[test]
fn the_dockerfile_builds_the_locked_release_binary_and_runs_it_unprivileged() {
    let dockerfile = read("Dockerfile");
    let instructions: Vec<&str> =
        dockerfile.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).collect();
    let froms: Vec<_> = instructions.iter().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "multi-stage: {froms:?}");
    assert!(froms[0].starts_with("FROM rust:") && froms[0].ends_with(" AS build"), "{}", froms[0]);
    assert!(froms[1].contains("distroless") || froms[1].contains("scratch"), "{}", froms[1]);
    assert!(dockerfile.contains("cargo build --release --locked"));
    assert!(dockerfile.contains("target/release/cloudflare-saml-exporter /out/cloudflare-saml-exporter"));
    assert!(
        dockerfile.contains(&format!("COPY --from=build /out/cloudflare-saml-exporter {INSTALLED_BINARY}"))
    );
    assert!(dockerfile.contains(&format!("ENTRYPOINT [\"{INSTALLED_BINARY}\"]")));
    assert!(instructions.contains(&"EXPOSE 19380"));
    let user = instructions.iter().rev().find(|l| l.starts_with("USER ")).expect("a USER");
    let ids: Vec<u32> = user[5..].split(':').map(|id| id.parse().expect("numeric USER")).collect();
    assert!(ids.iter().all(|&id| id != 0), "{user}");
    for label in ["title", "description", "version", "revision", "licenses"] {
        assert!(dockerfile.contains(&format!("org.opencontainers.image.{label}=")), "OCI label {label}");
    }
    assert!(dockerfile.contains(&format!("ARG VERSION={}", env!("CARGO_PKG_VERSION"))));
    assert!(read(".dockerignore").lines().any(|l| l == "target/"));
    let chart = read("deploy/helm/cloudflare-saml-exporter/Chart.yaml");
    assert!(
        chart.contains(&format!("appVersion: \"{}\"", env!("CARGO_PKG_VERSION"))),
        "Chart.yaml appVersion"
    );
}

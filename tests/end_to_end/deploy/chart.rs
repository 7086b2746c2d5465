//! The Helm chart rendered by real Helm: lint, schema, strict Kubernetes
//! validation, the locked-down pod, sharding, and credentials that stay
//! secrets. (That every value is documented needs no Helm: `tests/deploy.rs`.)

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::{Value, json};

use super::{CHART, repo, venv_python};
use crate::tools::run_with_input;

/// Planted where a token must never be accepted; must never come back out.
pub(super) const FAKE_TOKEN: &str = "cf-fake-token-7d1e4b9a0c3f5e8d2a6b";

/// An `idpMetadata.sources` entry (Entra ID's, by name) for the renderings.
fn idp_source() -> Value {
    json!({"account": "0123456789abcdef0123456789abcdef", "identityProvider": "Entra ID",
           "url": "https://login.microsoftonline.com/tenant/federationmetadata/2007-06/federationmetadata.xml?appid=app"})
}

/// Values of each rendering; names ending in `-refused` must fail.
fn scenarios() -> Value {
    let monitoring = json!({
        "cloudflare": {"existingSecret": "cf-token", "accountIds": ["0123456789abcdef0123456789abcdef"]},
        "serviceMonitor": {"enabled": true, "labels": {"release": "kube-prometheus-stack"}},
        "prometheusRule": {"enabled": true, "labels": {"release": "kube-prometheus-stack"}},
        "dashboards": {"enabled": true},
        "networkPolicy": {"enabled": true},
        "podDisruptionBudget": {"enabled": true},
        "state": {"persistence": {"enabled": true}}
    });
    json!({
        "default": {"values": {}},
        "monitoring": {"values": monitoring, "release": "prod", "namespace": "monitoring"},
        "custom-job": {"release": "other", "namespace": "obs", "values": {
            "jobName": "cf-saml",
            "cloudflare": {"existingSecret": "cf-token"},
            "serviceMonitor": {"enabled": true},
            "prometheusRule": {"enabled": true, "runbookBaseUrl": "https://runbooks.example.org/cf-saml.md"}
        }},
        "sharded": {"values": {
            "sharding": {"shards": 3},
            "cloudflare": {"configSecret": "cf-config", "tokenSecrets": ["cf-tenant-a"]},
            "extraEnv": [{"name": "CF_TOKEN_TENANT_B",
                          "valueFrom": {"secretKeyRef": {"name": "cf-tenant-b", "key": "token"}}}],
            "state": {"persistence": {"enabled": true}},
            "serviceMonitor": {"enabled": true},
            "prometheusRule": {"enabled": true}
        }},
        "web-config": {"values": {
            "cloudflare": {"existingSecret": "cf-token"},
            "webConfig": {"existingSecret": "exporter-web"},
            "serviceMonitor": {"enabled": true,
                "tlsConfig": {"ca": {"secret": {"name": "exporter-web", "key": "ca.crt"}}, "serverName": "exporter"},
                "basicAuth": {"username": {"name": "scrape-auth", "key": "username"},
                              "password": {"name": "scrape-auth", "key": "password"}}}
        }},
        "idp-metadata": {"release": "prod", "namespace": "monitoring", "values": {
            "cloudflare": {"existingSecret": "cf-token", "accountIds": ["0123456789abcdef0123456789abcdef"]},
            "networkPolicy": {"enabled": true},
            "idpMetadata": {"refreshInterval": "30m", "caSecret": "corp-ca", "sources": [
                idp_source(),
                {"account": "0123456789abcdef0123456789abcdef", "identityProvider": "1d7a0005-0000-4000-8000-000000000005",
                 "url": "https://ping.example.com:9031/pf/federation_metadata.ping?PartnerSpId=https%3A%2F%2Facme.cloudflareaccess.com",
                 "entityId": "https://ping.example.com/idp"}
            ]}
        }},
        "idp-metadata-with-config-secret-refused": {"values": {
            "cloudflare": {"configSecret": "cf-config"}, "idpMetadata": {"sources": [idp_source()]}
        }},
        "idp-metadata-twice-refused": {"values": {"idpMetadata": {"sources": [idp_source(), idp_source()]}}},
        "idp-metadata-over-http-refused": {"values": {"idpMetadata": {"sources": [
            {"account": "0123456789abcdef0123456789abcdef", "identityProvider": "Okta", "url": "http://okta.example.com/metadata"}
        ]}}},
        "inline-token-refused": {"values": {"cloudflare": {"apiToken": FAKE_TOKEN}}},
        "literal-token-env-refused": {"values": {"extraEnv": [{"name": "CLOUDFLARE_API_TOKEN", "value": FAKE_TOKEN}]}},
        "literal-scrape-password-refused": {"values": {
            "webConfig": {"existingSecret": "exporter-web"},
            "serviceMonitor": {"enabled": true, "basicAuth": {"username": {"name": "a", "key": "u"}, "password": FAKE_TOKEN}}
        }},
        "basic-auth-over-http-refused": {"values": {"serviceMonitor": {"enabled": true,
            "basicAuth": {"username": {"name": "a", "key": "u"}, "password": {"name": "a", "key": "p"}}}}},
        "two-credential-sources-refused": {"values": {"cloudflare": {"existingSecret": "a", "configSecret": "b"}}},
        "account-id-typo-refused": {"values": {"cloudflare": {"accountIds": ["not-an-account"]}}},
        "replicas-sharing-a-volume-refused": {"values": {"replicas": 2, "state": {"persistence": {"enabled": true}}}}
    })
}

/// Helm's answer for every scenario, computed once for all tests.
pub(super) fn helm() -> &'static Value {
    static ANSWER: OnceLock<Value> = OnceLock::new();
    ANSWER.get_or_init(|| {
        let request = json!({
            "chart": repo(CHART),
            // The oldest Kubernetes the chart supports (pod-index label) and the newest known.
            "kube_versions": ["1.28.0", "1.37.0"],
            "lint": {
                "default": {},
                "monitoring": scenarios()["monitoring"]["values"],
                "idp-metadata": scenarios()["idp-metadata"]["values"],
            },
            "render": scenarios(),
        });
        let output = run_with_input(
            venv_python().arg(repo("tests/end_to_end/deploy/helm_chart.py")),
            request.to_string().as_bytes(),
        );
        assert!(
            output.status.success(),
            "tests/end_to_end/deploy/helm_chart.py failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("helm_chart.py prints JSON")
    })
}

/// The objects of a scenario that must render.
pub(super) fn rendered(scenario: &str) -> Vec<&'static Value> {
    let answer = &helm()["render"][scenario];
    assert!(answer["error"].is_null(), "{scenario} did not render: {}", answer["error"]);
    answer["manifests"].as_array().unwrap().iter().map(|m| &m["doc"]).collect()
}

pub(super) fn only<'a>(objects: &[&'a Value], kind: &str) -> &'a Value {
    let found: Vec<_> = objects.iter().filter(|o| o["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "expected one {kind}, got {}", found.len());
    found[0]
}

fn container(workload: &Value) -> &Value {
    let containers = workload["spec"]["template"]["spec"]["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 1);
    &containers[0]
}

pub(super) fn args(workload: &Value) -> Vec<&str> {
    container(workload)["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect()
}

fn ok_scenarios() -> Vec<String> {
    scenarios().as_object().unwrap().keys().filter(|n| !n.ends_with("-refused")).cloned().collect()
}

#[test]
fn chart_lints_clean_with_real_helm() {
    for (name, report) in helm()["lint"].as_object().unwrap() {
        assert_eq!(report["errors"], json!([]), "helm lint --strict ({name}): {report}");
        let problems: Vec<_> = report["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["severity"].as_u64() >= Some(2))
            .collect();
        assert!(problems.is_empty(), "helm lint --strict ({name}) warns: {problems:?}");
    }
}

#[test]
fn every_rendering_is_strictly_valid_kubernetes() {
    for name in ok_scenarios() {
        let answer = &helm()["render"][&name];
        assert!(answer["error"].is_null(), "{name} did not render: {}", answer["error"]);
        assert_eq!(answer["invalid"], json!([]), "{name}: kubernetes-validate --strict");
        // Only the Prometheus Operator's CRDs escape kubernetes-validate; chart_monitoring checks them.
        for crd in answer["crds"].as_array().unwrap() {
            let kind = crd.as_str().unwrap().split('/').next().unwrap();
            assert!(["ServiceMonitor", "PrometheusRule"].contains(&kind), "{name}: unexpected CRD {crd}");
        }
    }
    let default_kinds: BTreeSet<_> =
        rendered("default").iter().map(|o| o["kind"].as_str().unwrap()).collect();
    assert_eq!(default_kinds, BTreeSet::from(["Deployment", "Service", "ServiceAccount"]));
}

#[test]
fn pods_are_locked_down_and_probed() {
    for name in ok_scenarios() {
        let objects = rendered(&name);
        let workload =
            objects.iter().find(|o| o["kind"] == "Deployment" || o["kind"] == "StatefulSet").unwrap();
        let pod = &workload["spec"]["template"]["spec"];
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{name}");
        assert_eq!(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault", "{name}");
        assert_eq!(pod["automountServiceAccountToken"], false, "{name}");
        let c = container(workload);
        let sc = &c["securityContext"];
        assert_eq!(sc["readOnlyRootFilesystem"], true, "{name}");
        assert_eq!(sc["allowPrivilegeEscalation"], false, "{name}");
        assert_eq!(sc["capabilities"]["drop"], json!(["ALL"]), "{name}");
        assert!(
            c["resources"]["requests"]["memory"].is_string()
                && c["resources"]["limits"]["memory"].is_string()
        );
        if name == "web-config" {
            // The kubelet cannot log in or present a client certificate.
            assert!(
                c["livenessProbe"]["tcpSocket"].is_object() && c["readinessProbe"]["tcpSocket"].is_object()
            );
        } else {
            assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/-/healthy", "{name}");
            assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/-/ready", "{name}");
        }
        // The snapshot lives on a mounted volume: the root filesystem is read-only.
        assert!(args(workload).contains(&"--state.file=/var/lib/cloudflare-saml-exporter/state.json"));
        let mounts = c["volumeMounts"].as_array().unwrap();
        assert!(mounts.iter().any(|m| m["mountPath"] == "/var/lib/cloudflare-saml-exporter"), "{name}");
    }
    let default = rendered("default");
    let volumes = &only(&default, "Deployment")["spec"]["template"]["spec"]["volumes"];
    assert!(volumes[0]["emptyDir"].is_object(), "the default state volume is an emptyDir: {volumes}");
}

#[test]
fn sharding_gives_each_pod_its_ordinal() {
    let objects = rendered("sharded");
    let set = only(&objects, "StatefulSet");
    assert_eq!(set["spec"]["replicas"], 3);
    let args = args(set);
    assert!(args.contains(&"--shard=$(SHARD)") && args.contains(&"--total-shards=3"), "{args:?}");
    let env = container(set)["env"].as_array().unwrap();
    let shard = env.iter().find(|e| e["name"] == "SHARD").expect("SHARD env");
    assert_eq!(
        shard["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.labels['apps.kubernetes.io/pod-index']"
    );
    assert_eq!(set["spec"]["volumeClaimTemplates"][0]["metadata"]["name"], "state");
    // The config file and the token files it names are mounted where the flags point.
    assert!(args.contains(&"--config.file=/etc/cloudflare-saml-exporter/config/config.yml"), "{args:?}");
    assert!(!args.iter().any(|a| a.starts_with("--api-token-file")));
    let mounts: Vec<_> = container(set)["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mountPath"].as_str().unwrap())
        .collect();
    assert!(mounts.contains(&"/etc/cloudflare-saml-exporter/config"), "{mounts:?}");
    assert!(mounts.contains(&"/etc/cloudflare-saml-exporter/secrets/cf-tenant-a"), "{mounts:?}");
    assert!(rendered("default").iter().all(|o| o["kind"] != "StatefulSet"));
}

#[test]
fn the_token_is_read_from_the_existing_secret_as_a_file() {
    let objects = rendered("monitoring");
    let deployment = only(&objects, "Deployment");
    assert!(args(deployment).contains(&"--api-token-file=/etc/cloudflare-saml-exporter/token/token"));
    assert!(args(deployment).contains(&"--account-id=0123456789abcdef0123456789abcdef"));
    let volumes = deployment["spec"]["template"]["spec"]["volumes"].as_array().unwrap();
    let token = volumes.iter().find(|v| v["name"] == "token").expect("token volume");
    assert_eq!(token["secret"]["secretName"], "cf-token");
}

#[test]
fn no_rendered_manifest_holds_a_secret_value() {
    for name in ok_scenarios() {
        for object in rendered(&name) {
            assert_ne!(object["kind"], "Secret", "{name}: the chart never writes a Secret");
            let text = object.to_string();
            assert!(!text.contains(FAKE_TOKEN), "{name}: the fake token leaked into {}", object["kind"]);
            for c in object["spec"]["template"]["spec"]["containers"].as_array().into_iter().flatten() {
                for var in c["env"].as_array().into_iter().flatten() {
                    let secretish = ["TOKEN", "KEY", "PASSWORD", "SECRET"]
                        .iter()
                        .any(|w| var["name"].as_str().unwrap().contains(w));
                    assert!(!secretish || var["value"].is_null(), "{name}: env {var} holds a literal secret");
                }
            }
            if object["kind"] == "ServiceMonitor" {
                let auth = &object["spec"]["endpoints"][0]["basicAuth"];
                for field in ["username", "password"] {
                    assert!(auth[field].is_null() || auth[field]["name"].is_string(), "{name}: {auth}");
                }
            }
        }
    }
    // Literal credentials are refused by the schema, and the refusal does not echo them.
    for (name, reason) in [
        ("inline-token-refused", "apiToken"),
        ("literal-token-env-refused", "/extraEnv/0"),
        ("literal-scrape-password-refused", "/serviceMonitor/basicAuth/password"),
        ("basic-auth-over-http-refused", "needs TLS"),
        ("two-credential-sources-refused", "exclusive"),
        ("account-id-typo-refused", "/cloudflare/accountIds/0"),
        ("replicas-sharing-a-volume-refused", "ReadWriteOnce"),
        ("idp-metadata-with-config-secret-refused", "under identity_provider_metadata:"),
        ("idp-metadata-twice-refused", "twice"),
        ("idp-metadata-over-http-refused", "/idpMetadata/sources/0/url"),
    ] {
        let error = helm()["render"][name]["error"].as_str().unwrap_or_else(|| panic!("{name} rendered"));
        assert!(error.contains(reason), "{name}: the error should name {reason}: {error}");
        assert!(!error.contains(FAKE_TOKEN), "{name}: the error echoes the secret: {error}");
    }
}

#[test]
fn idp_metadata_sources_become_a_config_file_in_a_configmap() {
    let objects = rendered("idp-metadata");
    let config_map = objects
        .iter()
        .find(|o| {
            o["kind"] == "ConfigMap" && o["metadata"]["name"] == "prod-cloudflare-saml-exporter-idp-metadata"
        })
        .expect("the idp-metadata ConfigMap");
    // The exporter's own keys; entity_id only where given.
    let text = config_map["data"]["config.yml"].as_str().expect("config.yml");
    let config: Value = serde_saphyr::from_str(text).expect("config.yml is YAML");
    assert_eq!(
        config,
        json!({"identity_provider_metadata": [
            {"account": "0123456789abcdef0123456789abcdef", "identity_provider": "Entra ID",
             "url": "https://login.microsoftonline.com/tenant/federationmetadata/2007-06/federationmetadata.xml?appid=app"},
            {"account": "0123456789abcdef0123456789abcdef", "identity_provider": "1d7a0005-0000-4000-8000-000000000005",
             "url": "https://ping.example.com:9031/pf/federation_metadata.ping?PartnerSpId=https%3A%2F%2Facme.cloudflareaccess.com",
             "entity_id": "https://ping.example.com/idp"}
        ]}),
        "{text}"
    );

    // Passed as the config file beside the token file, with the metadata flags.
    let deployment = only(&objects, "Deployment");
    let argv = args(deployment);
    for arg in [
        "--config.file=/etc/cloudflare-saml-exporter/idp-metadata/config.yml",
        "--api-token-file=/etc/cloudflare-saml-exporter/token/token",
        "--idp-metadata.refresh-interval=30m",
        "--idp-metadata.ca-file=/etc/cloudflare-saml-exporter/idp-metadata-ca/ca.crt",
    ] {
        assert!(argv.contains(&arg), "{arg} missing from {argv:?}");
    }
    let pod = &deployment["spec"]["template"];
    let volumes = pod["spec"]["volumes"].as_array().unwrap();
    let volume =
        |name: &str| volumes.iter().find(|v| v["name"] == name).unwrap_or_else(|| panic!("volume {name}"));
    assert_eq!(volume("idp-metadata")["configMap"]["name"], config_map["metadata"]["name"]);
    assert_eq!(volume("idp-metadata-ca")["secret"]["secretName"], "corp-ca");
    // A changed list restarts the pods: the exporter reads its config file at start.
    assert!(pod["metadata"]["annotations"]["checksum/idp-metadata"].is_string(), "{}", pod["metadata"]);
    // PingFederate's metadata port is let out; 443 already is.
    let egress = only(&objects, "NetworkPolicy")["spec"]["egress"].to_string();
    assert!(egress.contains("9031"), "{egress}");

    // Without sources, no ConfigMap and no config file; without any metadata, no metadata flags.
    let default = rendered("default");
    assert!(default.iter().all(|o| o["kind"] != "ConfigMap"));
    let plain = args(only(&default, "Deployment"));
    assert!(
        !plain.iter().any(|a| a.starts_with("--config.file") || a.starts_with("--idp-metadata")),
        "{plain:?}"
    );
}

//! Every metric the exporter serves, with its help text, and the rendering of
//! `/metrics` in the Prometheus text format 0.0.4.
//!
//! Certificate, set, IdP and account series are rebuilt from the shared
//! [`ExporterState`] on every scrape, so what a successful refresh no longer
//! lists disappears, and `days_until_expiry` is exact at scrape time. Only the
//! exporter's own counters live in a registry.

use std::sync::atomic::{AtomicI64, Ordering};

use prometheus::proto::{Gauge, LabelPair, Metric, MetricFamily, MetricType};
use prometheus::{Encoder, IntCounterVec, Opts, Registry, TextEncoder};

use crate::cloudflare::error::Reason;
use crate::model::inventory::AccountInventory;
use crate::model::state::ExporterState;

/// The text format's content type, exactly as Prometheus 3 requires it.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Appended to the help of every series fed by the refresh.
const CACHED: &str = " Values come from a background refresh of the Cloudflare API, not from the scrape.";

/// A metric's name and help text.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    /// Full metric name.
    pub name: &'static str,
    /// Help text (without the background-refresh note).
    pub help: &'static str,
}

macro_rules! metric {
    ($id:ident, $name:literal, $help:literal) => {
        #[doc = $help]
        pub const $id: MetricDef = MetricDef { name: $name, help: $help };
    };
}

metric!(
    CERTIFICATE_NOT_AFTER,
    "cloudflare_access_saml_certificate_not_after_timestamp_seconds",
    "Expiry of the certificate as a Unix time, from the PEM (from the API's not_after when the PEM does not parse)."
);
metric!(
    CERTIFICATE_NOT_BEFORE,
    "cloudflare_access_saml_certificate_not_before_timestamp_seconds",
    "Start of the certificate's validity as a Unix time (parsed certificates only)."
);
metric!(
    CERTIFICATE_DAYS_UNTIL_EXPIRY,
    "cloudflare_access_saml_certificate_days_until_expiry",
    "Days until the certificate expires, computed at scrape time; negative once expired. Alert on the not_after timestamp instead."
);
metric!(
    CERTIFICATE_KEY_BITS,
    "cloudflare_access_saml_certificate_key_bits",
    "Size of the certificate's public key in bits (parsed certificates only)."
);
metric!(
    CERTIFICATE_INFO,
    "cloudflare_access_saml_certificate_info",
    "Always 1; labels describe the parsed certificate."
);
metric!(
    CERTIFICATE_NOT_AFTER_MISMATCH,
    "cloudflare_access_saml_certificate_not_after_mismatch",
    "1 if the API's not_after and the certificate's own differ by more than a second, else 0."
);
metric!(
    CERTIFICATE_PARSE_ERROR,
    "cloudflare_access_saml_certificate_parse_error",
    "1 for a certificate whose PEM could not be read; label reason says why."
);
metric!(
    SET_ROTATION_IN_PROGRESS,
    "cloudflare_access_saml_certificate_set_rotation_in_progress",
    "1 if the set holds a previous certificate (a rotation is being handed over), else 0."
);
metric!(
    SET_IDENTITY_PROVIDERS,
    "cloudflare_access_saml_certificate_set_identity_providers",
    "Number of SAML identity providers using this certificate set (0 = unused)."
);
metric!(
    SET_UPDATED,
    "cloudflare_access_saml_certificate_set_updated_timestamp_seconds",
    "The set's updated_at as a Unix time."
);
metric!(
    IDP_INFO,
    "cloudflare_access_saml_identity_provider_info",
    "Always 1; labels name the SAML identity provider and its certificate set."
);
metric!(
    IDP_ENCRYPTION_ENABLED,
    "cloudflare_access_saml_identity_provider_encryption_enabled",
    "1 if the SAML identity provider has config.enable_encryption set, else 0."
);
metric!(
    IDP_SET_MISSING,
    "cloudflare_access_saml_identity_provider_certificate_set_missing",
    "1 if the SAML identity provider has no saml_certificate_set_id, else 0."
);
metric!(
    IDP_SET_DANGLING,
    "cloudflare_access_saml_identity_provider_certificate_set_dangling",
    "1 if the SAML identity provider's set id names no set of the account, else 0."
);
metric!(
    IDPS_WITHOUT_SET,
    "cloudflare_access_saml_identity_providers_without_certificate_set",
    "Number of SAML identity providers with no certificate set."
);
metric!(
    CERTIFICATE_SETS,
    "cloudflare_access_saml_certificate_sets",
    "Number of SAML certificate sets in the account."
);
metric!(
    UP,
    "cloudflare_access_saml_up",
    "1 if the last refresh of this account fully succeeded, else 0 (earlier values are kept)."
);
metric!(
    LAST_SUCCESS,
    "cloudflare_access_saml_last_refresh_success_timestamp_seconds",
    "Unix time of the last fully successful refresh of this account."
);
metric!(
    REFRESH_DURATION,
    "cloudflare_access_saml_refresh_duration_seconds",
    "Duration of the last refresh of this account in seconds."
);
metric!(
    REFRESH_ERRORS,
    "cloudflare_access_saml_refresh_errors_total",
    "Failed refreshes of this account by reason."
);
metric!(
    API_REQUESTS,
    "cloudflare_access_saml_api_requests_total",
    "Requests made to the Cloudflare API by endpoint and HTTP status (code=\"error\" when no response arrived)."
);
metric!(
    RATE_LIMIT_REMAINING,
    "cloudflare_access_saml_api_rate_limit_remaining",
    "Requests left in Cloudflare's rate-limit window, from the last Ratelimit header seen."
);
metric!(
    BUILD_INFO,
    "cloudflare_access_saml_exporter_build_info",
    "Always 1; labels give the exporter's version and source revision."
);

/// Every metric, for documentation and tests.
pub const ALL: [MetricDef; 23] = [
    CERTIFICATE_NOT_AFTER,
    CERTIFICATE_NOT_BEFORE,
    CERTIFICATE_DAYS_UNTIL_EXPIRY,
    CERTIFICATE_KEY_BITS,
    CERTIFICATE_INFO,
    CERTIFICATE_NOT_AFTER_MISMATCH,
    CERTIFICATE_PARSE_ERROR,
    SET_ROTATION_IN_PROGRESS,
    SET_IDENTITY_PROVIDERS,
    SET_UPDATED,
    IDP_INFO,
    IDP_ENCRYPTION_ENABLED,
    IDP_SET_MISSING,
    IDP_SET_DANGLING,
    IDPS_WITHOUT_SET,
    CERTIFICATE_SETS,
    UP,
    LAST_SUCCESS,
    REFRESH_DURATION,
    REFRESH_ERRORS,
    API_REQUESTS,
    RATE_LIMIT_REMAINING,
    BUILD_INFO,
];

/// The exporter's own counters and gauges.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    api_requests: IntCounterVec,
    refresh_errors: IntCounterVec,
    rate_limit_remaining: AtomicI64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh set of counters in a private registry.
    pub fn new() -> Self {
        let registry = Registry::new();
        let api_requests =
            IntCounterVec::new(Opts::new(API_REQUESTS.name, API_REQUESTS.help), &["endpoint", "code"])
                .expect("static metric definition");
        let refresh_errors = IntCounterVec::new(
            Opts::new(REFRESH_ERRORS.name, format!("{}{CACHED}", REFRESH_ERRORS.help)),
            &["account_id", "reason"],
        )
        .expect("static metric definition");
        registry.register(Box::new(api_requests.clone())).expect("registered once");
        registry.register(Box::new(refresh_errors.clone())).expect("registered once");
        Self { registry, api_requests, refresh_errors, rate_limit_remaining: AtomicI64::new(-1) }
    }

    /// Counts one request to Cloudflare.
    pub fn record_api_request(&self, endpoint: &str, code: &str) {
        self.api_requests.with_label_values(&[endpoint, code]).inc();
    }

    /// Creates the error counters of an account at 0, so `increase()` sees
    /// the first error.
    pub fn init_account(&self, account_id: &str) {
        for reason in Reason::ALL {
            self.refresh_errors.with_label_values(&[account_id, reason.label()]);
        }
    }

    /// Counts a failed refresh of an account.
    pub fn record_refresh_error(&self, account_id: &str, reason: &str) {
        self.refresh_errors.with_label_values(&[account_id, reason]).inc();
    }

    /// Remembers the remaining quota from Cloudflare's `Ratelimit` header.
    pub fn set_rate_limit_remaining(&self, remaining: u64) {
        self.rate_limit_remaining.store(remaining.min(i64::MAX as u64) as i64, Ordering::Relaxed);
    }

    /// Renders `/metrics` for the state as of `now` (Unix seconds).
    pub fn render(&self, state: &ExporterState, now: f64) -> Vec<u8> {
        let mut families = self.registry.gather();
        families.extend(state_families(state, now));
        let remaining = self.rate_limit_remaining.load(Ordering::Relaxed);
        if remaining >= 0 {
            let mut family = Family::gauge(RATE_LIMIT_REMAINING);
            family.add(&[], remaining as f64);
            families.push(family.0);
        }
        let mut build = Family::gauge(BUILD_INFO);
        match crate::REVISION {
            Some(revision) => {
                build.add(&[("version", env!("CARGO_PKG_VERSION")), ("revision", revision)], 1.0)
            }
            None => build.add(&[("version", env!("CARGO_PKG_VERSION"))], 1.0),
        }
        families.push(build.0);
        families.retain(|f| !f.get_metric().is_empty());
        families.sort_by(|a, b| a.name().cmp(b.name()));
        let mut out = Vec::with_capacity(16 * 1024);
        // Encoding only fails for empty families or bad names, both excluded above.
        if let Err(err) = TextEncoder::new().encode(&families, &mut out) {
            tracing::error!(error = %err, "encoding metrics failed");
        }
        out
    }
}

/// A family being filled; labels with empty values are left out.
struct Family(MetricFamily);

impl Family {
    fn gauge(def: MetricDef) -> Self {
        let mut family = MetricFamily::default();
        family.set_name(def.name.to_owned());
        let help = match def.name {
            n if n == BUILD_INFO.name || n == RATE_LIMIT_REMAINING.name => def.help.to_owned(),
            _ => format!("{}{CACHED}", def.help),
        };
        family.set_help(help);
        family.set_field_type(MetricType::GAUGE);
        Family(family)
    }

    fn add(&mut self, labels: &[(&str, &str)], value: f64) {
        let pairs = labels
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| {
                let mut pair = LabelPair::default();
                pair.set_name((*k).to_owned());
                pair.set_value((*v).to_owned());
                pair
            })
            .collect();
        let mut gauge = Gauge::default();
        gauge.set_value(value);
        let mut metric = Metric::from_label(pairs);
        metric.set_gauge(gauge);
        self.0.mut_metric().push(metric);
    }
}

fn bool_value(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Families of every series built from the refresh state.
fn state_families(state: &ExporterState, now: f64) -> Vec<MetricFamily> {
    let mut not_after = Family::gauge(CERTIFICATE_NOT_AFTER);
    let mut not_before = Family::gauge(CERTIFICATE_NOT_BEFORE);
    let mut days = Family::gauge(CERTIFICATE_DAYS_UNTIL_EXPIRY);
    let mut key_bits = Family::gauge(CERTIFICATE_KEY_BITS);
    let mut info = Family::gauge(CERTIFICATE_INFO);
    let mut mismatch = Family::gauge(CERTIFICATE_NOT_AFTER_MISMATCH);
    let mut parse_error = Family::gauge(CERTIFICATE_PARSE_ERROR);
    let mut rotating = Family::gauge(SET_ROTATION_IN_PROGRESS);
    let mut set_idps = Family::gauge(SET_IDENTITY_PROVIDERS);
    let mut set_updated = Family::gauge(SET_UPDATED);
    let mut idp_info = Family::gauge(IDP_INFO);
    let mut idp_encryption = Family::gauge(IDP_ENCRYPTION_ENABLED);
    let mut idp_missing = Family::gauge(IDP_SET_MISSING);
    let mut idp_dangling = Family::gauge(IDP_SET_DANGLING);
    let mut without_set = Family::gauge(IDPS_WITHOUT_SET);
    let mut sets = Family::gauge(CERTIFICATE_SETS);
    let mut up = Family::gauge(UP);
    let mut last_success = Family::gauge(LAST_SUCCESS);
    let mut duration = Family::gauge(REFRESH_DURATION);

    for (account, status) in state.snapshot() {
        let account = account.as_str();
        // Before its first refresh has finished an account's health is
        // unknown, and 0 would claim a failure.
        if status.attempted {
            up.add(&[("account_id", account)], bool_value(status.up));
        }
        if let Some(t) = status.last_success {
            last_success.add(&[("account_id", account)], t);
        }
        if let Some(d) = status.last_duration {
            duration.add(&[("account_id", account)], d);
        }
        let Some(inventory) = status.inventory.as_deref() else { continue };
        let AccountInventory { sets: set_records, identity_providers, .. } = inventory;
        sets.add(&[("account_id", account)], set_records.len() as f64);
        without_set.add(&[("account_id", account)], inventory.identity_providers_without_set() as f64);

        for set in set_records {
            let set_labels = [("account_id", account), ("certificate_set_uid", set.uid.as_str())];
            rotating.add(&set_labels, bool_value(set.rotation_in_progress()));
            set_idps.add(&set_labels, set.identity_providers.len() as f64);
            if let Some(t) = set.updated_at {
                set_updated.add(&set_labels, t as f64);
            }
            for cert in &set.certificates {
                let labels = [
                    ("account_id", account),
                    ("certificate_set_uid", set.uid.as_str()),
                    ("certificate_uid", cert.uid.as_deref().unwrap_or("")),
                    ("slot", cert.slot.label()),
                ];
                if let Some(t) = cert.not_after() {
                    not_after.add(&labels, t as f64);
                    days.add(&labels, (t as f64 - now) / 86_400.0);
                }
                if let Some(m) = cert.not_after_mismatch() {
                    mismatch.add(&labels, bool_value(m));
                }
                match &cert.inspection {
                    Ok(facts) => {
                        not_before.add(&labels, facts.not_before as f64);
                        if let Some(bits) = facts.key_bits {
                            key_bits.add(&labels, f64::from(bits));
                        }
                        let mut with_info = labels.to_vec();
                        with_info.extend([
                            ("subject", facts.subject.as_str()),
                            ("issuer", facts.issuer.as_str()),
                            ("serial", facts.serial.as_str()),
                            ("sha256_fingerprint", facts.sha256_fingerprint.as_str()),
                            ("key_algorithm", facts.key_algorithm.as_str()),
                            ("signature_algorithm", facts.signature_algorithm.as_str()),
                        ]);
                        info.add(&with_info, 1.0);
                    }
                    Err(err) => {
                        let mut with_reason = labels.to_vec();
                        with_reason.push(("reason", err.reason()));
                        parse_error.add(&with_reason, 1.0);
                    }
                }
            }
        }
        for idp in identity_providers {
            let labels = [("account_id", account), ("identity_provider_id", idp.id.as_str())];
            idp_info.add(
                &[
                    labels[0],
                    labels[1],
                    ("identity_provider_name", idp.name.as_str()),
                    ("certificate_set_uid", idp.certificate_set_uid.as_deref().unwrap_or("")),
                ],
                1.0,
            );
            idp_encryption.add(&labels, bool_value(idp.encryption_enabled));
            idp_missing.add(&labels, bool_value(idp.certificate_set_uid.is_none()));
            idp_dangling.add(&labels, bool_value(idp.dangling));
        }
    }
    [
        not_after,
        not_before,
        days,
        key_bits,
        info,
        mismatch,
        parse_error,
        rotating,
        set_idps,
        set_updated,
        idp_info,
        idp_encryption,
        idp_missing,
        idp_dangling,
        without_set,
        sets,
        up,
        last_success,
        duration,
    ]
    .into_iter()
    .map(|f| f.0)
    .collect()
}

//! The report's rows for the exporter's own API tokens (slot `token`): a
//! token with a TTL blinds the exporter when it expires, so its expiry is a
//! dated item like a certificate's, on the same table and timeline, graded
//! as `CloudflareSAMLExporterTokenExpiring` grades it.

use crate::clock::days_until;
use crate::clock::format_rfc3339 as rfc3339;
use crate::model::report::{CheckReport, Row, Severity};

/// Fewer days left than this is a warning, as in the token alert.
pub const TOKEN_WARN_DAYS: f64 = 14.0;

impl CheckReport {
    /// Adds a row per credential whose token expires (`tokens`: credential
    /// and Unix time), and grades again.
    pub fn with_tokens(mut self, tokens: &[(String, f64)], now: f64) -> Self {
        for (credential, expires_at) in tokens {
            let days = days_until(*expires_at, now);
            let (state, why) = if days <= 0.0 {
                (Severity::Critical, "expired: the exporter reads nothing until it is replaced")
            } else if days < TOKEN_WARN_DAYS {
                (Severity::Warning, "renew it, or create a new one and point the exporter at it")
            } else {
                (Severity::Ok, "")
            };
            let what = format!("the exporter's API token (credential {credential}) expires");
            self.rows.push(Row {
                account_id: String::new(),
                account_name: None,
                certificate_set_uid: String::new(),
                slot: "token".into(),
                identity_providers: Vec::new(),
                not_after: Some(rfc3339(*expires_at as i64)),
                days_left: Some(days),
                state,
                note: if why.is_empty() { what } else { format!("{what}: {why}") },
                applications: None,
            });
        }
        self.regrade();
        self
    }
}

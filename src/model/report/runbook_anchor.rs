//! Which runbook section answers a report row: the anchor of the alert
//! that fires for the same thing (the lower-cased alert name, as every
//! rule's `runbook_url` ends), so the status page links to the same
//! sections as the alerts and the calendar. `None` for a row that needs
//! nothing.

use crate::model::report::{Row, Severity};

impl Row {
    /// The runbook anchor for this row, when it needs a person.
    pub fn runbook_anchor(&self) -> Option<&'static str> {
        if self.state == Severity::Ok {
            return None;
        }
        let has = |text: &str| self.note.contains(text);
        let expired = self.days_left.is_some_and(|d| d <= 0.0);
        let critical = self.state == Severity::Critical;
        Some(match self.slot.as_str() {
            "current" if has("PEM unreadable") => "cloudflaresamlcertificateunreadable",
            "current" if expired => "cloudflaresamlcertificateexpired",
            "current" if critical => "cloudflaresamlcertificateexpiringsoon",
            "current" if has("rotation overdue") => "cloudflaresamlcertificaterotationoverdue",
            "current" if has("not_after differs") => "cloudflaresamlcertificatenotaftermismatch",
            "previous" if self.days_left.is_some_and(|d| d < 7.0) => {
                "cloudflaresamlpreviouscertificateexpiringsoon"
            }
            "previous" => "cloudflaresamlrotationinprogress",
            "signing" if has("unreadable") => "cloudflaresamlidentityprovidersigningcertificateunreadable",
            "signing" if expired => "cloudflaresamlidentityprovidersigningcertificateexpired",
            "signing" if critical => "cloudflaresamlidentityprovidersigningcertificateexpiringsoon",
            "signing" => "cloudflaresamlidentityprovidersigningcertificateexpiring",
            "metadata" if has("mismatch:") => "cloudflaresamlidentityprovidersigningcertificatemismatch",
            "metadata" if has("rollover pending") => {
                "cloudflaresamlidentityprovidersigningcertificaterolloverpending"
            }
            "metadata" => "cloudflaresamlidentityprovidermetadataunreachable",
            "saas" if has("unreadable") => "cloudflaresamlsaasapplicationsigningcertificateunreadable",
            "saas" if expired => "cloudflaresamlsaasapplicationsigningcertificateexpired",
            "saas" if critical => "cloudflaresamlsaasapplicationsigningcertificateexpiringsoon",
            "saas" => "cloudflaresamlsaasapplicationsigningcertificateexpiring",
            "identity_provider" if has("encryption enabled") => {
                "cloudflaresamlencryptionwithoutcertificateset"
            }
            "identity_provider" => "cloudflaresamlidentityproviderwithoutcertificateset",
            "token" if expired => "cloudflaresamlexportertokeninactive",
            "token" => "cloudflaresamlexportertokenexpiring",
            "applications" => "cloudflaresamlexporterapplicationsunreadable",
            "account" => "cloudflaresamlexporterrefreshfailing",
            _ => return None,
        })
    }
}

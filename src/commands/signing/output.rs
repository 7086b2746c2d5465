//! What the `signing` commands show: a certificate as one line (subject,
//! expiry, SHA-256 fingerprint), the `signing sync` command line to
//! suggest, and how to verify a fingerprint with the identity provider's
//! administrator. Every value that comes from a certificate, Cloudflare or
//! a metadata document is escaped before a terminal sees it. No I/O.

use std::path::PathBuf;

use reqwest::Url;
use serde::Serialize;

use crate::clock::format_rfc3339;
use crate::commands::encryption::output::command_line;
use crate::model::inspect::CertificateFacts;
use crate::printable::printable;

/// One certificate as the commands show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateLine {
    /// The subject DN.
    pub subject: String,
    /// Expiry, RFC 3339.
    pub not_after: String,
    /// SHA-256 of the DER, lower-case hex.
    pub sha256_fingerprint: String,
}

impl CertificateLine {
    /// The line of `facts`.
    pub fn new(facts: &CertificateFacts) -> Self {
        Self {
            subject: facts.subject.clone(),
            not_after: format_rfc3339(facts.not_after),
            sha256_fingerprint: facts.sha256_fingerprint.clone(),
        }
    }

    /// The lines of `certificates`.
    pub fn all<'a>(certificates: impl IntoIterator<Item = &'a CertificateFacts>) -> Vec<Self> {
        certificates.into_iter().map(Self::new).collect()
    }

    /// `SUBJECT  expires DATE  sha256 HEX`, escaped.
    pub fn text(&self) -> String {
        let subject = if self.subject.is_empty() { "(no subject)" } else { self.subject.as_str() };
        format!("{}  expires {}  sha256 {}", printable(subject), self.not_after, self.sha256_fingerprint)
    }
}

/// What the suggested command lines need besides the entry: where the
/// API, the configuration and the metadata CA are.
#[derive(Debug, Clone)]
pub struct Suggestions {
    /// `--api-base-url`.
    pub base_url: Url,
    /// `--config.file`.
    pub config_file: PathBuf,
    /// `--idp-metadata.ca-file`, when given.
    pub ca_file: Option<PathBuf>,
}

impl Suggestions {
    /// `signing sync` for one identity provider, with `flags` (`--apply`,
    /// `--prune`, `--force`) appended.
    pub fn sync(&self, account_id: &str, identity_provider_id: &str, flags: &str) -> String {
        self.signing(&format!(
            "sync --account-id {account_id} --identity-provider {} {flags}",
            shell_word(identity_provider_id)
        ))
    }

    /// `signing plan`.
    pub fn plan(&self) -> String {
        self.signing("plan")
    }

    fn signing(&self, words: &str) -> String {
        let mut line = format!(
            "signing {} --config.file {}",
            words.trim_end(),
            shell_word(&self.config_file.display().to_string())
        );
        if let Some(ca_file) = &self.ca_file {
            line.push_str(&format!(" --idp-metadata.ca-file {}", shell_word(&ca_file.display().to_string())));
        }
        command_line(&self.base_url, &line)
    }
}

/// How to make sure a certificate is the identity provider's own before
/// trusting it, for a mismatch.
pub fn verify_advice(added: &[CertificateLine]) -> String {
    let fingerprints: Vec<String> =
        added.iter().map(|c| format!("{} ({})", c.sha256_fingerprint, printable(&c.subject))).collect();
    format!(
        "ask the identity provider's administrator to read out the SHA-256 fingerprint of the signing \
         certificate from the IdP's own console (not from the metadata URL) and check that it is {}",
        fingerprints.join(" or ")
    )
}

/// `text` quoted for a POSIX shell when it holds anything but plain
/// path characters.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_' | ':' | '+' | '='));
    if plain { text.to_owned() } else { format!("'{}'", printable(&text.replace('\'', r"'\''"))) }
}

#[cfg(test)]
mod tests;

//! What the `encryption` commands show: a set and its certificates, the
//! request a dry run would send, the commands and the hand-made change to
//! suggest, aligned tables, and JSON. No I/O beyond printing.

use crate::printable::{printable, printable_lines};
use std::fmt::Write as _;

use reqwest::Url;
use serde::Serialize;

use crate::cli::DEFAULT_API_BASE_URL;
use crate::clock::days_until;
use crate::clock::{format_rfc3339, parse_rfc3339};
use crate::cloudflare::client::api_url;
use crate::cloudflare::wire::{ApiMessage, Certificate, CertificateSet};
use crate::commands::encryption::EncryptionError;
use crate::model::inspect::inspect_pem;

/// A request as a dry run shows it (credentials are never shown).
#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    /// `POST` or `PUT`.
    pub method: &'static str,
    /// The full URL.
    pub url: String,
}

impl RequestView {
    /// A POST without a body to `path` under `base_url`.
    pub fn post(base_url: &Url, path: &str) -> Self {
        Self { method: "POST", url: api_url(base_url, path) }
    }

    /// A PUT of a JSON body to `path` under `base_url`.
    pub fn put(base_url: &Url, path: &str) -> Self {
        Self { method: "PUT", url: api_url(base_url, path) }
    }
}

/// One certificate of a set, with what its PEM says.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateView {
    /// The certificate's UID.
    pub uid: Option<String>,
    /// Expiry (RFC 3339): the certificate's own, else the API's.
    pub not_after: Option<String>,
    /// Days until `not_after` (negative once expired).
    pub days_left: Option<f64>,
    /// SHA-256 of the DER, to compare with what the external IdP holds.
    pub sha256_fingerprint: Option<String>,
    /// Why the PEM does not parse, when it does not.
    pub parse_error: Option<String>,
    /// The PEM, as Cloudflare sent it.
    pub public_certificate: Option<String>,
}

impl CertificateView {
    /// `None` for a missing certificate and for `{}`.
    pub fn new(cert: Option<&Certificate>, now: i64) -> Option<Self> {
        let cert = cert.filter(|c| !c.is_empty())?;
        let inspected = inspect_pem(cert.public_certificate.as_deref().unwrap_or(""));
        let not_after = match &inspected {
            Ok(facts) => Some(facts.not_after),
            Err(_) => cert.not_after.as_deref().and_then(parse_rfc3339),
        };
        Some(Self {
            uid: cert.uid.clone(),
            not_after: not_after.map(format_rfc3339),
            days_left: not_after.map(|t| (days_until(t as f64, now as f64) * 10.0).round() / 10.0),
            sha256_fingerprint: inspected.as_ref().ok().map(|f| f.sha256_fingerprint.clone()),
            parse_error: inspected.as_ref().err().map(ToString::to_string),
            public_certificate: cert.public_certificate.clone(),
        })
    }

    /// e.g. `2027-05-07T19:11:00Z (365.0 days left)`.
    pub fn expiry_text(&self) -> String {
        match (&self.not_after, self.days_left) {
            (Some(at), Some(days)) if days < 0.0 => format!("{at} (expired {:.1} days ago)", -days),
            (Some(at), Some(days)) => format!("{at} ({days:.1} days left)"),
            _ => "an unknown time".to_owned(),
        }
    }
}

/// A certificate set as the commands show it.
#[derive(Debug, Clone, Serialize)]
pub struct SetView {
    /// The set's UID.
    pub uid: String,
    /// When the set last changed.
    pub updated_at: Option<String>,
    /// The certificate Cloudflare encrypts with now.
    pub current: Option<CertificateView>,
    /// The certificate kept during a rotation.
    pub previous: Option<CertificateView>,
}

impl SetView {
    /// The view of a set read from the API at `now`.
    pub fn new(set: &CertificateSet, now: i64) -> Self {
        Self {
            uid: set.uid.clone(),
            updated_at: set.updated_at.clone(),
            current: CertificateView::new(set.current_certificate.certificate(), now),
            previous: CertificateView::new(set.previous_certificate.certificate(), now),
        }
    }

    /// Lines for people: each slot's UID, expiry and fingerprint, then the
    /// current PEM.
    pub fn text(&self) -> String {
        // Every value here is Cloudflare's: escaped before a terminal sees it.
        let mut out = format!("Certificate set {}\n", printable(&self.uid));
        for (slot, cert) in [("current", &self.current), ("previous", &self.previous)] {
            let _ = match cert {
                Some(c) => writeln!(
                    out,
                    "  {slot:<8}  {}  expires {}  sha256 {}",
                    printable(c.uid.as_deref().unwrap_or("-")),
                    printable(&c.expiry_text()),
                    c.sha256_fingerprint.as_deref().or(c.parse_error.as_deref()).unwrap_or("-"),
                ),
                None => writeln!(out, "  {slot:<8}  none"),
            };
        }
        if let Some(pem) = self.current.as_ref().and_then(|c| c.public_certificate.as_deref()) {
            let pem = printable_lines(pem);
            let _ = write!(out, "\nCurrent public certificate (load this into the external IdP):\n{pem}");
            if !pem.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }
}

/// A command line to suggest; `--api-base-url` is added when it is not
/// Cloudflare's, so the line works as printed.
pub fn suggest(base_url: &Url, subcommand: &str, args: &str) -> String {
    command_line(base_url, &format!("encryption {subcommand} {args}"))
}

/// `cloudflare-saml-exporter WORDS`, with `--api-base-url` added when it is
/// not Cloudflare's, so the line works as printed.
pub fn command_line(base_url: &Url, words: &str) -> String {
    let mut line = format!("cloudflare-saml-exporter {words}");
    if base_url.as_str().trim_end_matches('/') != DEFAULT_API_BASE_URL {
        let _ = write!(line, " --api-base-url {}", base_url.as_str().trim_end_matches('/'));
    }
    line
}

/// The step that turns encryption on for an IdP: `encryption enable`, which
/// sends the IdP back exactly as read but for the two fields.
pub fn enable_encryption_change(base_url: &Url, account_id: &str, idp_id: &str, set_uid: &str) -> String {
    let enable = suggest(
        base_url,
        "enable",
        &format!(
            "--account-id {account_id} --identity-provider {idp_id} --certificate-set {set_uid} --apply"
        ),
    );
    format!(
        "enable encryption on identity provider {idp_id} (config.enable_encryption: true and \
         saml_certificate_set_id: \"{set_uid}\", every other field sent back as read):\n    {enable}"
    )
}

/// The step that loads a set's current certificate into the external IdP.
pub fn load_pem_step(base_url: &Url, account_id: &str, set_uid: &str) -> String {
    let pem = suggest(base_url, "pem", &format!("--account-id {account_id} --certificate-set {set_uid}"));
    format!(
        "load the set's current public certificate into the external IdP as its encryption certificate, \
         then test a login:\n    {pem} > cloudflare-saml-{set_uid}.pem"
    )
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl Serialize) -> Result<(), EncryptionError> {
    println!("{}", serde_json::to_string_pretty(value).map_err(EncryptionError::Output)?);
    Ok(())
}

/// The JSON document of a failed or refused command.
#[derive(Debug, Serialize)]
pub struct FailureView<'a> {
    /// e.g. `rotate`.
    pub command: &'a str,
    /// `refused` (exit 3) or `failed` (exit 2).
    pub status: &'static str,
    /// The process exit code.
    pub exit_code: u8,
    /// The message also printed on stderr.
    pub error: String,
    /// Cloudflare's own codes and messages, when it answered.
    pub cloudflare_errors: &'a [ApiMessage],
}

#[cfg(test)]
mod tests;

//! What `signing sync` changes, as pure code: which entries of
//! `config.idp_public_certs` stay, which go (only with `--prune`), which
//! published certificates are appended, and the PUT body, which is the
//! identity provider exactly as read but for that one list.
//!
//! Existing entries are kept byte for byte (as the JSON values read, not
//! re-encoded), in their order, unreadable ones included; new certificates
//! are appended as PEM. Pruning removes only an entry that reads cleanly
//! and holds no published certificate, and never leaves the list without
//! a published certificate (nor empty).

use serde_json::Value;

use crate::model::drift::{Drift, compare};
use crate::model::idp_metadata::MetadataCertificate;
use crate::model::inspect::CertificateFacts;
use crate::model::signing::{SigningCertificates, SigningParseError, parse_entry};

/// One entry of `config.idp_public_certs` as read, and what becomes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its 0-based index in the list read.
    pub position: usize,
    /// The certificates it holds.
    pub certificates: Vec<CertificateFacts>,
    /// Why it (or one of its PEM blocks) does not read; `None`: it reads cleanly.
    pub error: Option<SigningParseError>,
    /// It holds a certificate the metadata publishes.
    pub published: bool,
    /// `--prune` removes it.
    pub removed: bool,
}

/// The change to one identity provider's signing certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Every entry read, in order.
    pub entries: Vec<Entry>,
    /// The published certificates Cloudflare lacks, in document order:
    /// appended.
    pub added: Vec<MetadataCertificate>,
    /// Published against held, before the change.
    pub drift: Drift,
}

impl Edit {
    /// Whether anything changes (otherwise nothing is sent).
    pub fn changes(&self) -> bool {
        !self.added.is_empty() || self.entries.iter().any(|e| e.removed)
    }

    /// The list after the change: the entries kept, exactly as `read`,
    /// then the added certificates as PEM.
    pub fn certificates_after(&self, read: &[Value]) -> Vec<Value> {
        let kept = self.entries.iter().filter(|e| !e.removed).filter_map(|e| read.get(e.position)).cloned();
        kept.chain(self.added.iter().map(|c| Value::String(c.pem.clone()))).collect()
    }
}

/// `config.idp_public_certs` of an identity provider read as JSON (empty
/// when it has none).
pub fn certificates_read(identity_provider: &Value) -> Vec<Value> {
    identity_provider
        .pointer("/config/idp_public_certs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// What syncing `read` (the entries of `idp_public_certs`) with
/// `published` changes; `prune` also removes what is no longer published.
pub fn plan_edit(read: &[Value], published: &[MetadataCertificate], prune: bool) -> Edit {
    let texts: Vec<Option<String>> = read.iter().map(|v| v.as_str().map(str::to_owned)).collect();
    let held = SigningCertificates::parse(&texts);
    let published_facts: Vec<CertificateFacts> = published.iter().map(|c| c.facts.clone()).collect();
    let drift = compare(&published_facts, &held.certificates);
    let is_published =
        |c: &CertificateFacts| published.iter().any(|p| p.facts.sha256_fingerprint == c.sha256_fingerprint);
    let mut entries: Vec<Entry> = texts
        .iter()
        .enumerate()
        .map(|(position, text)| {
            let parsed = parse_entry(text.as_deref().unwrap_or(""));
            let error = match text {
                Some(_) => parsed.error,
                None => Some(SigningParseError::NoCertificate),
            };
            let holds_published = parsed.certificates.iter().any(is_published);
            let readable = error.is_none() && !parsed.certificates.is_empty();
            Entry {
                position,
                removed: prune && readable && !holds_published,
                published: holds_published,
                certificates: parsed.certificates,
                error,
            }
        })
        .collect();
    let added: Vec<MetadataCertificate> = drift
        .to_add
        .iter()
        .filter_map(|facts| published.iter().find(|p| p.facts.sha256_fingerprint == facts.sha256_fingerprint))
        .cloned()
        .collect();
    // What remains must still hold a published certificate: otherwise
    // nothing is pruned (with anything published, this cannot happen, as
    // every published certificate is kept or added).
    let remains_published = !added.is_empty() || entries.iter().any(|e| !e.removed && e.published);
    if !remains_published {
        entries.iter_mut().for_each(|e| e.removed = false);
    }
    Edit { entries, added, drift }
}

/// The identity provider as `read`, with `config.idp_public_certs`
/// replaced by `certificates`; every other field as it was.
pub fn with_certificates(read: &Value, certificates: Vec<Value>) -> Value {
    let mut updated = read.clone();
    if let Some(object) = updated.as_object_mut() {
        let config = object.entry("config").or_insert_with(|| Value::Object(Default::default()));
        if let Some(config) = config.as_object_mut() {
            config.insert("idp_public_certs".to_owned(), Value::Array(certificates));
        }
    }
    updated
}

#[cfg(test)]
mod tests;

//! Every deadline that needs a person, as an RFC 5545 calendar (served at
//! `/calendar.ics`, printed by `check --output ics`): one all-day event per
//! dated action — Cloudflare's automatic rotation of each current
//! encryption certificate, the hand-over deadline of each previous one,
//! the expiry of each identity provider's signing certificate and of each
//! SAML SaaS application's Cloudflare signing certificate, and the
//! exporter's own token expiry.
//!
//! Each event's `UID` is a hash of only what identifies the action (the
//! account, the set, IdP or application, the certificate, the kind), never
//! of a date or the time of rendering: a calendar that imports the file
//! again, or after a restart, updates its events instead of adding copies.
//! Pure code: the state, the token expiries and the time come in as
//! arguments; the text format is [`ics`].

pub mod ics;

use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};

use crate::clock::format_rfc3339;
use crate::model::inventory::{AccountInventory, CertificateRecord, Slot};
use crate::model::state::StateSnapshot;
use crate::printable::printable;

/// How long before a current encryption certificate expires Cloudflare
/// rotates it (Cloudflare's documented schedule).
pub const ROTATION_LEAD_SECONDS: i64 = 30 * 86_400;

/// The domain part of every event's `UID`.
pub const UID_DOMAIN: &str = "cloudflare-saml-exporter";

/// What a dated action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeadlineKind {
    /// Cloudflare rotates a current encryption certificate.
    Rotation,
    /// A previous encryption certificate expires: the hand-over deadline.
    HandOver,
    /// An identity provider's signing certificate expires.
    IdentityProviderSigning,
    /// Cloudflare's signing certificate of a SAML SaaS application expires.
    SaasSigning,
    /// The exporter's API token expires.
    Token,
}

impl DeadlineKind {
    /// The name hashed into the `UID`; never to change, or every
    /// subscriber gets each event twice.
    fn key(self) -> &'static str {
        match self {
            Self::Rotation => "rotation",
            Self::HandOver => "hand-over",
            Self::IdentityProviderSigning => "identity-provider-signing-expiry",
            Self::SaasSigning => "saas-signing-expiry",
            Self::Token => "token-expiry",
        }
    }

    /// The runbook section (the lower-cased alert name, as the alert
    /// rules' `runbook_url` anchors are).
    pub fn runbook_anchor(self) -> &'static str {
        match self {
            Self::Rotation => "cloudflaresamlrotationinprogress",
            Self::HandOver => "cloudflaresamlpreviouscertificateexpiringsoon",
            Self::IdentityProviderSigning => "cloudflaresamlidentityprovidersigningcertificateexpiring",
            Self::SaasSigning => "cloudflaresamlsaasapplicationsigningcertificateexpiring",
            Self::Token => "cloudflaresamlexportertokenexpiring",
        }
    }

    /// What someone has to do about it.
    fn advice(self) -> &'static str {
        match self {
            Self::Rotation => {
                "after the rotation, load the set's new current certificate (`encryption pem`) into every \
                 identity provider named here, before the certificate rotated out expires; if the set is \
                 not rotating by then, Cloudflare's rotation is overdue"
            }
            Self::HandOver => {
                "every identity provider named here must hold the set's current certificate by this day: \
                 after it, assertions encrypted with the previous one cannot be decrypted and logins fail"
            }
            Self::IdentityProviderSigning => {
                "paste the identity provider's next signing certificate into Cloudflare before this day, \
                 next to this one; remove this one once the IdP signs with the next"
            }
            Self::SaasSigning => {
                "give the service provider Access's new signing certificate of this application before \
                 this day"
            }
            Self::Token => {
                "roll the exporter's Cloudflare API token (same permissions) and update its secret before \
                 this day: without a valid token the exporter reads nothing and every alert goes blind"
            }
        }
    }
}

/// One dated action: one event of the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// What it is.
    pub kind: DeadlineKind,
    /// When it falls due, Unix seconds (the event is that UTC day).
    pub at: i64,
    /// The event's stable `UID`.
    pub uid: String,
    /// The account, for all but the token.
    pub account_id: Option<String>,
    /// One line saying what happens.
    pub summary: String,
    /// The facts behind it, one line each (API text, not yet escaped).
    pub facts: Vec<String>,
}

/// What the calendar needs besides the state (which also gives the
/// accounts' names).
#[derive(Debug)]
pub struct CalendarContext<'a> {
    /// Now, Unix seconds: the events' `DTSTAMP`.
    pub now: i64,
    /// The runbook's URL; each event links to its section (`#anchor`).
    /// Empty: no links.
    pub runbook_base: &'a str,
    /// Each credential's token expiry (Unix seconds), when known.
    pub tokens: &'a [(String, f64)],
}

/// The calendar of `state` as RFC 5545 text.
pub fn render(state: &StateSnapshot, context: &CalendarContext<'_>) -> String {
    let deadlines = deadlines(state, context.tokens);
    let mut out = String::with_capacity(600 + deadlines.len() * 900);
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//cloudflare-saml-exporter//SAML certificate deadlines//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Cloudflare Access SAML deadlines",
        "X-WR-CALDESC:Rotations and expiries of SAML certificates that need a person",
        // Subscribed calendars are read again this often (RFC 7986, and
        // the older name some clients still read).
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ] {
        ics::push_line(&mut out, line);
    }
    let stamp = ics::date_time(context.now);
    for deadline in &deadlines {
        event(&mut out, deadline, &stamp, state, context);
    }
    ics::push_line(&mut out, "END:VCALENDAR");
    out
}

fn event(
    out: &mut String,
    deadline: &Deadline,
    stamp: &str,
    state: &StateSnapshot,
    context: &CalendarContext<'_>,
) {
    let Some(start) = ics::date(deadline.at) else { return };
    let end = ics::date(deadline.at.saturating_add(86_400)).unwrap_or_else(|| start.clone());
    let link = (!context.runbook_base.is_empty()).then(|| {
        format!("{}#{}", context.runbook_base.trim_end_matches('#'), deadline.kind.runbook_anchor())
    });
    let mut description = Vec::with_capacity(deadline.facts.len() + 3);
    if let Some(account) = &deadline.account_id {
        description.push(match state.account(account).and_then(|status| status.name.as_deref()) {
            Some(name) => format!("Account: {name} ({account})"),
            None => format!("Account: {account}"),
        });
    }
    description.extend(deadline.facts.iter().cloned());
    description.push(format!("What to do: {}", deadline.kind.advice()));
    if let Some(link) = &link {
        description.push(format!("Runbook: {link}"));
    }
    // Each line loses its control characters on its own: the line breaks
    // between them are ours and must stay breaks.
    let description: Vec<String> = description.iter().map(|l| printable(l).into_owned()).collect();
    let summary = ics::escape_text(&printable(&deadline.summary));
    let lines = [
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", deadline.uid),
        format!("DTSTAMP:{stamp}"),
        format!("DTSTART;VALUE=DATE:{start}"),
        format!("DTEND;VALUE=DATE:{end}"),
        format!("SUMMARY:{summary}"),
        format!("DESCRIPTION:{}", ics::escape_text(&description.join("\n"))),
    ];
    for line in &lines {
        ics::push_line(out, line);
    }
    if let Some(link) = &link {
        // A URI value, not TEXT: written as is.
        ics::push_line(out, &format!("URL:{}", printable(link)));
    }
    for line in ["SEQUENCE:0", "TRANSP:TRANSPARENT", "BEGIN:VALARM", "ACTION:DISPLAY"] {
        ics::push_line(out, line);
    }
    ics::push_line(out, &format!("DESCRIPTION:{summary}"));
    for line in ["TRIGGER:-P1D", "END:VALARM", "END:VEVENT"] {
        ics::push_line(out, line);
    }
}

/// Every dated action of `state` and of the token expiries, by day, then by `UID`.
pub fn deadlines(state: &StateSnapshot, tokens: &[(String, f64)]) -> Vec<Deadline> {
    let mut all = Vec::new();
    for (account_id, status) in &state.accounts {
        if let Some(inventory) = status.inventory.as_deref() {
            encryption(account_id, inventory, &mut all);
            signing(account_id, inventory, &mut all);
        }
        let applications = status.applications.as_ref().and_then(|a| a.inventory.as_deref());
        for (app, certificate) in applications.into_iter().flat_map(|a| a.saas_signing()) {
            let Ok(facts) = certificate else { continue };
            let name = if app.name.is_empty() { app.id.clone() } else { app.name.clone() };
            let mut lines = vec![format!("Application: {name} ({})", app.id)];
            if !app.domain.is_empty() {
                lines.push(format!("Domain: {}", app.domain));
            }
            lines.push(certificate_line(&facts.sha256_fingerprint, facts.not_after));
            all.push(Deadline {
                kind: DeadlineKind::SaasSigning,
                at: facts.not_after,
                uid: uid(DeadlineKind::SaasSigning, &[account_id, &app.id, &facts.sha256_fingerprint]),
                account_id: Some(account_id.clone()),
                summary: format!(
                    "Cloudflare Access's SAML signing certificate of SaaS application {name} expires"
                ),
                facts: lines,
            });
        }
    }
    for (credential, expires_at) in tokens {
        if !expires_at.is_finite() {
            continue;
        }
        let at = *expires_at as i64;
        all.push(Deadline {
            kind: DeadlineKind::Token,
            at,
            uid: uid(DeadlineKind::Token, &[credential]),
            account_id: None,
            summary: format!("The exporter's Cloudflare API token (credential {credential}) expires"),
            facts: vec![format!("Credential: {credential}"), format!("Expires: {}", format_rfc3339(at))],
        });
    }
    all.retain(|d| ics::date(d.at).is_some());
    all.sort_by(|a, b| a.at.div_euclid(86_400).cmp(&b.at.div_euclid(86_400)).then_with(|| a.uid.cmp(&b.uid)));
    all
}

/// The rotation of each current certificate and the hand-over deadline of
/// each previous one.
fn encryption(account_id: &str, inventory: &AccountInventory, all: &mut Vec<Deadline>) {
    for set in &inventory.sets {
        let idps = if set.identity_providers.is_empty() {
            "no identity provider".to_owned()
        } else {
            set.identity_providers.join(", ")
        };
        for cert in &set.certificates {
            let Some(not_after) = cert.not_after() else { continue };
            let (kind, at, summary) = match cert.slot {
                Slot::Current => (
                    DeadlineKind::Rotation,
                    not_after.saturating_sub(ROTATION_LEAD_SECONDS),
                    format!("Cloudflare rotates the SAML encryption certificate of set {} ({idps})", set.uid),
                ),
                Slot::Previous => (
                    DeadlineKind::HandOver,
                    not_after,
                    format!(
                        "Hand-over deadline: the previous SAML encryption certificate of set {} expires ({idps})",
                        set.uid
                    ),
                ),
            };
            let identity = certificate_identity(cert);
            let mut facts =
                vec![format!("Certificate set: {}", set.uid), format!("Identity providers: {idps}")];
            let named = cert.uid.as_deref().unwrap_or("(no uid)");
            let fingerprint = match &cert.inspection {
                Ok(facts) => format!(" (SHA-256 {})", facts.sha256_fingerprint),
                Err(_) => String::new(),
            };
            let slot = if cert.slot == Slot::Current { "Current" } else { "Previous" };
            facts.push(format!(
                "{slot} certificate {named}{fingerprint}: expires {}",
                format_rfc3339(not_after)
            ));
            all.push(Deadline {
                kind,
                at,
                uid: uid(kind, &[account_id, &set.uid, identity]),
                account_id: Some(account_id.to_owned()),
                summary,
                facts,
            });
        }
    }
}

/// The expiry of each identity provider's signing certificates.
fn signing(account_id: &str, inventory: &AccountInventory, all: &mut Vec<Deadline>) {
    for idp in &inventory.identity_providers {
        let name = if idp.name.is_empty() { idp.id.clone() } else { idp.name.clone() };
        let latest = idp.signing.latest_not_after();
        for cert in &idp.signing.certificates {
            let mut facts = vec![
                format!("Identity provider: {name} ({})", idp.id),
                format!("Subject: {}", cert.subject),
                certificate_line(&cert.sha256_fingerprint, cert.not_after),
            ];
            if latest.is_some_and(|latest| latest > cert.not_after) {
                facts.push(
                    "A later signing certificate is listed (rollover): logins keep working once this one \
                     has expired and it can be removed"
                        .to_owned(),
                );
            }
            let kind = DeadlineKind::IdentityProviderSigning;
            all.push(Deadline {
                kind,
                at: cert.not_after,
                uid: uid(kind, &[account_id, &idp.id, &cert.sha256_fingerprint]),
                account_id: Some(account_id.to_owned()),
                summary: format!("The SAML signing certificate of identity provider {name} expires"),
                facts,
            });
        }
    }
}

fn certificate_line(fingerprint: &str, not_after: i64) -> String {
    format!("Certificate (SHA-256 {fingerprint}): expires {}", format_rfc3339(not_after))
}

/// What names an encryption certificate for good: Cloudflare's UID, else
/// its fingerprint, else only its slot.
fn certificate_identity(cert: &CertificateRecord) -> &str {
    match (&cert.uid, &cert.inspection) {
        (Some(uid), _) => uid,
        (None, Ok(facts)) => &facts.sha256_fingerprint,
        (None, Err(_)) => cert.slot.label(),
    }
}

/// The `UID` of the action `kind` on `parts`: a hash, so that it carries
/// no API text and has a fixed length.
fn uid(kind: DeadlineKind, parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    hash.update(kind.key().as_bytes());
    for part in parts {
        // Length-prefixed, so that no two lists of parts hash alike.
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    format!("{}@{UID_DOMAIN}", HEXLOWER.encode(&digest[..16]))
}

#[cfg(test)]
mod tests;

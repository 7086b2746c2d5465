//! An identity provider's published SAML 2.0 metadata, read for the
//! certificates it signs with: bytes in, the chosen entity's distinct signing
//! certificates out, each through the same [`inspect_der`] as every other
//! certificate. Pure code: no I/O, no clock; fetching the document is the
//! caller's job (with [`check_size`] on the body first).
//!
//! What counts: the `X509Certificate`s under
//! `IDPSSODescriptor/KeyDescriptor/KeyInfo/X509Data` of the chosen
//! `EntityDescriptor`, where the `KeyDescriptor` has `use="signing"` or no
//! `use` (which means both uses). Keys of `SPSSODescriptor`s, of WS-Federation
//! `RoleDescriptor`s, of `AttributeAuthorityDescriptor`s, encryption keys and
//! the document's own enveloped `Signature` do not count. Elements are matched
//! on namespace URIs ([`SAML_METADATA_NS`], [`XMLDSIG_NS`]), never on prefixes,
//! so a default namespace, `md:`, both, or any other prefix read the same. A
//! UTF-8 BOM, CRLF, comments and certificate text wrapped at any width with
//! indentation are accepted. Each certificate in an `X509Data` counts (a chain
//! published there would count its CA too).
//!
//! Refused: more than [`MAX_METADATA_BYTES`], more than
//! [`MAX_METADATA_NODES`] nodes, text that is not UTF-8 or not well-formed XML,
//! any DTD (`<!DOCTYPE`, so no entity expansion: billion-laughs input fails at
//! once), a root that is not a metadata `EntityDescriptor` or
//! `EntitiesDescriptor`, and a signing certificate that does not decode: one
//! unreadable certificate fails the whole document ([`MetadataError::BadCertificate`])
//! rather than leaving it out, because the one left out may be the next
//! certificate of a rollover, and a partial set would compare as in sync.
//!
//! Errors hold no more than a clipped, escaped excerpt of the input.

use std::collections::HashSet;

use base64::Engine as _;
use roxmltree::{Document, Node, ParsingOptions};

use crate::model::inspect::{CertificateFacts, inspect_der};
use crate::model::signing::decode_base64;
use crate::printable::{clipped, printable};

/// The largest metadata document read, in bytes (10 MiB). An IdP's own
/// metadata is a few KiB to a few hundred; the limit leaves room for small
/// federation aggregates. Full interfederation aggregates (eduGAIN's is tens
/// of MiB) exceed it: read one entity from the federation's per-entity (MDQ)
/// service instead.
/// The fetcher checks a body against it with [`check_size`] before and while
/// reading it; [`signing_certificates`] checks again.
pub const MAX_METADATA_BYTES: usize = 10 * 1024 * 1024;

/// The most XML nodes (elements, text, comments) a document may have: a
/// bound on the tree's memory that well-formed documents under
/// [`MAX_METADATA_BYTES`] do not reach, short of padding.
pub const MAX_METADATA_NODES: u32 = 1_000_000;

/// The SAML 2.0 metadata namespace.
pub const SAML_METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";

/// The XML-Signature namespace (`KeyInfo`, `X509Data`, `X509Certificate`).
pub const XMLDSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Every [`MetadataError::reason`], for metric labels to be known up front.
pub const REASONS: [&str; 7] = [
    "too_large",
    "not_xml",
    "dtd",
    "not_metadata",
    "entity_not_found",
    "no_signing_certificate",
    "bad_certificate",
];

/// The most characters of a value from the document (or of the parser's
/// message about it) an error keeps.
const SHOWN_CHARS: usize = 120;

/// One entity's signing certificates, as its metadata publishes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataCertificates {
    /// The chosen `EntityDescriptor`'s `entityID`, trimmed.
    pub entity_id: String,
    /// The distinct signing certificates (by SHA-256 fingerprint), in
    /// document order; never empty.
    pub certificates: Vec<MetadataCertificate>,
}

/// One signing certificate from metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataCertificate {
    /// The certificate as PEM (`CERTIFICATE` block, 64-column lines, LF),
    /// as it would be pasted into Cloudflare.
    pub pem: String,
    /// What the certificate says about itself.
    pub facts: CertificateFacts,
}

/// Why a metadata document yielded no signing certificates; `reason()` is a
/// stable metric label, one of [`REASONS`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// More than [`MAX_METADATA_BYTES`].
    #[error("the metadata is {bytes} bytes, over the limit of {MAX_METADATA_BYTES}")]
    TooLarge {
        /// The body's size (or its announced size).
        bytes: u64,
    },
    /// More than [`MAX_METADATA_NODES`] nodes, attributes or namespaces.
    #[error("the metadata has more than {MAX_METADATA_NODES} XML nodes, attributes or namespaces")]
    TooManyNodes,
    /// Not UTF-8, or not well-formed XML.
    #[error("the metadata is not well-formed XML: {detail}")]
    NotXml {
        /// What was wrong and where (clipped, escaped).
        detail: String,
    },
    /// A `<!DOCTYPE`: DTDs are refused, entity expansion with them.
    #[error("the metadata has a DTD (<!DOCTYPE), which is refused")]
    Dtd,
    /// Well-formed XML whose root is not a SAML metadata `EntityDescriptor`
    /// or `EntitiesDescriptor` (a login page, an error document, ...).
    #[error(
        "the document's root element is {root}, not a SAML metadata EntityDescriptor or EntitiesDescriptor"
    )]
    NotMetadata {
        /// The root's name and namespace (clipped, escaped).
        root: String,
    },
    /// No `EntityDescriptor` with the wanted `entityID`, none at all, or
    /// several when none was named.
    #[error("{}", entity_not_found(.wanted, .entities))]
    EntityNotFound {
        /// The `entityID` asked for (clipped, escaped), if any.
        wanted: Option<String>,
        /// How many `EntityDescriptor`s the document holds.
        entities: usize,
    },
    /// The entity is not an identity provider (no `IDPSSODescriptor`), or its
    /// `IDPSSODescriptor` lists no signing certificate.
    #[error("{}", no_signing_certificate(.entity_id, .idp_descriptors))]
    NoSigningCertificate {
        /// The entity's `entityID` (clipped, escaped).
        entity_id: String,
        /// How many `IDPSSODescriptor`s it has.
        idp_descriptors: usize,
    },
    /// A signing certificate whose text is not base64 or whose content is
    /// not an X.509 certificate.
    #[error("signing certificate {position} of {entity_id} {problem}")]
    BadCertificate {
        /// The entity's `entityID` (clipped, escaped).
        entity_id: String,
        /// 1-based, among the signing certificates in document order.
        position: usize,
        /// `is empty`, `is not base64` or `is not an X.509 certificate`.
        problem: &'static str,
    },
}

impl MetadataError {
    /// The stable metric label, one of [`REASONS`].
    pub fn reason(&self) -> &'static str {
        match self {
            MetadataError::TooLarge { .. } | MetadataError::TooManyNodes => "too_large",
            MetadataError::NotXml { .. } => "not_xml",
            MetadataError::Dtd => "dtd",
            MetadataError::NotMetadata { .. } => "not_metadata",
            MetadataError::EntityNotFound { .. } => "entity_not_found",
            MetadataError::NoSigningCertificate { .. } => "no_signing_certificate",
            MetadataError::BadCertificate { .. } => "bad_certificate",
        }
    }
}

fn entity_not_found(wanted: &Option<String>, entities: &usize) -> String {
    match (wanted.as_deref(), *entities) {
        (_, 0) => "the metadata holds no EntityDescriptor".to_owned(),
        (Some(wanted), 1) => format!("the metadata's only EntityDescriptor is not entityID {wanted}"),
        (Some(wanted), n) => format!("none of the metadata's {n} EntityDescriptors has entityID {wanted}"),
        (None, n) => format!("the metadata holds {n} EntityDescriptors: name the entityID to read"),
    }
}

fn no_signing_certificate(entity_id: &str, idp_descriptors: &usize) -> String {
    if *idp_descriptors == 0 {
        format!("entity {entity_id} has no IDPSSODescriptor: it is not a SAML identity provider")
    } else {
        format!("the IDPSSODescriptor of {entity_id} lists no signing certificate")
    }
}

/// Refuses a body of `bytes` bytes over [`MAX_METADATA_BYTES`]: for the
/// fetcher, on the announced `Content-Length` and on what it has read so far.
pub fn check_size(bytes: u64) -> Result<(), MetadataError> {
    if bytes > MAX_METADATA_BYTES as u64 { Err(MetadataError::TooLarge { bytes }) } else { Ok(()) }
}

/// Reads `document` (SAML 2.0 metadata, UTF-8) and returns the signing
/// certificates of one entity's `IDPSSODescriptor`.
///
/// The entity is the `EntityDescriptor` whose `entityID` equals `entity_id`
/// (both trimmed, compared exactly), wherever it sits in nested
/// `EntitiesDescriptor`s; the first one if several match. With `entity_id`
/// `None` the document must hold exactly one `EntityDescriptor`.
pub fn signing_certificates(
    document: &[u8],
    entity_id: Option<&str>,
) -> Result<MetadataCertificates, MetadataError> {
    check_size(document.len() as u64)?;
    let text = std::str::from_utf8(document).map_err(|e| MetadataError::NotXml {
        detail: format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
    })?;
    let options =
        ParsingOptions { allow_dtd: false, nodes_limit: MAX_METADATA_NODES, ..ParsingOptions::default() };
    let tree = Document::parse_with_options(text, options).map_err(xml_error)?;
    let entities = entity_descriptors(tree.root_element())?;
    let entity = choose_entity(&entities, entity_id)?;
    let chosen_id = entity.attribute("entityID").unwrap_or("").trim();
    read_certificates(entity, chosen_id)
        .map(|certificates| MetadataCertificates { entity_id: chosen_id.to_owned(), certificates })
}

fn xml_error(error: roxmltree::Error) -> MetadataError {
    use roxmltree::Error;
    match error {
        Error::DtdDetected => MetadataError::Dtd,
        Error::NodesLimitReached | Error::AttributesLimitReached | Error::NamespacesLimitReached => {
            MetadataError::TooManyNodes
        }
        other => MetadataError::NotXml { detail: shown(&other.to_string()) },
    }
}

/// Every `EntityDescriptor` of the document in document order: the root
/// itself, or those inside the root `EntitiesDescriptor` at any depth.
fn entity_descriptors<'a, 'input>(root: Node<'a, 'input>) -> Result<Vec<Node<'a, 'input>>, MetadataError> {
    if is(root, SAML_METADATA_NS, "EntityDescriptor") {
        return Ok(vec![root]);
    }
    if !is(root, SAML_METADATA_NS, "EntitiesDescriptor") {
        let name = root.tag_name();
        let root = match name.namespace() {
            Some(namespace) => format!("{} in namespace {}", shown(name.name()), shown(namespace)),
            None => format!("{} without a namespace", shown(name.name())),
        };
        return Err(MetadataError::NotMetadata { root });
    }
    // A stack of sibling iterators rather than recursion: document order,
    // and no nesting depth can overflow our stack.
    let mut entities = Vec::new();
    let mut groups = vec![root.children()];
    while let Some(siblings) = groups.last_mut() {
        match siblings.next() {
            None => {
                groups.pop();
            }
            Some(child) if is(child, SAML_METADATA_NS, "EntityDescriptor") => entities.push(child),
            Some(child) if is(child, SAML_METADATA_NS, "EntitiesDescriptor") => groups.push(child.children()),
            Some(_) => {}
        }
    }
    Ok(entities)
}

fn choose_entity<'a, 'input>(
    entities: &[Node<'a, 'input>],
    wanted: Option<&str>,
) -> Result<Node<'a, 'input>, MetadataError> {
    let found = match wanted {
        Some(wanted) => {
            let wanted = wanted.trim();
            entities.iter().find(|e| e.attribute("entityID").map(str::trim) == Some(wanted))
        }
        None if entities.len() == 1 => entities.first(),
        None => None,
    };
    found.copied().ok_or_else(|| MetadataError::EntityNotFound {
        wanted: wanted.map(|w| shown(w.trim())),
        entities: entities.len(),
    })
}

/// The distinct signing certificates of `entity`'s `IDPSSODescriptor`s.
fn read_certificates(
    entity: Node<'_, '_>,
    entity_id: &str,
) -> Result<Vec<MetadataCertificate>, MetadataError> {
    let descriptors: Vec<Node<'_, '_>> =
        entity.children().filter(|n| is(*n, SAML_METADATA_NS, "IDPSSODescriptor")).collect();
    let texts = descriptors
        .iter()
        .flat_map(|d| d.children())
        .filter(|n| is(*n, SAML_METADATA_NS, "KeyDescriptor"))
        .filter(|key| matches!(key.attribute("use").map(str::trim), None | Some("signing")))
        .flat_map(|key| elements(key, "KeyInfo"))
        .flat_map(|info| elements(info, "X509Data"))
        .flat_map(|data| elements(data, "X509Certificate"));
    let mut seen = HashSet::new();
    let mut certificates = Vec::new();
    for (index, element) in texts.enumerate() {
        let bad = |problem| MetadataError::BadCertificate {
            entity_id: shown(entity_id),
            position: index + 1,
            problem,
        };
        // Every text piece: a comment inside the element splits the text.
        let text: String = element.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
        if text.trim().is_empty() {
            return Err(bad("is empty"));
        }
        let der = decode_base64(&text).ok_or_else(|| bad("is not base64"))?;
        let facts = inspect_der(&der).map_err(|_| bad("is not an X.509 certificate"))?;
        if seen.insert(facts.sha256_fingerprint.clone()) {
            certificates.push(MetadataCertificate { pem: pem(&der), facts });
        }
    }
    if certificates.is_empty() {
        return Err(MetadataError::NoSigningCertificate {
            entity_id: shown(entity_id),
            idp_descriptors: descriptors.len(),
        });
    }
    Ok(certificates)
}

/// The XML-Signature child elements of `parent` named `name`.
fn elements<'a, 'input>(
    parent: Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    parent.children().filter(move |n| is(*n, XMLDSIG_NS, name))
}

fn is(node: Node<'_, '_>, namespace: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(namespace)
}

/// `der` as a PEM `CERTIFICATE` block with 64-column lines.
fn pem(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::with_capacity(body.len() + body.len() / 64 + 60);
    out.push_str("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        // Base64 is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// A value from the document, clipped and with its controls escaped, for an
/// error message.
fn shown(text: &str) -> String {
    printable(&clipped(text, SHOWN_CHARS)).into_owned()
}

#[cfg(test)]
mod tests;

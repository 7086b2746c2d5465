//! The Cloudflare v4 wire format: the response envelope, modelled once, and the
//! few resources the exporter reads. Every field the API may leave out is an
//! `Option`; turning these into facts (and deciding what a missing field
//! means) is `inventory`'s job, not this module's.

use serde::{Deserialize, Serialize};

/// The v4 envelope around every response.
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    /// Whether Cloudflare considers the call successful.
    pub success: bool,
    /// Errors, filled when `success` is false.
    #[serde(default)]
    pub errors: Vec<ApiMessage>,
    /// The payload; null on failure.
    pub result: Option<T>,
    /// Pagination facts on list endpoints; any field may be absent.
    pub result_info: Option<ResultInfo>,
}

/// Decodes a list response body. Pure, so fuzzers and property tests can
/// drive it with arbitrary bytes.
pub fn decode_list<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<Envelope<Vec<T>>, serde_json::Error> {
    serde_json::from_slice(body)
}

/// One entry of `errors[]` or `messages[]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ApiMessage {
    /// Cloudflare's error code (>= 1000), e.g. 10000 for an authentication error.
    pub code: i64,
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
}

/// Pagination facts of a list response.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ResultInfo {
    /// The page this response holds (1-based).
    pub page: Option<u64>,
    /// The page size the server applied (it may cap what was asked for).
    pub per_page: Option<u64>,
    /// Items on this page.
    pub count: Option<u64>,
    /// Items in the whole list.
    pub total_count: Option<u64>,
    /// Pages in the whole list.
    pub total_pages: Option<u64>,
}

/// An account, as listed by `GET /accounts` (or read by `GET /accounts/{id}`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Account {
    /// The account ID.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// What `GET /user/tokens/verify` (or `/accounts/{id}/tokens/verify`) says
/// of the token that asked.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TokenVerification {
    /// The token's ID (not the secret).
    #[serde(default)]
    pub id: Option<String>,
    /// `active`, `disabled` or `expired`.
    pub status: String,
    /// When the token stops working (RFC 3339); absent when it never does.
    #[serde(default)]
    pub expires_on: Option<String>,
    /// When the token starts working (RFC 3339), if set.
    #[serde(default)]
    pub not_before: Option<String>,
}

/// A SAML encryption certificate set, as listed by
/// `GET /accounts/{id}/access/saml_certificates`. Serializable too: the
/// state file keeps these lists as the API sent them (see
/// `model::snapshot`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct CertificateSet {
    /// The set's UID.
    pub uid: String,
    /// When the set was last updated (RFC 3339), e.g. at rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The certificate Cloudflare encrypts with now.
    #[serde(default)]
    pub current_certificate: CertificateSlot,
    /// The certificate kept during a rotation; null, missing and `{}` all mean
    /// "no rotation" (the documented examples use `{}`). Cloudflare's schema
    /// leaves this field untyped, so any other value is kept as
    /// [`CertificateSlot::Malformed`] for this one set instead of failing
    /// the page.
    #[serde(default)]
    pub previous_certificate: CertificateSlot,
}

/// What a set's certificate field holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum CertificateSlot {
    /// Absent, `null` or an object without any certificate field (`{}`).
    #[default]
    Empty,
    /// A certificate object.
    Certificate(Certificate),
    /// Any other JSON value: its kind (`array`, `string`, `boolean`,
    /// `number`, or `object` with fields of the wrong type).
    Malformed(JsonKind),
}

/// The kind of a JSON value that is not a certificate object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// `[...]`.
    Array,
    /// `"..."`.
    String,
    /// `true` or `false`.
    Boolean,
    /// A number.
    Number,
    /// An object whose certificate fields have the wrong types.
    Object,
}

impl JsonKind {
    /// The kind's JSON name.
    pub fn name(self) -> &'static str {
        match self {
            JsonKind::Array => "array",
            JsonKind::String => "string",
            JsonKind::Boolean => "boolean",
            JsonKind::Number => "number",
            JsonKind::Object => "object",
        }
    }

    /// A small value of this kind that reads back as the same kind: what
    /// the state file keeps instead of the value itself, which may be large.
    fn placeholder(self) -> serde_json::Value {
        match self {
            JsonKind::Array => serde_json::json!([]),
            JsonKind::String => serde_json::json!(""),
            JsonKind::Boolean => serde_json::json!(false),
            JsonKind::Number => serde_json::json!(0),
            JsonKind::Object => serde_json::json!({"uid": false}),
        }
    }
}

impl CertificateSlot {
    /// True when no certificate and no malformed value is there.
    pub fn is_empty(&self) -> bool {
        matches!(self, CertificateSlot::Empty)
    }

    /// The certificate, when the slot holds one.
    pub fn certificate(&self) -> Option<&Certificate> {
        match self {
            CertificateSlot::Certificate(cert) => Some(cert),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for CertificateSlot {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        Ok(match Value::deserialize(deserializer)? {
            Value::Null => CertificateSlot::Empty,
            Value::Array(_) => CertificateSlot::Malformed(JsonKind::Array),
            Value::String(_) => CertificateSlot::Malformed(JsonKind::String),
            Value::Bool(_) => CertificateSlot::Malformed(JsonKind::Boolean),
            Value::Number(_) => CertificateSlot::Malformed(JsonKind::Number),
            object @ Value::Object(_) => match Certificate::deserialize(object) {
                Ok(cert) if cert.is_empty() => CertificateSlot::Empty,
                Ok(cert) => CertificateSlot::Certificate(cert),
                Err(_) => CertificateSlot::Malformed(JsonKind::Object),
            },
        })
    }
}

impl Serialize for CertificateSlot {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Cloudflare's documented examples write an empty slot as `{}`.
            CertificateSlot::Empty => serde_json::json!({}).serialize(serializer),
            CertificateSlot::Certificate(cert) => cert.serialize(serializer),
            CertificateSlot::Malformed(kind) => kind.placeholder().serialize(serializer),
        }
    }
}

/// One certificate of a set. All fields are optional so that `{}` parses.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Certificate {
    /// The certificate's UID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// PEM text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_certificate: Option<String>,
    /// Expiry as the API states it (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    /// Whether Cloudflare encrypts with this certificate now; it should
    /// agree with the field the certificate came in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_current: Option<bool>,
}

impl Certificate {
    /// True for `{}`: an object that carries no certificate at all.
    pub fn is_empty(&self) -> bool {
        self.uid.is_none() && self.public_certificate.is_none() && self.not_after.is_none()
    }
}

/// An Access identity provider, as listed by
/// `GET /accounts/{id}/access/identity_providers`. Only the fields read here
/// are kept, so serializing one (for the state file) never writes the
/// secrets other IdP types carry in their `config`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct IdentityProvider {
    /// The IdP's ID; optional in Cloudflare's own schema, and an IdP
    /// without one is skipped by the inventory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `saml`, `okta`, `azureAD`, ...; only `saml` matters here.
    #[serde(rename = "type")]
    pub kind: String,
    /// The type-specific configuration; only `enable_encryption`,
    /// `idp_public_certs` and `issuer_url` are read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<IdentityProviderConfig>,
    /// The set used to encrypt assertions, when one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_certificate_set_id: Option<String>,
    /// The assigned set, embedded. Cloudflare documents it as present
    /// whenever a set is assigned, while `saml_certificate_set_id` is only
    /// promised once encryption is configured: after `create-set`, before
    /// encryption is switched on, only this may name the set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_certificate_set: Option<EmbeddedSet>,
}

/// The embedded `saml_certificate_set` of an IdP: Cloudflare embeds the
/// whole set (certificates included) whenever one is assigned, so a pass
/// can take an assigned set from here instead of the set list.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct EmbeddedSet {
    /// The set's UID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// When the set was last updated (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The certificate Cloudflare encrypts with now.
    #[serde(default, skip_serializing_if = "CertificateSlot::is_empty")]
    pub current_certificate: CertificateSlot,
    /// The certificate kept during a rotation.
    #[serde(default, skip_serializing_if = "CertificateSlot::is_empty")]
    pub previous_certificate: CertificateSlot,
}

impl EmbeddedSet {
    /// The set, when the IdP embeds one with its certificates (not only
    /// its UID).
    pub fn to_set(&self) -> Option<CertificateSet> {
        let uid = self.uid.as_deref().filter(|uid| !uid.trim().is_empty())?;
        if self.current_certificate.is_empty() && self.previous_certificate.is_empty() {
            return None;
        }
        Some(CertificateSet {
            uid: uid.to_owned(),
            updated_at: self.updated_at.clone(),
            current_certificate: self.current_certificate.clone(),
            previous_certificate: self.previous_certificate.clone(),
        })
    }

    /// Only the UID, as the state file keeps it: the set itself is kept once,
    /// in the set list.
    pub fn uid_only(&self) -> Self {
        Self { uid: self.uid.clone(), ..Self::default() }
    }
}

/// The part of an IdP's `config` the exporter reads.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct IdentityProviderConfig {
    /// Whether Cloudflare asks the IdP to encrypt assertions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_encryption: Option<bool>,
    /// The external IdP's signing certificates as pasted into Cloudflare, in
    /// order. Null, a missing key and `[]` all mean none; an entry that is
    /// not a string is kept as `None` (it holds no certificate) so that it
    /// keeps its position instead of failing the whole list.
    #[serde(default, deserialize_with = "lenient_strings")]
    pub idp_public_certs: Vec<Option<String>>,
    /// The IdP's entity ID (`issuer_url`): which entity of its published
    /// metadata is this IdP. Anything but a string reads as none.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub issuer_url: Option<String>,
}

/// A string, or none for anything else: a hand-edited field of the wrong
/// type must not fail the decoding of every identity provider.
pub(crate) fn lenient_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => Some(text),
        _ => None,
    })
}

/// A list of strings that tolerates null (no list), a lone string (a list of
/// one) and non-string entries (`None`): hand-edited configuration must not
/// fail the decoding of every identity provider of the account.
pub(crate) fn lenient_strings<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Option<String>>, D::Error> {
    let entry = |value: serde_json::Value| match value {
        serde_json::Value::String(text) => Some(text),
        _ => None,
    };
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Array(items) => items.into_iter().map(entry).collect(),
        other => vec![entry(other)],
    })
}

impl IdentityProvider {
    /// Only the ID and the type: what the state file keeps of an IdP that
    /// is not SAML.
    pub fn id_and_type(&self) -> Self {
        Self {
            id: self.id.clone(),
            name: None,
            kind: self.kind.clone(),
            config: None,
            saml_certificate_set_id: None,
            saml_certificate_set: None,
        }
    }

    /// Whether this IdP speaks SAML (and so can use a certificate set).
    pub fn is_saml(&self) -> bool {
        self.kind == "saml"
    }

    /// Whether Cloudflare asks the IdP to encrypt assertions
    /// (`config.enable_encryption`; absent means off).
    pub fn encryption_enabled(&self) -> bool {
        self.config.as_ref().and_then(|c| c.enable_encryption).unwrap_or(false)
    }

    /// The UID of the assigned certificate set: `saml_certificate_set_id`,
    /// else the embedded set's (blank ones count as none).
    pub fn certificate_set_uid(&self) -> Option<&str> {
        fn named(uid: Option<&str>) -> Option<&str> {
            uid.filter(|uid| !uid.trim().is_empty())
        }
        named(self.saml_certificate_set_id.as_deref())
            .or_else(|| named(self.saml_certificate_set.as_ref().and_then(|set| set.uid.as_deref())))
    }
}

//! What the crate's tests share: reading a metadata document's keys the way
//! the exporter does (by namespace, with roxmltree), reading an IdP's pasted
//! certificates, and a plain HTTP/1.1 client that reports every status,
//! header and body byte as sent, redirects not followed.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::header::{HOST, HeaderMap};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use url::Url;

use crate::idp_metadata::{SAML_METADATA_NS, XMLDSIG_NS};

/// The keys of a metadata document's `IDPSSODescriptor`.
#[derive(Debug, Default)]
pub(crate) struct PublishedKeys {
    /// The root `EntityDescriptor`'s `entityID`.
    pub(crate) entity_id: String,
    /// DER of each `KeyDescriptor use="signing"` (or without `use`).
    pub(crate) signing: Vec<Vec<u8>>,
    /// DER of each `KeyDescriptor use="encryption"`.
    pub(crate) encryption: Vec<Vec<u8>>,
}

/// The keys of `xml`, a single-entity metadata document; panics (a test
/// failure) when it is not one.
pub(crate) fn read_keys(xml: &str) -> PublishedKeys {
    let document = roxmltree::Document::parse(xml).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().namespace(), Some(SAML_METADATA_NS));
    assert_eq!(root.tag_name().name(), "EntityDescriptor");
    let mut keys = PublishedKeys {
        entity_id: root.attribute("entityID").expect("an entityID").to_owned(),
        ..PublishedKeys::default()
    };
    let is = |node: &roxmltree::Node<'_, '_>, namespace: &str, name: &str| {
        node.is_element() && node.tag_name().namespace() == Some(namespace) && node.tag_name().name() == name
    };
    for descriptor in root.children().filter(|n| is(n, SAML_METADATA_NS, "IDPSSODescriptor")) {
        for key in descriptor.children().filter(|n| is(n, SAML_METADATA_NS, "KeyDescriptor")) {
            let certificates = key.descendants().filter(|n| is(n, XMLDSIG_NS, "X509Certificate"));
            let ders: Vec<Vec<u8>> = certificates.map(|c| decode_base64(c.text().unwrap_or(""))).collect();
            match key.attribute("use") {
                Some("encryption") => keys.encryption.extend(ders),
                _ => keys.signing.extend(ders),
            }
        }
    }
    keys
}

/// Base64 with any whitespace in it; panics when it is not base64.
fn decode_base64(text: &str) -> Vec<u8> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    BASE64.decode(compact).expect("base64")
}

/// The DER of every certificate readable in `idp_public_certs` entries:
/// PEM blocks (several to an entry, any line ends) or bare base64; entries
/// that are neither are left out, as the exporter leaves them out of C.
pub(crate) fn pasted_certificates(entries: &[String]) -> Vec<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut ders = Vec::new();
    for entry in entries {
        let compact = |text: &str| text.chars().filter(|c| !c.is_ascii_whitespace()).collect::<String>();
        if entry.contains(BEGIN) {
            for block in entry.split(BEGIN).skip(1) {
                let body = block.split(END).next().unwrap_or("");
                ders.extend(BASE64.decode(compact(body)).ok());
            }
        } else {
            ders.extend(BASE64.decode(compact(entry)).ok());
        }
    }
    ders
}

/// An answer as received.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    /// The first [`KEPT_BYTES`] of the body.
    pub(crate) body: Vec<u8>,
    /// Every byte of the body, counted.
    pub(crate) body_len: u64,
}

/// How much of a body [`fetch`] keeps; the rest is only counted.
const KEPT_BYTES: usize = 1 << 20;

impl Fetched {
    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// `GET url` with these extra headers, on a connection of its own.
pub(crate) async fn fetch(url: &Url, headers: &[(&str, &str)]) -> Result<Fetched, hyper::Error> {
    let host = url.host_str().expect("a host");
    let port = url.port_or_known_default().expect("a port");
    let stream = TcpStream::connect((host, port)).await.expect("connect");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let mut request = Request::get(target).header(HOST, format!("{host}:{port}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = sender.send_request(request.body(Empty::<Bytes>::new()).expect("a request")).await?;
    let (parts, mut body) = response.into_parts();
    let mut fetched = Fetched { status: parts.status, headers: parts.headers, body: Vec::new(), body_len: 0 };
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            fetched.body_len += data.len() as u64;
            let room = KEPT_BYTES.saturating_sub(fetched.body.len());
            fetched.body.extend_from_slice(&data[..room.min(data.len())]);
        }
    }
    Ok(fetched)
}

//! TLS for the web server: turns `tls_server_config` into a rustls server
//! configuration (certificate, key, versions, client certificates), refusing
//! by name every setting it does not support.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::danger::ClientCertVerifier;

use crate::operator_file::{CONFIG_LIMIT, read_operator_file};
use crate::web::config_file::{ClientAuthType, TlsServerConfig, TlsVersion, WebConfigError, invalid};

/// exporter-toolkit `tls_server_config` keys that are valid there but not
/// supported here, with what to do instead.
const UNSUPPORTED_TLS_KEYS: &[(&str, &str)] = &[
    ("cert", "inline PEM is not supported; put it in a file and use cert_file"),
    ("key", "inline PEM is not supported; put it in a file and use key_file"),
    ("client_ca", "inline PEM is not supported; put it in a file and use client_ca_file"),
    ("client_allowed_sans", "is not supported; issue client certificates from a dedicated CA instead"),
    ("cipher_suites", "is not supported; rustls offers only modern suites"),
    ("prefer_server_cipher_suites", "is not supported; rustls offers only modern suites"),
    ("curve_preferences", "is not supported; rustls picks safe curves"),
];

pub(crate) fn tls_config(
    tls: &TlsServerConfig,
    resolve: &dyn Fn(&PathBuf) -> PathBuf,
) -> Result<rustls::ServerConfig, WebConfigError> {
    if let Some(key) = tls.unsupported.keys().next() {
        let why =
            UNSUPPORTED_TLS_KEYS.iter().find(|(k, _)| k == key).map_or("is not a known key", |(_, why)| why);
        return Err(WebConfigError::Invalid { key: "tls_server_config", why: format!("{key} {why}") });
    }
    let required =
        |file: &Option<PathBuf>, key| file.as_ref().map(resolve).ok_or_else(|| invalid(key, "is required"));
    let cert_file = required(&tls.cert_file, "tls_server_config.cert_file")?;
    let key_file = required(&tls.key_file, "tls_server_config.key_file")?;
    let certs = read_certificates(&cert_file, "tls_server_config.cert_file")?;
    let key = PrivateKeyDer::from_pem_slice(&read_pem(&key_file, "tls_server_config.key_file")?)
        .map_err(|e| invalid("tls_server_config.key_file", format!("{}: {e}", key_file.display())))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&protocol_versions(tls.min_version, tls.max_version)?)
        .map_err(|e| invalid("tls_server_config", e.to_string()))?;
    let builder = match client_verifier(tls, resolve, provider)? {
        None => builder.with_no_client_auth(),
        Some(verifier) => builder.with_client_cert_verifier(verifier),
    };
    builder.with_single_cert(certs, key).map_err(|e| invalid("tls_server_config.key_file", e.to_string()))
}

/// The versions from `min` to `max`.
fn protocol_versions(
    min: TlsVersion,
    max: TlsVersion,
) -> Result<Vec<&'static rustls::SupportedProtocolVersion>, WebConfigError> {
    if min > max {
        return Err(invalid("tls_server_config.min_version", "is above max_version"));
    }
    let rustls_version = |version| match version {
        TlsVersion::Tls12 => &rustls::version::TLS12,
        TlsVersion::Tls13 => &rustls::version::TLS13,
    };
    Ok([TlsVersion::Tls12, TlsVersion::Tls13]
        .into_iter()
        .filter(|v| (min..=max).contains(v))
        .map(rustls_version)
        .collect())
}

/// The client certificate check `client_auth_type` asks for, if any.
fn client_verifier(
    tls: &TlsServerConfig,
    resolve: &dyn Fn(&PathBuf) -> PathBuf,
    provider: Arc<CryptoProvider>,
) -> Result<Option<Arc<dyn ClientCertVerifier>>, WebConfigError> {
    let auth_type = tls.client_auth_type;
    match auth_type {
        ClientAuthType::NoClientCert => return Ok(None),
        ClientAuthType::RequestClientCert | ClientAuthType::RequireAnyClientCert => {
            return Err(invalid(
                "tls_server_config.client_auth_type",
                format!("{auth_type:?} accepts unverified certificates; use RequireAndVerifyClientCert"),
            ));
        }
        ClientAuthType::VerifyClientCertIfGiven | ClientAuthType::RequireAndVerifyClientCert => {}
    }
    let ca_file = tls.client_ca_file.as_ref().map(resolve).ok_or_else(|| {
        invalid(
            "tls_server_config.client_ca_file",
            format!("is required with client_auth_type {auth_type:?}"),
        )
    })?;
    let mut roots = rustls::RootCertStore::empty();
    for ca in read_certificates(&ca_file, "tls_server_config.client_ca_file")? {
        roots.add(ca).map_err(|e| invalid("tls_server_config.client_ca_file", e.to_string()))?;
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
    let verifier = if auth_type == ClientAuthType::VerifyClientCertIfGiven {
        verifier.allow_unauthenticated()
    } else {
        verifier
    };
    verifier.build().map(Some).map_err(|e| invalid("tls_server_config.client_ca_file", e.to_string()))
}

/// The bytes of a PEM file named under `key`: a regular file of at most
/// [`CONFIG_LIMIT`] bytes, so `/dev/zero` or a FIFO cannot stall start-up.
fn read_pem(file: &Path, key: &'static str) -> Result<Vec<u8>, WebConfigError> {
    read_operator_file(file, CONFIG_LIMIT).map_err(|e| invalid(key, e.to_string()))
}

/// Every certificate in a PEM file; none is an error.
fn read_certificates(file: &Path, key: &'static str) -> Result<Vec<CertificateDer<'static>>, WebConfigError> {
    let pem = read_pem(file, key)?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| invalid(key, format!("{}: {e}", file.display())))?;
    if certs.is_empty() {
        return Err(invalid(key, format!("{}: no certificate", file.display())));
    }
    Ok(certs)
}

//! TLS for the web server: turns `tls_server_config` into a rustls server
//! configuration (certificate, key, versions, client certificates), refusing
//! by name every setting it does not support.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::web::config_file::{TlsServerConfig, WebConfigError, invalid};

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

fn version(
    key: &'static str,
    value: &str,
) -> Result<&'static rustls::SupportedProtocolVersion, WebConfigError> {
    match value {
        "TLS12" => Ok(&rustls::version::TLS12),
        "TLS13" => Ok(&rustls::version::TLS13),
        "TLS10" | "TLS11" => Err(invalid(key, format!("{value} is not supported; use TLS12 or TLS13"))),
        other => Err(invalid(key, format!("unknown version {other:?}; use TLS12 or TLS13"))),
    }
}

pub(crate) fn tls_config(
    tls: &TlsServerConfig,
    resolve: &dyn Fn(&PathBuf) -> PathBuf,
) -> Result<rustls::ServerConfig, WebConfigError> {
    if let Some(key) = tls.unsupported.keys().next() {
        let why =
            UNSUPPORTED_TLS_KEYS.iter().find(|(k, _)| k == key).map_or("is not a known key", |(_, why)| why);
        return Err(WebConfigError::Invalid { key: "tls_server_config", why: format!("{key} {why}") });
    }
    let cert_file = tls
        .cert_file
        .as_ref()
        .map(resolve)
        .ok_or_else(|| invalid("tls_server_config.cert_file", "is required"))?;
    let key_file = tls
        .key_file
        .as_ref()
        .map(resolve)
        .ok_or_else(|| invalid("tls_server_config.key_file", "is required"))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_file)
        .and_then(|it| it.collect::<Result<_, _>>())
        .map_err(|e| invalid("tls_server_config.cert_file", format!("{}: {e}", cert_file.display())))?;
    if certs.is_empty() {
        return Err(invalid(
            "tls_server_config.cert_file",
            format!("{}: no certificate", cert_file.display()),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&key_file)
        .map_err(|e| invalid("tls_server_config.key_file", format!("{}: {e}", key_file.display())))?;
    let min = version("tls_server_config.min_version", tls.min_version.as_deref().unwrap_or("TLS12"))?;
    let max = version("tls_server_config.max_version", tls.max_version.as_deref().unwrap_or("TLS13"))?;
    let versions: Vec<&'static rustls::SupportedProtocolVersion> =
        [&rustls::version::TLS12, &rustls::version::TLS13]
            .into_iter()
            .filter(|v| {
                let rank = |p: &rustls::SupportedProtocolVersion| u16::from(p.version);
                rank(v) >= rank(min) && rank(v) <= rank(max)
            })
            .collect();
    if versions.is_empty() {
        return Err(invalid("tls_server_config.min_version", "is above max_version"));
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&versions)
        .map_err(|e| invalid("tls_server_config", e.to_string()))?;
    let auth_type = tls.client_auth_type.as_deref().unwrap_or("NoClientCert");
    let builder = match auth_type {
        "NoClientCert" => builder.with_no_client_auth(),
        "RequireAndVerifyClientCert" | "VerifyClientCertIfGiven" => {
            let ca_file = tls.client_ca_file.as_ref().map(resolve).ok_or_else(|| {
                invalid(
                    "tls_server_config.client_ca_file",
                    format!("is required with client_auth_type {auth_type}"),
                )
            })?;
            let mut roots = rustls::RootCertStore::empty();
            let cas = CertificateDer::pem_file_iter(&ca_file)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| {
                    invalid("tls_server_config.client_ca_file", format!("{}: {e}", ca_file.display()))
                })?;
            for ca in cas {
                roots.add(ca).map_err(|e| invalid("tls_server_config.client_ca_file", e.to_string()))?;
            }
            if roots.is_empty() {
                return Err(invalid(
                    "tls_server_config.client_ca_file",
                    format!("{}: no certificate", ca_file.display()),
                ));
            }
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = if auth_type == "VerifyClientCertIfGiven" {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            let verifier =
                verifier.build().map_err(|e| invalid("tls_server_config.client_ca_file", e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
        "RequestClientCert" | "RequireAnyClientCert" => {
            return Err(invalid(
                "tls_server_config.client_auth_type",
                format!("{auth_type} accepts unverified certificates; use RequireAndVerifyClientCert"),
            ));
        }
        other => {
            return Err(invalid("tls_server_config.client_auth_type", format!("unknown value {other:?}")));
        }
    };
    builder.with_single_cert(certs, key).map_err(|e| invalid("tls_server_config.key_file", e.to_string()))
}

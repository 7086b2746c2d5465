//! A throw-away PKI for the TLS tests, made with rcgen: a server CA with a
//! localhost certificate and a client CA with one client certificate (the
//! files `docs/web-config.example.yml` names).

use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};

/// A throw-away PKI: a server CA with a localhost certificate, a client CA
/// with one client certificate, written to `dir`.
pub struct Pki {
    /// Where `server.crt`, `server.key` and `clients-ca.crt` were written.
    pub dir: PathBuf,
    /// The server CA, for a client to trust.
    pub server_ca_pem: String,
    /// The client certificate and its key, as one PEM.
    pub client_identity_pem: String,
}

/// Makes the PKI and writes the server's files to `dir`.
pub fn pki(dir: &Path) -> Pki {
    let ca = |name: &str| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(rcgen::DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), Issuer::new(params, key))
    };
    let (server_ca_pem, server_ca) = ca("test server CA");
    let (client_ca_pem, client_ca) = ca("test client CA");
    let leaf = |names: Vec<String>, usage: ExtendedKeyUsagePurpose, issuer: &Issuer<'_, KeyPair>| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(names).unwrap();
        params.extended_key_usages = vec![usage];
        let cert = params.signed_by(&key, issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    };
    let (server_cert, server_key) =
        leaf(vec!["localhost".into(), "127.0.0.1".into()], ExtendedKeyUsagePurpose::ServerAuth, &server_ca);
    let (client_cert, client_key) =
        leaf(vec!["prometheus".into()], ExtendedKeyUsagePurpose::ClientAuth, &client_ca);
    std::fs::write(dir.join("server.crt"), &server_cert).unwrap();
    std::fs::write(dir.join("server.key"), &server_key).unwrap();
    std::fs::write(dir.join("clients-ca.crt"), &client_ca_pem).unwrap();
    Pki { dir: dir.to_owned(), server_ca_pem, client_identity_pem: format!("{client_cert}{client_key}") }
}

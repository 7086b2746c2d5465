//! `encryption pem`: a set's certificate as PEM on stdout and nothing else,
//! for pipes. The current one comes from Cloudflare's `/pem` endpoint as
//! sent; the previous one from the set. A PEM that does not parse is still
//! printed, with a warning on stderr.

use serde::Serialize;

use crate::cli::{OutputFormat, PemSlot};
use crate::cloudflare::client::CloudflareClient;
use crate::commands::encryption::EncryptionError;
use crate::commands::encryption::output::print_json;
use crate::model::inspect::inspect_pem;
use crate::printable::printable_lines;

/// What `pem` prints with `--output json`.
#[derive(Debug, Serialize)]
struct Report<'a> {
    account_id: &'a str,
    certificate_set_uid: &'a str,
    slot: &'static str,
    public_certificate: &'a str,
}

/// Runs `pem`; returns the exit code (0).
pub async fn run(
    client: &CloudflareClient,
    account_id: &str,
    set_uid: &str,
    slot: PemSlot,
    output: OutputFormat,
) -> Result<u8, EncryptionError> {
    let (pem, slot) = match slot {
        PemSlot::Current => {
            (client.certificate_set_pem(account_id, set_uid).await.map_err(EncryptionError::Read)?, "current")
        }
        PemSlot::Previous => {
            let set = client.certificate_set(account_id, set_uid).await.map_err(EncryptionError::Read)?;
            let pem = set
                .previous_certificate
                .certificate()
                .and_then(|c| c.public_certificate.clone())
                .ok_or_else(|| EncryptionError::NoCertificate {
                    set_uid: set_uid.to_owned(),
                    slot: "previous",
                })?;
            (pem, "previous")
        }
    };
    if let Err(err) = inspect_pem(&pem) {
        eprintln!(
            "cloudflare-saml-exporter: warning: the {slot} certificate of set {set_uid} does not parse: {err}"
        );
    }
    match output {
        OutputFormat::Json => {
            print_json(&Report { account_id, certificate_set_uid: set_uid, slot, public_certificate: &pem })?
        }
        // A PEM has no control characters but line breaks; anything else is escaped.
        OutputFormat::Table => print!("{}", printable_lines(&pem)),
    }
    Ok(0)
}

//! The identity providers' metadata: the `identity_provider_metadata:` list
//! of `--config.file` and the `--idp-metadata.*` flags, validated. An entry
//! naming an account or IdP that does not exist is not a usage error: the
//! exporter reports it on that entry, since accounts and IdPs change
//! without a restart.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;

use crate::cli::IdpMetadataArgs;
use crate::cloudflare::account_id::parse_account_id;
use crate::config::{ConfigError, duration, invalid};
use crate::idp::fetch::{FetchSettings, MetadataFetcher, is_fetchable};
use crate::idp::source::MetadataSource;
use crate::operator_file::{CONFIG_LIMIT, read_operator_text};

/// Longest identity provider reference or entity ID accepted.
const MAX_REFERENCE_CHARS: usize = 1024;

/// How and where identity providers' metadata is read.
#[derive(Debug, Clone)]
pub struct IdpMetadataConfig {
    /// Each IdP whose metadata is compared with Cloudflare; may be empty.
    pub sources: Vec<MetadataSource>,
    /// How often each is fetched.
    pub refresh_interval: Duration,
    /// Timeout and extra CA roots.
    pub fetch: FetchSettings,
}

/// One entry as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MetadataEntry {
    account: String,
    identity_provider: String,
    url: String,
    #[serde(default)]
    entity_id: Option<String>,
}

/// Validates the file's entries; every mistake names the entry and key.
pub(crate) fn metadata_sources(entries: Vec<MetadataEntry>) -> Result<Vec<MetadataSource>, String> {
    let mut seen = BTreeSet::new();
    let mut sources = Vec::with_capacity(entries.len());
    for (index, entry) in entries.into_iter().enumerate() {
        let at = format!("identity_provider_metadata[{index}]");
        let account_id =
            parse_account_id(entry.account.trim()).map_err(|why| format!("{at}.account: {why}"))?;
        let identity_provider = reference(&entry.identity_provider)
            .ok_or_else(|| format!("{at}.identity_provider: must name the IdP by its ID or exact name"))?;
        let url = Url::parse(entry.url.trim()).map_err(|e| format!("{at}.url: not a URL: {e}"))?;
        if !is_fetchable(&url) {
            return Err(format!(
                "{at}.url: must be https (plain http only to a loopback address), so the \
                 certificates it lists cannot be swapped on the way"
            ));
        }
        let entity_id = match entry.entity_id {
            None => None,
            Some(raw) => Some(reference(&raw).ok_or_else(|| {
                format!("{at}.entity_id: is empty; leave it out to use the IdP's issuer_url")
            })?),
        };
        if !seen.insert((account_id.clone(), identity_provider.clone())) {
            return Err(format!("{at}: the same account and identity_provider are listed twice"));
        }
        sources.push(MetadataSource { account_id, identity_provider, url, entity_id });
    }
    Ok(sources)
}

/// A trimmed, non-empty, printable reference of bounded length.
fn reference(raw: &str) -> Option<String> {
    let text = raw.trim();
    let fits = !text.is_empty() && text.chars().count() <= MAX_REFERENCE_CHARS;
    (fits && !text.chars().any(char::is_control)).then(|| text.to_owned())
}

/// The flags and the file's `sources`, validated; a CA file that holds no
/// usable certificate is a usage error now, not a failing fetch later.
pub(crate) fn idp_metadata_config(
    args: &IdpMetadataArgs,
    sources: Vec<MetadataSource>,
) -> Result<IdpMetadataConfig, ConfigError> {
    let refresh_interval = duration("--idp-metadata.refresh-interval", &args.refresh_interval)?;
    let timeout = duration("--idp-metadata.timeout", &args.timeout)?;
    let extra_roots_pem = match &args.ca_file {
        None => None,
        Some(path) => {
            let shown = path.display().to_string();
            let text = read_operator_text(path, CONFIG_LIMIT)
                .map_err(|e| invalid("--idp-metadata.ca-file", &shown, e.problem.to_string()))?;
            Some(text.into_bytes())
        }
    };
    let fetch = FetchSettings { timeout, extra_roots_pem };
    if let Some(path) = &args.ca_file {
        MetadataFetcher::new(&fetch)
            .map_err(|why| invalid("--idp-metadata.ca-file", &path.display().to_string(), why))?;
    }
    Ok(IdpMetadataConfig { sources, refresh_interval, fetch })
}

#[cfg(test)]
mod tests;

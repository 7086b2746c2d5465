//! The validated configuration of the `signing` commands: the Cloudflare
//! options shared with `check`, the `identity_provider_metadata` entries of
//! `--config.file` (at least one) with the `--idp-metadata.*` fetch
//! settings, and which entries the command acts on. `--account-id` narrows
//! the entries to those accounts rather than naming the accounts to read:
//! each entry names its own, so it may be given beside a file's
//! `credentials:`.

use std::path::PathBuf;

use crate::cli::{CloudflareArgs, OutputFormat, SigningArgs, SigningCommand};
use crate::config::cloudflare::{account_ids, cloudflare_config};
use crate::config::idp_metadata::idp_metadata_config;
use crate::config::{CloudflareConfig, ConfigError, Env, IdpMetadataConfig, LogConfig, invalid, log_config};
use crate::idp::source::MetadataSource;

/// Configuration of one `signing` command.
#[derive(Debug)]
pub struct SigningConfig {
    /// Cloudflare access: the credentials, whatever accounts they name.
    pub cloudflare: CloudflareConfig,
    /// The entries the command looks at (never empty) and how their
    /// metadata is fetched. For `sync`, the entries that may be the one
    /// asked for: exactly it when its reference matches as written.
    pub metadata: IdpMetadataConfig,
    /// `--config.file`, as given: the commands it suggests name it.
    pub config_file: PathBuf,
    /// `--idp-metadata.ca-file`, as given, for the same reason.
    pub ca_file: Option<PathBuf>,
    /// Logging.
    pub log: LogConfig,
    /// Output format.
    pub output: OutputFormat,
    /// What to do.
    pub action: SigningAction,
}

/// The command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningAction {
    /// `plan`: every entry.
    Plan,
    /// `sync`.
    Sync {
        /// The identity provider asked for: an ID or an exact name.
        identity_provider: String,
        /// Send the PUT; otherwise a dry run.
        apply: bool,
        /// Also remove the certificates the metadata no longer publishes.
        prune: bool,
        /// Proceed even when Cloudflare holds none of the published
        /// certificates.
        force: bool,
    },
}

impl SigningConfig {
    /// Validates `signing` arguments.
    pub fn new(args: &SigningArgs, env: Env<'_>) -> Result<Self, ConfigError> {
        let (common, idp_metadata, output) = match &args.action {
            SigningCommand::Plan(a) => (&a.common, &a.idp_metadata, a.output),
            SigningCommand::Sync(a) => (&a.common, &a.idp_metadata, a.output),
        };
        let (cloudflare, sources, config_file) = entries(&common.cloudflare, env)?;
        let (sources, action) = match &args.action {
            SigningCommand::Plan(_) => (sources, SigningAction::Plan),
            SigningCommand::Sync(a) => {
                let identity_provider = a.identity_provider.trim().to_owned();
                if identity_provider.is_empty() {
                    return Err(invalid(
                        "--identity-provider",
                        &a.identity_provider,
                        "name the identity provider by its ID or exact name",
                    ));
                }
                let sources = candidates(sources, &identity_provider)?;
                let action =
                    SigningAction::Sync { identity_provider, apply: a.apply, prune: a.prune, force: a.force };
                (sources, action)
            }
        };
        Ok(Self {
            cloudflare,
            metadata: idp_metadata_config(idp_metadata, sources)?,
            config_file,
            ca_file: idp_metadata.ca_file.clone(),
            log: log_config(&common.log),
            output,
            action,
        })
    }
}

/// The credentials, the entries of `--config.file` in the accounts of
/// `--account-id` (all without it), and the file's path.
fn entries(
    args: &CloudflareArgs,
    env: Env<'_>,
) -> Result<(CloudflareConfig, Vec<MetadataSource>, PathBuf), ConfigError> {
    let Some(config_file) = args.credentials_file.clone() else {
        return Err(invalid(
            "--config.file",
            "",
            "the signing commands compare the identity providers listed under identity_provider_metadata \
             in --config.file: give the file",
        ));
    };
    let wanted = account_ids("--account-id", &args.account_ids)?;
    // The accounts come from the entries: a file's credentials may be
    // combined with --account-id here.
    let credentials_only = CloudflareArgs { account_ids: Vec::new(), ..args.clone() };
    let (cloudflare, sources) = cloudflare_config(&credentials_only, env)?;
    if sources.is_empty() {
        return Err(ConfigError::ConfigFile {
            path: config_file.display().to_string(),
            why: "lists no identity_provider_metadata: the signing commands compare each identity provider \
                  listed there (account, identity_provider, url) with Cloudflare"
                .to_owned(),
        });
    }
    if wanted.is_empty() {
        return Ok((cloudflare, sources, config_file));
    }
    let sources: Vec<MetadataSource> =
        sources.into_iter().filter(|s| wanted.contains(&s.account_id)).collect();
    if sources.is_empty() {
        return Err(invalid(
            "--account-id",
            &wanted.join(","),
            "no identity_provider_metadata entry of --config.file is in this account",
        ));
    }
    Ok((cloudflare, sources, config_file))
}

/// The entries `sync` may mean: the one whose reference is written as
/// asked, else all (each is resolved against Cloudflare when run). Two
/// written alike, in two accounts, need `--account-id`.
fn candidates(sources: Vec<MetadataSource>, wanted: &str) -> Result<Vec<MetadataSource>, ConfigError> {
    let (written, others): (Vec<_>, Vec<_>) =
        sources.into_iter().partition(|s| s.identity_provider == wanted);
    match written.len() {
        0 => Ok(others),
        1 => Ok(written),
        _ => {
            let accounts: Vec<&str> = written.iter().map(|s| s.account_id.as_str()).collect();
            Err(invalid(
                "--identity-provider",
                wanted,
                format!(
                    "identity_provider_metadata lists it in accounts {}: pass --account-id to pick one",
                    accounts.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests;

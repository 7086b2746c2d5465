//! The validated configuration of the `encryption` commands: the Cloudflare
//! options shared with `check`, exactly one account for the commands that
//! act on one object, and IDs that are safe to put into a URL path.

use std::path::PathBuf;

use crate::cli::{CreateSetArgs, EncryptionArgs, EncryptionCommand, OutputFormat, PemArgs, PemSlot};
use crate::config::cloudflare::cloudflare_config;
use crate::config::{CloudflareConfig, ConfigError, Env, LogConfig, invalid, is_path_safe_id, log_config};
use crate::refresh::AccountSelection;

/// Configuration of one `encryption` command.
#[derive(Debug)]
pub struct EncryptionConfig {
    /// Cloudflare access.
    pub cloudflare: CloudflareConfig,
    /// Logging.
    pub log: LogConfig,
    /// Output format.
    pub output: OutputFormat,
    /// What to do.
    pub action: EncryptionAction,
}

/// The command, with the one account it acts on where it acts on one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncryptionAction {
    /// `plan`: every selected (or discovered) account.
    Plan,
    /// `create-set`.
    CreateSet {
        /// The account.
        account_id: String,
        /// The SAML identity provider.
        identity_provider_id: String,
        /// Send the POST; otherwise a dry run.
        apply: bool,
        /// Where to write the PEM, if anywhere.
        pem_out: Option<PathBuf>,
        /// Overwrite an existing `pem_out`.
        overwrite: bool,
    },
    /// `rotate`.
    Rotate {
        /// The account.
        account_id: String,
        /// The set.
        set_uid: String,
        /// Send the POST; otherwise a dry run.
        apply: bool,
        /// Rotate even when that deletes a previous certificate.
        force: bool,
    },
    /// `enable`.
    Enable {
        /// The account.
        account_id: String,
        /// The SAML identity provider.
        identity_provider_id: String,
        /// The set to encrypt with; default: the IdP's own.
        set_uid: Option<String>,
        /// Send the PUT; otherwise a dry run.
        apply: bool,
    },
    /// `pem`.
    Pem {
        /// The account.
        account_id: String,
        /// The set.
        set_uid: String,
        /// Which certificate.
        slot: PemSlot,
    },
}

impl EncryptionConfig {
    /// Validates `encryption` arguments.
    pub fn new(args: &EncryptionArgs, env: Env<'_>) -> Result<Self, ConfigError> {
        let (cloudflare, log, output) = match &args.action {
            EncryptionCommand::Plan(a) => (&a.common.cloudflare, &a.common.log, a.output),
            EncryptionCommand::CreateSet(a) => (&a.common.cloudflare, &a.common.log, a.output),
            EncryptionCommand::Rotate(a) => (&a.common.cloudflare, &a.common.log, a.output),
            EncryptionCommand::Enable(a) => (&a.common.cloudflare, &a.common.log, a.output),
            EncryptionCommand::Pem(a) => (&a.common.cloudflare, &a.common.log, a.output),
        };
        let (cloudflare, _metadata) = cloudflare_config(cloudflare, env)?;
        let action = match &args.action {
            EncryptionCommand::Plan(_) => EncryptionAction::Plan,
            EncryptionCommand::CreateSet(a) => create_set(a, &cloudflare)?,
            EncryptionCommand::Rotate(a) => EncryptionAction::Rotate {
                account_id: one_account(&cloudflare)?,
                set_uid: object_id("--certificate-set", &a.certificate_set)?,
                apply: a.apply,
                force: a.force,
            },
            EncryptionCommand::Enable(a) => EncryptionAction::Enable {
                account_id: one_account(&cloudflare)?,
                identity_provider_id: object_id("--identity-provider", &a.identity_provider)?,
                set_uid: a
                    .certificate_set
                    .as_deref()
                    .map(|uid| object_id("--certificate-set", uid))
                    .transpose()?,
                apply: a.apply,
            },
            EncryptionCommand::Pem(a) => pem(a, &cloudflare)?,
        };
        Ok(Self { cloudflare, log: log_config(log), output, action })
    }
}

fn create_set(args: &CreateSetArgs, cloudflare: &CloudflareConfig) -> Result<EncryptionAction, ConfigError> {
    if let Some(path) = &args.pem_out
        && (path.as_os_str().is_empty() || path.is_dir())
    {
        return Err(invalid("--pem-out", &path.display().to_string(), "must name a file"));
    }
    Ok(EncryptionAction::CreateSet {
        account_id: one_account(cloudflare)?,
        identity_provider_id: object_id("--identity-provider", &args.identity_provider)?,
        apply: args.apply,
        pem_out: args.pem_out.clone(),
        overwrite: args.force,
    })
}

fn pem(args: &PemArgs, cloudflare: &CloudflareConfig) -> Result<EncryptionAction, ConfigError> {
    Ok(EncryptionAction::Pem {
        account_id: one_account(cloudflare)?,
        set_uid: object_id("--certificate-set", &args.certificate_set)?,
        slot: args.slot,
    })
}

/// The single account a command that acts on one object needs, read with
/// the single credential of the flags and environment.
fn one_account(cloudflare: &CloudflareConfig) -> Result<String, ConfigError> {
    let [credential] = cloudflare.credentials.as_slice() else {
        return Err(invalid(
            "--config.file",
            "",
            "the encryption commands use one credential: give it with CLOUDFLARE_API_TOKEN or --api-token-file",
        ));
    };
    match &credential.accounts {
        AccountSelection::Fixed(ids) if ids.len() == 1 => Ok(ids[0].clone()),
        AccountSelection::Fixed(ids) => {
            Err(invalid("--account-id", &ids.join(","), "this command acts on exactly one account: name one"))
        }
        AccountSelection::Discover => Err(invalid(
            "--account-id",
            "",
            "this command acts on one account: pass --account-id ID (or set CLOUDFLARE_ACCOUNT_ID)",
        )),
    }
}

/// An IdP ID or set UID: it becomes a URL path segment, so only the
/// characters of a UUID (and `_`) are accepted.
fn object_id(option: &'static str, value: &str) -> Result<String, ConfigError> {
    let id = value.trim();
    if id.is_empty() || !is_path_safe_id(id) {
        return Err(invalid(option, value, "an ID is letters, digits, - and _ (a UUID)"));
    }
    Ok(id.to_owned())
}

#[cfg(test)]
mod tests;

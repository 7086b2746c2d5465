//! Every metric the exporter serves, defined once: its name, its help text,
//! and where its values come from. Adding a metric is one entry here plus
//! the line that feeds it; [`ALL`] follows by itself.

/// Appended to the help of every metric fed by the background refresh.
pub const REFRESH_NOTE: &str =
    " Values come from a background refresh of the Cloudflare API, not from the scrape.";

/// Appended to the help of every metric fed by the background reads of
/// the identity providers' metadata.
pub const METADATA_NOTE: &str = " Values come from a background fetch of the identity provider's published SAML metadata, not from the scrape.";

/// Where a metric's values come from, which decides its help text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The background refresh of the Cloudflare API; the help gets [`REFRESH_NOTE`].
    Refresh,
    /// The background reads of identity providers' metadata; the help gets
    /// [`METADATA_NOTE`].
    Metadata,
    /// The exporter itself, current at scrape time.
    Exporter,
}

/// What makes a metric's samples change, which decides how long a render
/// of its family stays true.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Changes {
    /// Only a write to the state: a render holds until its generation moves.
    WithState,
    /// The clock or the exporter's counters: rendered for every exposition.
    Always,
}

/// A metric's name, help text and source.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    /// Full metric name.
    pub name: &'static str,
    /// Help text (without the background-refresh note).
    pub help: &'static str,
    /// Where its values come from.
    pub source: Source,
    /// What makes its samples change.
    pub changes: Changes,
}

impl MetricDef {
    /// The `# HELP` text as served: the help, plus [`REFRESH_NOTE`] for
    /// metrics fed by the refresh.
    pub fn served_help(&self) -> String {
        match self.source {
            Source::Refresh => format!("{}{REFRESH_NOTE}", self.help),
            Source::Metadata => format!("{}{METADATA_NOTE}", self.help),
            Source::Exporter => self.help.to_owned(),
        }
    }
}

/// What a metric's samples change with when the table does not say: the
/// state for those the refresh feeds, anything for the exporter's own.
const fn default_changes(source: Source) -> Changes {
    match source {
        Source::Refresh | Source::Metadata => Changes::WithState,
        Source::Exporter => Changes::Always,
    }
}

/// Defines each metric as a documented constant and lists them all in `ALL`.
/// `Refresh / Always` marks a refresh-fed metric whose samples change
/// without a state write.
macro_rules! metrics {
    ($($id:ident: $source:ident $(/ $changes:ident)?, $name:literal, $help:literal;)*) => {
        $(
            #[doc = $help]
            pub const $id: MetricDef = MetricDef {
                name: $name,
                help: $help,
                source: Source::$source,
                changes: metrics!(@changes $source $($changes)?),
            };
        )*

        /// Every metric, in definition order, for documentation and tests.
        pub const ALL: [MetricDef; [$(stringify!($id)),*].len()] = [$($id),*];
    };
    (@changes $source:ident) => { default_changes(Source::$source) };
    (@changes $source:ident $changes:ident) => { Changes::$changes };
}

metrics! {
    CERTIFICATE_NOT_AFTER: Refresh,
        "cloudflare_access_saml_certificate_not_after_timestamp_seconds",
        "Expiry of the certificate as a Unix time, from the PEM (from the API's not_after when the PEM does not parse).";
    CERTIFICATE_NOT_BEFORE: Refresh,
        "cloudflare_access_saml_certificate_not_before_timestamp_seconds",
        "Start of the certificate's validity as a Unix time (parsed certificates only).";
    // Computed from the clock at render time.
    CERTIFICATE_DAYS_UNTIL_EXPIRY: Refresh / Always,
        "cloudflare_access_saml_certificate_days_until_expiry",
        "Days until the certificate expires, computed at scrape time; negative once expired. Alert on the not_after timestamp instead.";
    CERTIFICATE_KEY_BITS: Refresh,
        "cloudflare_access_saml_certificate_key_bits",
        "Size of the certificate's public key in bits (parsed certificates only).";
    CERTIFICATE_INFO: Refresh,
        "cloudflare_access_saml_certificate_info",
        "Always 1; labels describe the parsed certificate.";
    CERTIFICATE_NOT_AFTER_MISMATCH: Refresh,
        "cloudflare_access_saml_certificate_not_after_mismatch",
        "1 if the API's not_after and the certificate's own differ by more than a second, else 0.";
    CERTIFICATE_IS_CURRENT_MISMATCH: Refresh,
        "cloudflare_access_saml_certificate_is_current_mismatch",
        "1 if the API's is_current contradicts the slot the certificate came in, else 0; absent when the API leaves is_current out.";
    CERTIFICATE_PARSE_ERROR: Refresh,
        "cloudflare_access_saml_certificate_parse_error",
        "1 for a certificate whose PEM could not be read; label reason says why.";
    SET_ROTATION_IN_PROGRESS: Refresh,
        "cloudflare_access_saml_certificate_set_rotation_in_progress",
        "1 if the set holds a previous certificate (a rotation is being handed over), else 0.";
    SET_IDENTITY_PROVIDERS: Refresh,
        "cloudflare_access_saml_certificate_set_identity_providers",
        "Number of SAML identity providers using this certificate set (0 = unused).";
    SET_UPDATED: Refresh,
        "cloudflare_access_saml_certificate_set_updated_timestamp_seconds",
        "The set's updated_at as a Unix time.";
    IDP_INFO: Refresh,
        "cloudflare_access_saml_identity_provider_info",
        "Always 1; labels name the SAML identity provider and its certificate set.";
    IDP_ENCRYPTION_ENABLED: Refresh,
        "cloudflare_access_saml_identity_provider_encryption_enabled",
        "1 if the SAML identity provider has config.enable_encryption set, else 0.";
    IDP_SET_MISSING: Refresh,
        "cloudflare_access_saml_identity_provider_certificate_set_missing",
        "1 if the SAML identity provider has no saml_certificate_set_id, else 0.";
    IDP_SET_DANGLING: Refresh,
        "cloudflare_access_saml_identity_provider_certificate_set_dangling",
        "1 if the SAML identity provider's set id names no set of the account, else 0.";
    SIGNING_CERTIFICATE_NOT_AFTER: Refresh,
        "cloudflare_access_saml_identity_provider_signing_certificate_not_after_timestamp_seconds",
        "Expiry of an identity provider's SAML signing certificate (config.idp_public_certs) as a Unix time.";
    SIGNING_CERTIFICATE_NOT_BEFORE: Refresh,
        "cloudflare_access_saml_identity_provider_signing_certificate_not_before_timestamp_seconds",
        "Start of the validity of an identity provider's SAML signing certificate as a Unix time.";
    SIGNING_CERTIFICATE_KEY_BITS: Refresh,
        "cloudflare_access_saml_identity_provider_signing_certificate_key_bits",
        "Size of the public key of an identity provider's SAML signing certificate in bits.";
    SIGNING_CERTIFICATE_INFO: Refresh,
        "cloudflare_access_saml_identity_provider_signing_certificate_info",
        "Always 1; labels describe an identity provider's SAML signing certificate.";
    SIGNING_CERTIFICATE_PARSE_ERROR: Refresh,
        "cloudflare_access_saml_identity_provider_signing_certificate_parse_error",
        "1 for an entry of config.idp_public_certs that could not be read; label position is its 0-based index, reason says why.";
    SIGNING_CERTIFICATES: Refresh,
        "cloudflare_access_saml_identity_provider_signing_certificates",
        "Number of entries in the SAML identity provider's config.idp_public_certs (0 when none).";
    SIGNING_CERTIFICATE_LATEST_NOT_AFTER: Refresh,
        "cloudflare_access_saml_identity_provider_signing_certificate_latest_not_after_timestamp_seconds",
        "The latest expiry among the SAML identity provider's readable signing certificates as a Unix time; logins keep working while one of them is valid.";
    METADATA_UP: Metadata,
        "cloudflare_access_saml_identity_provider_metadata_up",
        "1 if the last fetch and parse of the identity provider's published SAML metadata succeeded, else 0 (the last good certificates are kept).";
    METADATA_LAST_SUCCESS: Metadata,
        "cloudflare_access_saml_identity_provider_metadata_last_success_timestamp_seconds",
        "Unix time of the last successful read of the identity provider's published SAML metadata.";
    // A counter beside the state, bumped without a state write.
    METADATA_ERRORS: Metadata / Always,
        "cloudflare_access_saml_identity_provider_metadata_errors_total",
        "Failed reads of the identity provider's published SAML metadata by reason.";
    METADATA_SIGNING_CERTIFICATE_NOT_AFTER: Metadata,
        "cloudflare_access_saml_identity_provider_metadata_signing_certificate_not_after_timestamp_seconds",
        "Expiry of a signing certificate the identity provider publishes in its SAML metadata as a Unix time; in_cloudflare says whether config.idp_public_certs holds it.";
    SIGNING_CERTIFICATE_DRIFT: Metadata,
        "cloudflare_access_saml_identity_provider_signing_certificate_drift",
        "1 for how the signing certificates the identity provider publishes stand against config.idp_public_certs (in_sync, rollover_pending: paste the new one before the IdP switches, mismatch: logins fail now or at the next switch), 0 for the other states; absent until the metadata was read.";
    APPLICATIONS_UP: Refresh,
        "cloudflare_access_saml_applications_up",
        "1 if the last read of the account's Access applications succeeded, else 0 (the last good applications are kept); absent without --collector.applications. Needs the token permission Access: Apps and Policies Read.";
    APPLICATIONS_LAST_SUCCESS: Refresh,
        "cloudflare_access_saml_applications_last_success_timestamp_seconds",
        "Unix time of the last successful read of the account's Access applications.";
    // A counter beside the state, bumped without a state write.
    APPLICATION_ERRORS: Refresh / Always,
        "cloudflare_access_saml_applications_errors_total",
        "Failed reads of the account's Access applications by reason.";
    APPLICATION_INFO: Refresh,
        "cloudflare_access_saml_application_info",
        "Always 1; labels name an Access application of the account.";
    IDP_APPLICATIONS: Refresh,
        "cloudflare_access_saml_identity_provider_applications",
        "Number of Access applications users sign in to through this SAML identity provider (allowed_idps lists it, or is empty: all IdPs); bookmarks are not counted.";
    IDP_APPLICATIONS_WITHOUT_FALLBACK: Refresh,
        "cloudflare_access_saml_identity_provider_applications_without_fallback",
        "Number of those applications for which this SAML identity provider is the only way in (the only allowed IdP, or the one auto_redirect_to_identity sends users to).";
    SAAS_CERTIFICATE_NOT_AFTER: Refresh,
        "cloudflare_access_saml_saas_application_signing_certificate_not_after_timestamp_seconds",
        "Expiry of Cloudflare's SAML signing certificate of a SaaS application (saas_app.public_key, which the service provider holds) as a Unix time.";
    SAAS_CERTIFICATE_NOT_BEFORE: Refresh,
        "cloudflare_access_saml_saas_application_signing_certificate_not_before_timestamp_seconds",
        "Start of the validity of Cloudflare's SAML signing certificate of a SaaS application as a Unix time.";
    SAAS_CERTIFICATE_KEY_BITS: Refresh,
        "cloudflare_access_saml_saas_application_signing_certificate_key_bits",
        "Size of the public key of Cloudflare's SAML signing certificate of a SaaS application in bits.";
    SAAS_CERTIFICATE_INFO: Refresh,
        "cloudflare_access_saml_saas_application_signing_certificate_info",
        "Always 1; labels describe Cloudflare's SAML signing certificate of a SaaS application.";
    SAAS_CERTIFICATE_PARSE_ERROR: Refresh,
        "cloudflare_access_saml_saas_application_signing_certificate_parse_error",
        "1 for a SAML SaaS application whose saas_app.public_key could not be read; label reason says why.";
    IDPS_WITHOUT_SET: Refresh,
        "cloudflare_access_saml_identity_providers_without_certificate_set",
        "Number of SAML identity providers with no certificate set.";
    CERTIFICATE_SETS: Refresh,
        "cloudflare_access_saml_certificate_sets",
        "Number of SAML certificate sets in the account.";
    ACCOUNT_INFO: Refresh,
        "cloudflare_access_saml_account_info",
        "Always 1; account_name is the account's display name (from GET /accounts, or a daily GET /accounts/{id} for accounts named on the command line).";
    UP: Refresh,
        "cloudflare_access_saml_up",
        "1 if the last refresh of this account fully succeeded, else 0 (earlier values are kept).";
    LAST_SUCCESS: Refresh,
        "cloudflare_access_saml_last_refresh_success_timestamp_seconds",
        "Unix time of the last fully successful refresh of this account.";
    REFRESH_DURATION: Refresh,
        "cloudflare_access_saml_refresh_duration_seconds",
        "Duration of the last refresh of this account in seconds.";
    // A counter beside the state, bumped without a state write.
    REFRESH_ERRORS: Refresh / Always,
        "cloudflare_access_saml_refresh_errors_total",
        "Failed refreshes of this account by reason.";
    API_REQUESTS: Exporter,
        "cloudflare_access_saml_api_requests_total",
        "Requests made to the Cloudflare API by endpoint and HTTP status (code=\"error\" when no response arrived).";
    RATE_LIMIT_REMAINING: Exporter,
        "cloudflare_access_saml_api_rate_limit_remaining",
        "Requests left in Cloudflare's rate-limit window of this credential, from the last Ratelimit header seen.";
    API_BLOCKED_UNTIL: Exporter,
        "cloudflare_access_saml_api_blocked_until_timestamp_seconds",
        "When this credential calls Cloudflare again after its last rate-limit wait (a 429's Retry-After, or a nearly spent window), as a Unix time; in the past once the wait is over. Waits are capped at 300 s, Cloudflare's window.";
    REFRESH_CYCLE: Exporter,
        "cloudflare_access_saml_refresh_cycle_seconds",
        "Time the scheduler needs to read each account of this credential once at its budget; --refresh-interval when everything fits.";
    TOKEN_EXPIRY: Exporter,
        "cloudflare_access_saml_exporter_token_expiry_timestamp_seconds",
        "When this credential's API token expires (expires_on) as a Unix time; absent when it never expires or is not known yet.";
    TOKEN_STATUS: Exporter,
        "cloudflare_access_saml_exporter_token_status",
        "1 for the status Cloudflare gives this credential's API token (active, disabled, expired, or unknown for anything else), 0 for the others; checked at start and hourly.";
    SHARD_ORDINAL: Exporter,
        "cloudflare_access_saml_exporter_shard_ordinal",
        "This replica's --shard (also as label shard): it reads only the accounts that hash to it.";
    TOTAL_SHARDS: Exporter,
        "cloudflare_access_saml_exporter_total_shards",
        "This replica's --total-shards; all replicas of one job must agree, or accounts are read twice or never.";
    LOG_SUPPRESSED: Exporter,
        "cloudflare_access_saml_exporter_log_messages_suppressed_total",
        "Log lines left out by kind (inventory_warning, refresh_failed) once a kind logged 100 in a minute; each minute that left some out logs how many.";
    BUILD_INFO: Exporter,
        "cloudflare_access_saml_exporter_build_info",
        "Always 1; labels give the exporter's version and source revision.";
}

#[cfg(test)]
mod tests;

//! Where and how `/metrics` is served: the listen address, the metrics path,
//! `--web.config.file`, the scrape limit and the write timeout.

use std::net::{SocketAddr, ToSocketAddrs};

use crate::cli::WebArgs;
use crate::config::{ConfigError, WebConfig, duration, invalid};
use crate::web::RESERVED_PATHS;
use crate::web::config_file::{WebSecurity, load_web_config};

pub(crate) fn web_config(args: &WebArgs) -> Result<WebConfig, ConfigError> {
    let listen = socket_addr("--web.listen-address", &args.listen_address)?;
    let path = &args.telemetry_path;
    if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
        return Err(invalid("--web.telemetry-path", path, "must be a path starting with /"));
    }
    if RESERVED_PATHS.contains(&path.as_str()) {
        return Err(invalid(
            "--web.telemetry-path",
            path,
            format!(
                "is one of the exporter's own pages ({}); pick another, e.g. /metrics",
                RESERVED_PATHS.join(", ")
            ),
        ));
    }
    let security = match &args.config_file {
        Some(file) => load_web_config(file)?,
        None => WebSecurity::default(),
    };
    let write_timeout = duration("--web.write-timeout", &args.write_timeout)?;
    let external_url = args.external_url.as_deref().map(external_url).transpose()?;
    Ok(WebConfig {
        listen,
        telemetry_path: path.clone(),
        security,
        max_requests: args.max_requests,
        write_timeout,
        external_url,
    })
}

/// An absolute http(s) URL without query or fragment, kept without its
/// trailing `/`.
fn external_url(value: &str) -> Result<String, ConfigError> {
    let option = "--web.external-url";
    let url =
        url::Url::parse(value).map_err(|e| invalid(option, value, format!("not an absolute URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(option, value, "must be an http:// or https:// URL with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(option, value, "must have no query and no fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `:19380` means every interface, as in other Prometheus exporters.
pub(crate) fn socket_addr(option: &'static str, value: &str) -> Result<SocketAddr, ConfigError> {
    let spelled = if value.starts_with(':') { format!("0.0.0.0{value}") } else { value.to_owned() };
    spelled
        .to_socket_addrs()
        .map_err(|e| invalid(option, value, format!("expected HOST:PORT ({e})")))?
        .next()
        .ok_or_else(|| invalid(option, value, "resolves to no address"))
}

//! Reading Cloudflare's answers safely: the body within a size cap, the
//! envelope of a 2xx answer checked once, and the `errors[]` of a failed
//! envelope.

use crate::cloudflare::byte_allowance::ByteAllowance;
use crate::cloudflare::endpoint::Endpoint;
use crate::cloudflare::error::ApiError;
use crate::cloudflare::wire::{ApiMessage, Envelope};

/// The whole body, refused as a decode error once it would pass `cap`
/// bytes, and as [`ApiError::AccountTooLarge`] once the account's reads
/// together would pass `allowance`; a failure while reading becomes
/// `transport(err)`.
pub(crate) async fn read_body(
    endpoint: Endpoint,
    page: u64,
    mut response: reqwest::Response,
    cap: usize,
    allowance: &ByteAllowance,
    transport: impl Fn(&reqwest::Error) -> ApiError,
) -> Result<Vec<u8>, ApiError> {
    let too_large =
        || ApiError::Decode { endpoint, page, detail: format!("response body larger than {cap} bytes") };
    let over_allowance = || ApiError::AccountTooLarge { endpoint, limit: allowance.limit() };
    if let Some(length) = response.content_length() {
        if length > cap as u64 {
            return Err(too_large());
        }
        if length > allowance.remaining() as u64 {
            return Err(over_allowance());
        }
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > cap {
                    return Err(too_large());
                }
                allowance.take(chunk.len()).map_err(|_| over_allowance())?;
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(err) => return Err(transport(&err)),
        }
    }
}

/// The envelope of a 2xx answer, `decoded` one way or another, if it says
/// it succeeded; its `errors[]` as [`ApiError::Unsuccessful`] otherwise.
pub(crate) fn successful<T>(
    endpoint: Endpoint,
    page: u64,
    decoded: Result<Envelope<T>, serde_json::Error>,
) -> Result<Envelope<T>, ApiError> {
    let envelope = decoded.map_err(|e| ApiError::Decode { endpoint, page, detail: e.to_string() })?;
    if !envelope.success {
        return Err(ApiError::Unsuccessful { endpoint, errors: envelope.errors });
    }
    Ok(envelope)
}

/// `errors[]` of a failed response's envelope; empty when the body is not one
/// (an HTML error page, say).
pub(crate) fn error_entries(body: &[u8]) -> Vec<ApiMessage> {
    serde_json::from_slice::<Envelope<serde::de::IgnoredAny>>(body).map(|e| e.errors).unwrap_or_default()
}

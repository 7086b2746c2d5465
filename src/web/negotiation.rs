//! Content negotiation for `/metrics`: does the client take gzip?
//! `Accept-Encoding` as RFC 9110 §12.5.3 defines it, q-values included.

use hyper::HeaderMap;
use hyper::header::ACCEPT_ENCODING;

/// True when the request's `Accept-Encoding` allows gzip: `gzip` (or
/// `x-gzip`) with a q-value above 0, or `*` above 0 when gzip is not named.
/// Without the header, or with anything unreadable, the answer is no.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut named = None;
    let mut wildcard = None;
    for value in headers.get_all(ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let quality = parts.find_map(|p| {
                let (key, q) = p.split_once('=')?;
                key.trim().eq_ignore_ascii_case("q").then(|| q.trim().parse::<f32>().unwrap_or(0.0))
            });
            let acceptable = quality.is_none_or(|q| q > 0.0);
            if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                named = Some(named.unwrap_or(false) || acceptable);
            } else if coding == "*" {
                wildcard = Some(acceptable);
            }
        }
    }
    named.or(wildcard).unwrap_or(false)
}

#[cfg(test)]
mod tests;

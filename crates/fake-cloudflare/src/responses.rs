//! The fake's answers as Cloudflare's v4 API shapes them: the JSON envelope
//! and error objects, list pages with `result_info`, the set and identity
//! provider objects, and a body that can be cut off mid-way.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use crate::data::{FakeAccount, FakeCertificate, FakeIdentityProvider, FakeSet};
use crate::knobs::Knobs;

/// The response body: whole, or cut off after its first bytes.
#[derive(Debug)]
pub struct FakeBody {
    data: Option<Bytes>,
    cut_off: bool,
}

impl Body for FakeBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.data.take() {
            Some(data) => Poll::Ready(Some(Ok(Frame::data(data)))),
            None if self.cut_off => {
                self.cut_off = false;
                Poll::Ready(Some(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut off"))))
            }
            None => Poll::Ready(None),
        }
    }
}

/// What a handler answers.
pub(crate) type Answer = Response<FakeBody>;

/// A JSON answer with this status.
pub(crate) fn respond(status: u16, body: impl Into<Bytes>) -> Answer {
    let mut response = Response::new(FakeBody { data: Some(body.into()), cut_off: false });
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Sends half of the body, then fails the connection; `Content-Length`
/// claims more than is sent, so the client sees the cut.
pub(crate) fn cut_off_mid_body(response: &mut Answer) {
    let body = response.body_mut();
    let Some(data) = body.data.take() else { return };
    let sent = data.slice(..data.len() / 2);
    let claimed = sent.len() as u64 * 2 + 1;
    body.data = Some(sent);
    body.cut_off = true;
    response.headers_mut().insert(hyper::header::CONTENT_LENGTH, HeaderValue::from(claimed));
}

/// A successful envelope around `result`.
pub(crate) fn success(result: Value) -> Value {
    json!({"success": true, "errors": [], "messages": [], "result": result})
}

/// A failed envelope with one Cloudflare error code.
pub(crate) fn failure(status: u16, code: u32, message: &str) -> Answer {
    let body = json!({"success": false, "errors": [{"code": code, "message": message}], "messages": [], "result": null});
    respond(status, body.to_string())
}

/// Cloudflare's answer to a path it does not know.
pub(crate) fn no_route(path: &str) -> Answer {
    failure(404, 7003, &format!("Could not route to {path}, perhaps your object identifier is invalid?"))
}

/// How a fault bends pagination.
#[derive(Debug, Default)]
pub(crate) struct Pagination {
    /// Report this many `total_pages`.
    pub(crate) total_pages: Option<u64>,
    /// Answer every page with page 1 and claim more.
    pub(crate) same_page: bool,
    /// Send half of a list page, then cut the connection.
    pub(crate) cut_off: bool,
}

/// A list endpoint's documented `per_page` default and maximum.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListLimits {
    pub(crate) default: u64,
    pub(crate) max: u64,
}

/// One page of a list, or a 400 message when `per_page` is above the
/// documented maximum: stricter than Cloudflare promises to be, so that a
/// client asking for too much is caught here rather than in production.
pub(crate) fn list(
    items: Vec<Value>,
    page: u64,
    requested: Option<u64>,
    limits: ListLimits,
    knobs: &Knobs,
    pagination: &Pagination,
) -> Result<Value, String> {
    let requested = requested.unwrap_or(limits.default);
    if requested > limits.max {
        return Err(format!("per_page must be at most {}", limits.max));
    }
    let per_page = requested.clamp(1, knobs.page_cap.clamp(1, limits.max));
    let page = if pagination.same_page { 1 } else { page };
    let total = items.len() as u64;
    let start = ((page - 1).saturating_mul(per_page)).min(total) as usize;
    let end = (start as u64 + per_page).min(total) as usize;
    let result: Vec<Value> = items[start..end].to_vec();
    let count = result.len();
    let (mut reported_per_page, mut total_count, mut total_pages) =
        (per_page, total, total.div_ceil(per_page).max(1));
    if pagination.same_page {
        // A page that looks full, of a list that never ends: the walk can
        // only stop on seeing nothing new.
        (reported_per_page, total_count, total_pages) = (count.max(1) as u64, u64::MAX / 2, u64::MAX / 2);
    }
    if let Some(n) = pagination.total_pages {
        total_pages = n;
    }
    let mut body = success(Value::Array(result));
    if knobs.echo_requested_per_page {
        reported_per_page = requested;
    }
    if !knobs.omit_result_info {
        body["result_info"] = json!({
            "page": page, "per_page": reported_per_page, "count": count,
            "total_count": total_count, "total_pages": total_pages,
        });
        if knobs.omit_total_count {
            let info = body["result_info"].as_object_mut().expect("an object");
            info.remove("total_count");
            info.remove("total_pages");
        }
    }
    Ok(body)
}

fn certificate_json(cert: &FakeCertificate, is_current: bool) -> Value {
    json!({"uid": cert.uid, "public_certificate": cert.pem, "not_after": cert.not_after, "is_current": is_current})
}

/// How a set without a previous certificate says so. Cloudflare's schema
/// allows null, the documented examples show `{}`, and a client may leave the
/// key out: the fake picks one per set from its UID, so every data set with
/// a few sets shows all three and a test can choose one by UID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AbsentPrevious {
    /// `"previous_certificate": null`.
    Null,
    /// No `previous_certificate` key.
    Missing,
    /// `"previous_certificate": {}`.
    EmptyObject,
}

impl AbsentPrevious {
    /// The shape the fake uses for the set `uid`.
    pub fn for_set(uid: &str) -> Self {
        match uid.bytes().map(u32::from).sum::<u32>() % 3 {
            0 => Self::EmptyObject,
            1 => Self::Null,
            _ => Self::Missing,
        }
    }
}

/// A certificate set object.
pub(crate) fn set_json(set: &FakeSet) -> Value {
    let mut value = json!({
        "uid": set.uid, "created_at": set.created_at, "updated_at": set.updated_at,
        "current_certificate": set.current.as_ref().map(|c| certificate_json(c, true)),
    });
    match (&set.previous, AbsentPrevious::for_set(&set.uid)) {
        (Some(previous), _) => value["previous_certificate"] = certificate_json(previous, false),
        (None, AbsentPrevious::Null) => value["previous_certificate"] = Value::Null,
        (None, AbsentPrevious::EmptyObject) => value["previous_certificate"] = json!({}),
        (None, AbsentPrevious::Missing) => {}
    }
    value
}

/// An account object of `GET /accounts`.
pub(crate) fn account_json(account: &FakeAccount) -> Value {
    json!({
        "id": account.id, "name": account.name, "type": account.account_type.as_str(),
        "created_on": "2020-01-01T00:00:00Z",
        "settings": {"enforce_twofactor": false, "abuse_contact_email": null},
    })
}

/// An identity provider object, with the `config` its type has; a SAML IdP
/// with a set of `sets` embeds that set, as Cloudflare does.
pub(crate) fn idp_json(idp: &FakeIdentityProvider, sets: &[FakeSet]) -> Value {
    let mut value = json!({
        "name": idp.name, "type": idp.kind, "config": {}, "read_only": false,
        "scim_config": {
            "enabled": false, "group_member_deprovision": false, "seat_deprovision": false,
            "user_deprovision": false, "identity_update_behavior": "no_action",
        },
    });
    if !idp.id.is_empty() {
        value["id"] = json!(idp.id);
    }
    if idp.kind == "saml" {
        value["config"] = json!({
            "enable_encryption": idp.enable_encryption,
            "issuer_url": idp.issuer_url,
            "sso_target_url": "https://idp.example.com/sso",
            "idp_public_certs": idp.signing_certificates,
            "sign_request": false,
        });
        if let Some(uid) = &idp.certificate_set_id {
            // Cloudflare promises the id only once encryption is on; the
            // embedded set names it whenever one is assigned.
            if idp.enable_encryption {
                value["saml_certificate_set_id"] = json!(uid);
            }
            if let Some(set) = sets.iter().find(|s| &s.uid == uid) {
                value["saml_certificate_set"] = set_json(set);
            }
        }
    } else {
        value["config"] = json!({"client_id": "demo-client", "client_secret": "**********"});
    }
    value
}

#[cfg(test)]
mod tests;

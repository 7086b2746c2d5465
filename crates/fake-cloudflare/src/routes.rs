//! Answering one request: credentials and the per-token rate limit, holds
//! and faults first, then the route: the account list, the Access lists
//! and creating a set; the applications' page is made in `app_routes`, the
//! single-set reads and the rotation in `set_routes`, reading and replacing
//! one identity provider in `idp_routes`.

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request};
use serde_json::Value;
use tokio::time::Instant;

use crate::clock::{rfc3339, unix_now};
use crate::data::{FakeData, FakeSet};
use crate::demo_data::uuid;
use crate::knobs::FaultKind;
use crate::locks::lock;
use crate::rate_limit::{Verdict, add_headers};
use crate::responses::{
    Answer, ListLimits, Pagination, account_json, cut_off_mid_body, failure, idp_json, list, no_route,
    respond, set_json, success,
};
use crate::server::{RecordedRequest, Shared};
use crate::tokens::{Identity, identify, verification_json};
use crate::{app_routes, idp_routes, set_routes};

/// Answers `request`: counts it against its credential's rate limit (a 429
/// when over), then answers it, with the rate-limit headers either way.
pub(crate) async fn answer(shared: &Shared, request: Request<Incoming>) -> Answer {
    let identity = identify(&lock(&shared.data), &request);
    let limit = lock(&shared.knobs).rate_limit.clone();
    let verdict = match (&identity, &limit) {
        (Some(identity), Some(limit)) => {
            Some(lock(&shared.rate_limiter).admit(identity.key(), limit, Instant::now()))
        }
        _ => None,
    };
    let mut response = match verdict {
        Some(Verdict::Refused { .. }) => {
            shared.record(RecordedRequest {
                method: request.method().to_string(),
                uri: request.uri().to_string(),
                authenticated: true,
                received_at: Instant::now(),
                body: String::new(),
            });
            failure(
                429,
                10100,
                "More than 1200 requests per 300 seconds reached. Please wait and consider throttling your request speed",
            )
        }
        _ => answer_admitted(shared, request, identity).await,
    };
    if let (Some(verdict), Some(limit)) = (verdict, &limit) {
        add_headers(&mut response, verdict, limit);
    }
    response
}

/// Answers an admitted request: logs it, waits for any hold, applies any
/// fault, then routes it.
async fn answer_admitted(shared: &Shared, request: Request<Incoming>, identity: Option<Identity>) -> Answer {
    let received_at = Instant::now();
    let (request, body) = request.into_parts();
    let Some(body) = read_body(body).await else {
        return failure(413, 10001, "request body too large or unreadable");
    };
    let path = request.uri.path().to_owned();
    let authenticated = identity.is_some();
    let (fault, holds) = {
        let mut knobs = lock(&shared.knobs);
        (knobs.take_fault(&path), knobs.holds_for(&path))
    };
    shared.record(RecordedRequest {
        method: request.method.to_string(),
        uri: request.uri.to_string(),
        authenticated,
        received_at,
        body: body.clone(),
    });
    for hold in holds {
        hold.park().await;
    }
    let mut pagination = Pagination::default();
    match fault {
        Some(FaultKind::Respond { status, headers, body }) => {
            let mut response = respond(status, body);
            for (name, value) in headers {
                if let (Ok(name), Ok(value)) =
                    (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value))
                {
                    response.headers_mut().insert(name, value);
                }
            }
            return response;
        }
        Some(FaultKind::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(FaultKind::Oversized(bytes)) => {
            let body = format!(
                "{{\"success\":true,\"errors\":[],\"padding\":\"{}\",\"result\":[]}}",
                "x".repeat(bytes)
            );
            return respond(200, body);
        }
        Some(FaultKind::HugePages(bytes)) => {
            let page = query_number(request.uri.query().unwrap_or(""), "page").unwrap_or(1);
            return respond(200, huge_page(page, bytes));
        }
        Some(FaultKind::TotalPages(n)) => pagination.total_pages = Some(n),
        Some(FaultKind::SamePageForever) => pagination.same_page = true,
        Some(FaultKind::ResetMidBody) => pagination.cut_off = true,
        None => {}
    }
    let Some(identity) = identity else {
        return failure(403, 10000, "Authentication error");
    };
    if lock(&shared.knobs).token_revoked {
        return failure(403, 9109, "Invalid access token");
    }
    let query = request.uri.query().unwrap_or("");
    route(shared, &identity, &request.method, &path, query, &pagination, &body)
}

/// A request body as text, at most 1 MiB; `None` past that or when unreadable.
async fn read_body(body: Incoming) -> Option<String> {
    let bytes = Limited::new(body, 1 << 20).collect().await.ok()?.to_bytes();
    String::from_utf8(bytes.to_vec()).ok()
}

fn route(
    shared: &Shared,
    identity: &Identity,
    method: &Method,
    path: &str,
    query: &str,
    pagination: &Pagination,
    body: &str,
) -> Answer {
    let segments: Vec<&str> =
        path.trim_start_matches("/client/v4").split('/').filter(|s| !s.is_empty()).collect();
    // A token scoped to other accounts is refused as Cloudflare does.
    if let ["accounts", account_id, ..] = segments.as_slice()
        && !identity.may_read(account_id)
    {
        return failure(403, 10000, "Authentication error");
    }
    let page = query_number(query, "page").unwrap_or(1).max(1);
    let requested = query_number(query, "per_page");
    let knobs = lock(&shared.knobs).clone();
    let mut data = lock(&shared.data);
    let listed = match (method, segments.as_slice()) {
        (&Method::GET, ["accounts"]) => {
            if data.account_owned_token {
                return failure(403, 1001, "List accounts endpoint does not support account owned tokens");
            }
            let items: Vec<Value> = data.accounts.iter().map(account_json).collect();
            let items = identity.visible(items);
            list(items, page, requested, ListLimits { default: 20, max: 50 }, &knobs, pagination)
        }
        (&Method::GET, ["accounts", id]) => {
            return match data.account(id) {
                Some(account) => respond(200, success(account_json(account)).to_string()),
                None => failure(
                    404,
                    7003,
                    "Could not route to /accounts, perhaps your object identifier is invalid?",
                ),
            };
        }
        (&Method::GET, ["accounts", id, "access", "saml_certificates"]) => match data.account(id) {
            Some(account) => {
                let items = account.sets.iter().map(set_json).collect();
                list(items, page, requested, ListLimits { default: 25, max: 1000 }, &knobs, pagination)
            }
            None => return no_route(path),
        },
        (&Method::GET, ["accounts", id, "access", "identity_providers"]) => match data.account(id) {
            Some(account) => {
                let items = account.identity_providers.iter().map(|i| idp_json(i, &account.sets)).collect();
                list(items, page, requested, ListLimits { default: 200, max: 1000 }, &knobs, pagination)
            }
            None => return no_route(path),
        },
        (&Method::GET, ["accounts", id, "access", "apps"]) => match data.account(id) {
            Some(account) => app_routes::list_applications(account, page, requested, &knobs, pagination),
            None => return no_route(path),
        },
        (&Method::POST, ["accounts", id, "access", "identity_providers", _, "saml_certificate"])
            if knobs.saml_encryption_disabled.iter().any(|a| a == id) =>
        {
            return failure(403, 12129, "SAML encryption not enabled for organization");
        }
        (&Method::POST, ["accounts", id, "access", "identity_providers", idp, "saml_certificate"]) => {
            return create_set(&mut data, id, idp);
        }
        (&Method::GET, ["accounts", id, "access", "identity_providers", idp]) => {
            return idp_routes::get_identity_provider(&data, id, idp);
        }
        (&Method::PUT, ["accounts", id, "access", "identity_providers", idp]) => {
            return idp_routes::put_identity_provider(&mut data, id, idp, body);
        }
        (&Method::GET, ["accounts", id, "access", "saml_certificates", uid]) => {
            return set_routes::get_set(&data, id, uid);
        }
        (&Method::GET, ["accounts", id, "access", "saml_certificates", uid, "pem"]) => {
            return set_routes::get_pem(&data, id, uid);
        }
        (&Method::POST, ["accounts", id, "access", "saml_certificates", uid, "rotate"]) => {
            return set_routes::rotate_set(&mut data, id, uid);
        }
        // An account-owned token is verified under its account only.
        (&Method::GET, ["user", "tokens", "verify"]) if data.account_owned_token => {
            return failure(401, 1000, "Invalid API Token");
        }
        (&Method::GET, ["user", "tokens", "verify"] | ["accounts", _, "tokens", "verify"]) => {
            let expires_on = knobs.token_expires_on.map(rfc3339);
            return respond(200, verification_json(knobs.token_status, expires_on.as_deref()).to_string());
        }
        _ => return no_route(path),
    };
    let body = match listed {
        Ok(body) => body,
        Err(message) => return failure(400, 1004, &message),
    };
    let mut response = respond(200, body.to_string());
    if pagination.cut_off {
        cut_off_mid_body(&mut response);
    }
    response
}

/// The first `name=` of the query as a number; `None` if absent or not one.
/// Page `page` of an endless identity provider list: one IdP whose name
/// is `bytes` long.
fn huge_page(page: u64, bytes: usize) -> String {
    let name = "x".repeat(bytes);
    format!(
        "{{\"success\":true,\"errors\":[],\"messages\":[],\"result\":[{{\"id\":\"huge-{page}\",\"name\":\"{name}\",\"type\":\"onetimepin\",\"config\":{{}}}}],\"result_info\":{{\"page\":{page},\"per_page\":1,\"count\":1,\"total_count\":1000000}}}}"
    )
}

fn query_number(query: &str, name: &str) -> Option<u64> {
    url::form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == name)?.1.parse().ok()
}

/// `POST .../identity_providers/{idp}/saml_certificate`: the IdP's set if it
/// has one (200), else a new set with a fresh certificate (201).
fn create_set(data: &mut FakeData, account_id: &str, idp_id: &str) -> Answer {
    let Some(account) = data.accounts.iter_mut().find(|a| a.id == account_id) else {
        return no_route(&format!("/accounts/{account_id}"));
    };
    let Some(idp) = account.identity_providers.iter().find(|i| i.id == idp_id && i.kind == "saml") else {
        return failure(404, 12130, "Identity provider not found");
    };
    if let Some(existing) =
        idp.certificate_set_id.as_ref().and_then(|id| account.sets.iter().find(|s| &s.uid == id))
    {
        return respond(200, success(set_json(existing)).to_string());
    }
    let now = unix_now();
    let current = match set_routes::fresh_encryption_certificate(now) {
        Ok(current) => current,
        Err(err) => return failure(500, 10001, &err.to_string()),
    };
    let set = FakeSet {
        uid: uuid(),
        created_at: rfc3339(now),
        updated_at: rfc3339(now),
        current: Some(current),
        previous: None,
    };
    let body = success(set_json(&set)).to_string();
    let uid = set.uid.clone();
    account.sets.push(set);
    if let Some(idp) = account.identity_providers.iter_mut().find(|i| i.id == idp_id) {
        idp.certificate_set_id = Some(uid);
    }
    respond(201, body)
}

#[cfg(test)]
mod tests;

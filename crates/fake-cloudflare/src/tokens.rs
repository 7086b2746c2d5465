//! Who a request is: the fake's main credential (every account), a token
//! scoped to some accounts, or nobody. A scoped token is refused on another
//! account (403, code 10000, as Cloudflare answers) and lists only its own.

use hyper::Request;
use hyper::header::AUTHORIZATION;
use serde_json::Value;

use crate::data::FakeData;

/// A token that may read only some accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedToken {
    /// The token, as `Authorization: Bearer`.
    pub token: String,
    /// The accounts it may read and list.
    pub accounts: Vec<String>,
}

/// The credential a request presented, when the fake accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identity {
    /// The main token or global key: every account.
    Full(String),
    /// A scoped token: its accounts only.
    Scoped(ScopedToken),
}

impl Identity {
    /// The key its rate limit is counted under.
    pub(crate) fn key(&self) -> &str {
        match self {
            Identity::Full(key) => key,
            Identity::Scoped(scoped) => &scoped.token,
        }
    }

    /// Whether it may read `account_id`.
    pub(crate) fn may_read(&self, account_id: &str) -> bool {
        match self {
            Identity::Full(_) => true,
            Identity::Scoped(scoped) => scoped.accounts.iter().any(|a| a == account_id),
        }
    }

    /// `GET /accounts` items (with `id`) it may see.
    pub(crate) fn visible(&self, items: Vec<Value>) -> Vec<Value> {
        items.into_iter().filter(|item| item["id"].as_str().is_some_and(|id| self.may_read(id))).collect()
    }
}

/// The accepted credential of `request`, if any.
pub(crate) fn identify<B>(data: &FakeData, request: &Request<B>) -> Option<Identity> {
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(auth) = header(AUTHORIZATION.as_str()) {
        let token = auth.strip_prefix("Bearer ")?;
        if token == data.token {
            return Some(Identity::Full(token.to_owned()));
        }
        return data.scoped_tokens.iter().find(|s| s.token == token).cloned().map(Identity::Scoped);
    }
    match (&data.global_key, header("x-auth-email"), header("x-auth-key")) {
        (Some((email, key)), Some(e), Some(k)) if e == email && k == key => {
            Some(Identity::Full(e.to_owned()))
        }
        _ => None,
    }
}

/// `GET /user/tokens/verify` or `/accounts/{id}/tokens/verify`: what
/// Cloudflare says of the token that asks, per the knobs.
pub(super) fn verification_json(status: &str, expires_on: Option<&str>) -> Value {
    let mut result = serde_json::json!({"id": "f267e341f3dd4697bd3b9f71dd96247f", "status": status});
    if let Some(expires_on) = expires_on {
        result["expires_on"] = Value::from(expires_on);
    }
    serde_json::json!({
        "success": true, "errors": [], "result": result,
        "messages": [{"code": 10000, "message": "This API Token is valid and active"}],
    })
}

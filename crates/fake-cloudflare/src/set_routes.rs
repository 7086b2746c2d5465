//! The fake's single-set endpoints used by the `encryption` commands: read a
//! set, download its current PEM, rotate it. Creating a set lives beside the
//! lists in `routes`.

use hyper::header::{CONTENT_TYPE, HeaderValue};

use crate::clock::{rfc3339, unix_now};
use crate::data::{FakeCertificate, FakeData, FakeSet};
use crate::demo_data::certificate;
use crate::demo_data::uuid;
use crate::mint::MintError;
use crate::responses::{Answer, failure, no_route, respond, set_json, success};

/// Cloudflare's message for an unknown set (its error code is not
/// documented; this one is the fake's own).
const NO_SUCH_SET: (u16, u32, &str) = (404, 12131, "SAML certificate set does not exist");

/// `GET .../saml_certificates/{uid}`.
pub(crate) fn get_set(data: &FakeData, account_id: &str, set_uid: &str) -> Answer {
    match find(data, account_id, set_uid) {
        Ok(set) => respond(200, success(set_json(set)).to_string()),
        Err(missing) => missing.answer(account_id),
    }
}

/// `GET .../saml_certificates/{uid}/pem`: the current certificate as
/// `application/x-pem-file`.
pub(crate) fn get_pem(data: &FakeData, account_id: &str, set_uid: &str) -> Answer {
    let set = match find(data, account_id, set_uid) {
        Ok(set) => set,
        Err(missing) => return missing.answer(account_id),
    };
    let Some(current) = &set.current else {
        return failure(404, 12132, "SAML certificate set has no current certificate");
    };
    let mut response = respond(200, current.pem.clone());
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/x-pem-file"));
    response
}

/// `POST .../saml_certificates/{uid}/rotate`: a fresh current certificate,
/// the old current one in the previous slot, and any previous certificate
/// dropped, as Cloudflare documents.
pub(crate) fn rotate_set(data: &mut FakeData, account_id: &str, set_uid: &str) -> Answer {
    let Some(account) = data.accounts.iter_mut().find(|a| a.id == account_id) else {
        return Missing::Account.answer(account_id);
    };
    let Some(set) = account.sets.iter_mut().find(|s| s.uid == set_uid) else {
        return Missing::Set.answer(account_id);
    };
    let now = unix_now();
    let fresh = match fresh_encryption_certificate(now) {
        Ok(fresh) => fresh,
        Err(err) => return failure(500, 10001, &err.to_string()),
    };
    set.previous = set.current.replace(fresh);
    set.updated_at = rfc3339(now);
    respond(200, success(set_json(set)).to_string())
}

/// What a lookup did not find.
#[derive(Debug, Clone, Copy)]
enum Missing {
    Account,
    Set,
}

impl Missing {
    fn answer(self, account_id: &str) -> Answer {
        match self {
            Missing::Account => no_route(&format!("/accounts/{account_id}")),
            Missing::Set => {
                let (status, code, message) = NO_SUCH_SET;
                failure(status, code, message)
            }
        }
    }
}

fn find<'a>(data: &'a FakeData, account_id: &str, set_uid: &str) -> Result<&'a FakeSet, Missing> {
    let account = data.account(account_id).ok_or(Missing::Account)?;
    account.sets.iter().find(|s| s.uid == set_uid).ok_or(Missing::Set)
}

/// A new one-year encryption certificate as Cloudflare makes them, valid
/// from `now`.
pub(crate) fn fresh_encryption_certificate(now: i64) -> Result<FakeCertificate, MintError> {
    certificate(&uuid(), now, 0, 365)
}

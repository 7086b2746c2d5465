//! Basic auth for the web server: bcrypt checks that cost the same for an
//! unknown user as for a wrong password, run one at a time, fresh logins
//! ahead of connections that have failed (`turns`); right logins cached,
//! wrong ones remembered for a minute so that sending one again costs no
//! check (`failures`). A flood of wrong passwords thus neither eats the
//! cores nor keeps a never-seen right login waiting behind it.

mod failures;
mod turns;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::locks::lock;
use crate::web::config_file::{WebConfigError, invalid};
use failures::{LoginKey, RecentFailures};
pub use turns::Standing;
use turns::Turns;

/// bcrypt costs above this are refused: each step doubles the time of a
/// login check, and 16 already takes seconds on a small machine.
pub const MAX_BCRYPT_COST: u32 = 16;

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The outcome of a basic-auth check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login {
    /// Known user, right password.
    Allowed,
    /// Anything else: no or malformed header, unknown user, wrong password.
    Denied,
    /// Too many uncached checks of its standing are already waiting;
    /// answered without one.
    Busy,
}

/// Uncached checks allowed to wait for their turn at each standing; more
/// get [`Login::Busy`] at once instead of piling up connections. Clean
/// checks have room for every connection a scraper fleet opens at once.
const MAX_WAITING_CHECKS: usize = 256;

/// How long a wrong login is refused without a check.
const FAILURE_MEMORY: Duration = Duration::from_secs(60);

/// How many wrong logins are remembered at most (32 bytes each).
const MAX_REMEMBERED_FAILURES: usize = 4096;

/// Basic auth against bcrypt hashes. Unknown users are checked against a
/// dummy hash as slow as the slowest real one, so a wrong user name costs the
/// same time as a wrong password. Successes are cached (by a SHA-256 of
/// user and password), so guesses cannot evict the scraper's cached login;
/// failures are remembered briefly and in bounded number, so a repeated
/// guess costs no bcrypt, while a new guess always does.
pub struct BasicAuth {
    users: BTreeMap<String, String>,
    dummy_cost: u32,
    dummy_hash: OnceLock<String>,
    allowed: Mutex<HashSet<LoginKey>>,
    failed: Mutex<RecentFailures>,
    // bcrypt is deliberately slow: one check at a time keeps a flood of
    // guesses from eating every core, and bounded queues keep it from
    // holding every connection.
    turns: Arc<Turns>,
}

impl BasicAuth {
    /// How many users may log in.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    pub(crate) fn new(users: BTreeMap<String, String>) -> Result<Self, WebConfigError> {
        let mut dummy_cost = 4; // bcrypt's minimum
        for (user, hash) in &users {
            let parts = hash
                .parse::<bcrypt::HashParts>()
                .map_err(|e| invalid("basic_auth_users", format!("{user}: not a bcrypt hash ({e})")))?;
            if parts.get_cost() > MAX_BCRYPT_COST {
                return Err(invalid(
                    "basic_auth_users",
                    format!(
                        "{user}: bcrypt cost {} would make every uncached login take minutes; use at most {MAX_BCRYPT_COST} (10 is usual)",
                        parts.get_cost()
                    ),
                ));
            }
            dummy_cost = dummy_cost.max(parts.get_cost());
        }
        Ok(Self {
            users,
            dummy_cost,
            dummy_hash: OnceLock::new(),
            allowed: Default::default(),
            failed: Mutex::new(RecentFailures::new(FAILURE_MEMORY, MAX_REMEMBERED_FAILURES)),
            turns: Turns::new(MAX_WAITING_CHECKS),
        })
    }

    /// A hash as slow as the slowest real one, made on first need so that
    /// start-up (and the web-config fuzzer) does not pay for it.
    fn dummy_hash(&self) -> &str {
        self.dummy_hash.get_or_init(|| {
            bcrypt::hash("not-a-real-password", self.dummy_cost).unwrap_or_else(|_| {
                // Unreachable for costs new() accepted; an empty hash
                // simply never verifies.
                String::new()
            })
        })
    }

    /// Whether an `Authorization` header value grants access; an uncached
    /// check waits for its turn at `standing` (that of its connection).
    pub async fn check(self: &Arc<Self>, authorization: Option<&str>, standing: Standing) -> Login {
        let Some((user, password)) = authorization.and_then(decode_basic) else { return Login::Denied };
        // Length-prefixed, so no two (user, password) pairs share a key.
        let mut digest = Sha256::new();
        digest.update((user.len() as u64).to_be_bytes());
        digest.update(user.as_bytes());
        digest.update(password.as_bytes());
        let key: LoginKey = digest.finalize().into();
        if let Some(known) = self.known(&key) {
            return known;
        }
        let Ok(_turn) = self.turns.take(standing).await else { return Login::Busy };
        // The same login may have been checked while this one waited (a
        // scraper's parallel requests with a new password): one check.
        if let Some(known) = self.known(&key) {
            return known;
        }
        let this = Arc::clone(self);
        let verdict = tokio::task::spawn_blocking(move || {
            let (hash, known_user) = match this.users.get(&user) {
                Some(hash) => (hash.as_str(), true),
                None => (this.dummy_hash(), false),
            };
            bcrypt::verify(&password, hash).unwrap_or(false) && known_user
        })
        .await
        .unwrap_or(false);
        if !verdict {
            lock(&self.failed).insert(key);
            return Login::Denied;
        }
        let mut allowed = lock(&self.allowed);
        // Only right passwords get here, so this stays as small as the
        // number of users unless passwords keep changing.
        if allowed.len() > 1_000 {
            allowed.clear();
        }
        allowed.insert(key);
        Login::Allowed
    }

    /// The verdict on `key` if it needs no check: a cached success or a
    /// recent failure.
    fn known(&self, key: &LoginKey) -> Option<Login> {
        if lock(&self.allowed).contains(key) {
            return Some(Login::Allowed);
        }
        lock(&self.failed).contains(key).then_some(Login::Denied)
    }
}

fn decode_basic(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ").or_else(|| header.strip_prefix("basic "))?;
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests;

//! Basic auth for the web server: bcrypt checks that cost the same for an
//! unknown user as for a wrong password, run one at a time with a bounded
//! queue, and cache only successful logins.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};

use crate::locks::lock;
use crate::web::config_file::{WebConfigError, invalid};

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
    /// Too many uncached checks are already waiting; answered without one.
    Busy,
}

/// Uncached checks allowed to wait for their turn; more get [`Login::Busy`]
/// at once instead of piling up connections.
const MAX_WAITING_CHECKS: usize = 32;

/// Basic auth against bcrypt hashes. Unknown users are checked against a
/// dummy hash as slow as the slowest real one, so a wrong user name costs the
/// same time as a wrong password. Only successes are cached (by a SHA-256 of
/// user and password): guesses always pay for bcrypt and cannot evict the
/// scraper's cached login.
pub struct BasicAuth {
    users: BTreeMap<String, String>,
    dummy_cost: u32,
    dummy_hash: OnceLock<String>,
    allowed: std::sync::Mutex<HashSet<[u8; 32]>>,
    // bcrypt is deliberately slow: one check at a time keeps a flood of
    // guesses from eating every core, and a bounded queue keeps it from
    // holding every connection.
    serial: tokio::sync::Semaphore,
    waiting: tokio::sync::Semaphore,
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
            serial: tokio::sync::Semaphore::new(1),
            waiting: tokio::sync::Semaphore::new(MAX_WAITING_CHECKS),
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

    /// Whether an `Authorization` header value grants access.
    pub async fn check(self: &Arc<Self>, authorization: Option<&str>) -> Login {
        let Some((user, password)) = authorization.and_then(decode_basic) else { return Login::Denied };
        // Length-prefixed, so no two (user, password) pairs share a key.
        let mut digest = Sha256::new();
        digest.update((user.len() as u64).to_be_bytes());
        digest.update(user.as_bytes());
        digest.update(password.as_bytes());
        let key: [u8; 32] = digest.finalize().into();
        if lock(&self.allowed).contains(&key) {
            return Login::Allowed;
        }
        let Ok(_waiting) = self.waiting.try_acquire() else { return Login::Busy };
        let Ok(_turn) = self.serial.acquire().await else { return Login::Denied };
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

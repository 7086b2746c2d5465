//! What the server remembers about one client connection: when the
//! response being written must be out ([`WriteDeadline`]) and how many
//! logins it has failed, which decides where its next uncached login waits
//! ([`Standing`]) and how long its next 401 is held back.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::web::basic_auth::Standing;
use crate::web::write_deadline::WriteDeadline;

/// Each failed login after the first on a connection holds its 401 back
/// this much longer: a typo costs nothing, a guesser on a keep-alive
/// connection slows down.
const FAILED_LOGIN_DELAY_STEP: Duration = Duration::from_millis(100);

/// The longest a 401 is held back.
const MAX_FAILED_LOGIN_DELAY: Duration = Duration::from_secs(2);

/// One client connection's state.
#[derive(Debug, Default)]
pub struct Connection {
    deadline: Arc<WriteDeadline>,
    failed_logins: AtomicU32,
}

impl Connection {
    /// The deadline its IO enforces (see [`crate::web::write_deadline`]).
    pub fn deadline(&self) -> &Arc<WriteDeadline> {
        &self.deadline
    }

    /// Where its uncached logins wait: behind fresh connections once it
    /// has failed one.
    pub fn standing(&self) -> Standing {
        if self.failed_logins.load(Ordering::Relaxed) == 0 { Standing::Clean } else { Standing::Failing }
    }

    /// Counts a failed login; returns how long to hold its 401 back.
    pub fn login_failed(&self) -> Duration {
        let before = self.failed_logins.fetch_add(1, Ordering::Relaxed);
        FAILED_LOGIN_DELAY_STEP.saturating_mul(before).min(MAX_FAILED_LOGIN_DELAY)
    }
}

//! A lock that outlives a panicked holder: every mutex of the fake guards
//! plain data that a panic cannot leave half-written, and one failed test
//! must not poison the fake for the requests after it.

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`, even if a holder panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

//! The bytes one account's refresh may read from Cloudflare, over every page
//! of every list (`--cloudflare.max-account-bytes`). The body cap bounds one
//! response; this bounds their sum, so a server that sends many pages just
//! under the body cap cannot make one account hold gigabytes.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes left to one account's refresh; pages read at the same time share it.
#[derive(Debug)]
pub struct ByteAllowance {
    limit: usize,
    used: AtomicUsize,
}

/// Reading on would pass the allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverAllowance {
    /// The allowance it was made with.
    pub limit: usize,
}

impl ByteAllowance {
    /// `limit` bytes in all.
    pub fn new(limit: usize) -> Self {
        Self { limit, used: AtomicUsize::new(0) }
    }

    /// No limit beyond each response's body cap.
    pub fn unlimited() -> Self {
        Self::new(usize::MAX)
    }

    /// The allowance it was made with.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes that may still be read.
    pub fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.used.load(Ordering::Relaxed))
    }

    /// Counts `bytes` as read; `Err` once the sum passes the limit (the bytes
    /// stay counted: the refresh is over either way).
    pub fn take(&self, bytes: usize) -> Result<(), OverAllowance> {
        let before = self.used.fetch_add(bytes, Ordering::Relaxed);
        if before.saturating_add(bytes) > self.limit {
            return Err(OverAllowance { limit: self.limit });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sum_of_reads_is_bounded_not_each_read() {
        let allowance = ByteAllowance::new(100);
        assert_eq!(allowance.take(60), Ok(()));
        assert_eq!(allowance.remaining(), 40);
        assert_eq!(allowance.take(40), Ok(()));
        assert_eq!(allowance.take(1), Err(OverAllowance { limit: 100 }));
        assert_eq!(allowance.remaining(), 0);
        assert_eq!(ByteAllowance::unlimited().take(usize::MAX), Ok(()));
    }
}

//! Which accounts this replica reads (`--shard N --total-shards M`) and
//! where in the interval each account's read falls, both from one stable
//! hash of the account ID that never changes between versions:
//!
//! - `h = SHA-256(account_id lower-cased, as UTF-8)`, so a replica given
//!   `--account-id` in capitals agrees with one that discovered the ID;
//! - the shard is the first 8 bytes of `h`, big-endian, modulo M;
//! - the slot is the next 8 bytes of `h`, big-endian, divided by 2^64: the
//!   account's fraction of the interval.

use sha2::{Digest, Sha256};

/// The part of the accounts this replica reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    ordinal: u64,
    total: u64,
}

/// `--shard`/`--total-shards` that name no shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// `--total-shards 0`.
    #[error("--total-shards must be at least 1")]
    NoShards,
    /// `--shard` not below `--total-shards`.
    #[error("--shard {ordinal} is not below --total-shards {total} (shards are numbered from 0)")]
    OutOfRange {
        /// `--shard`.
        ordinal: u64,
        /// `--total-shards`.
        total: u64,
    },
}

impl Default for Shard {
    fn default() -> Self {
        Self::ALL
    }
}

impl Shard {
    /// Every account: no sharding.
    pub const ALL: Shard = Shard { ordinal: 0, total: 1 };

    /// Shard `ordinal` (from 0) of `total`.
    pub fn new(ordinal: u64, total: u64) -> Result<Self, ShardError> {
        if total == 0 {
            return Err(ShardError::NoShards);
        }
        if ordinal >= total {
            return Err(ShardError::OutOfRange { ordinal, total });
        }
        Ok(Self { ordinal, total })
    }

    /// This shard's number, from 0.
    pub fn ordinal(&self) -> u64 {
        self.ordinal
    }

    /// How many shards there are.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Whether this replica reads `account_id`.
    pub fn owns(&self, account_id: &str) -> bool {
        shard_of(account_id, self.total) == self.ordinal
    }
}

/// The shard of `account_id` among `total` (at least 1).
pub fn shard_of(account_id: &str, total: u64) -> u64 {
    hash_word(account_id, 0) % total.max(1)
}

/// The account's stable place in the interval, in `[0, 1)`.
pub fn slot_of(account_id: &str) -> f64 {
    hash_word(account_id, 1) as f64 / 2f64.powi(64)
}

/// The `index`-th big-endian 8-byte word of the account ID's SHA-256.
fn hash_word(account_id: &str, index: usize) -> u64 {
    let digest = Sha256::digest(account_id.to_ascii_lowercase().as_bytes());
    let mut word = [0u8; 8];
    word.copy_from_slice(&digest[index * 8..index * 8 + 8]);
    u64::from_be_bytes(word)
}

#[cfg(test)]
mod tests;

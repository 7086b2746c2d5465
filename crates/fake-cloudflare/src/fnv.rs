//! A stable 64-bit hash (FNV-1a) of bytes, for names that must stay the same
//! for the same content in every run and on every build: ETags and document
//! IDs. Not for anything an attacker chooses against: it is not collision
//! resistant.

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a of `bytes`.
pub(crate) fn fnv1a_64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests;

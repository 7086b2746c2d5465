//! Hostile inputs, bounded (issue 20): a misbehaving Cloudflare API, hostile
//! clients and hostile files against the real binary, on loopback. Each test
//! reproduces one attack and asserts the bound it must stay within (memory
//! from `/proc`, log size, exit codes, answers), never a timing.

// A hostile API: huge lists, long waits, changing garbage, control characters.
mod api;
// Hostile clients: readers that never read, floods of wrong passwords, the
// listener during a hanging discovery.
mod serving;
// Hostile files and flags: paths that are not files, overflowing numbers,
// empty token files, a state file that cannot be trusted.
mod configuration;

//! A finished command's output, read for assertions: its streams as text,
//! its exit code (showing both streams when it is not the one expected),
//! and its standard output as JSON.

use std::process::Output;

use serde_json::Value;

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Fails, showing both streams, unless the command exited with `code`.
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "stdout:\n{}\nstderr:\n{}", stdout(out), stderr(out));
}

/// Standard output parsed as JSON; fails, showing it, when it is not.
#[allow(dead_code)]
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON ({e}):\n{}", stdout(out)))
}

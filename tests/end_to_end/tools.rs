//! The command-line tools the tests drive (promtool, amtool, Alertmanager,
//! Prometheus, systemd-analyze, the test venv's Python, cargo deb,
//! Chromium): found on `PATH` or a failure that says how to get them, and
//! run with a deadline, so a hung tool fails its test instead of the CI run.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::support::repo;
use crate::support::run_to_end::run_to_end_with_input;

/// How long one run of a tool may take.
pub const TOOL_DEADLINE: Duration = Duration::from_secs(180);

/// Whether `name` is an executable file on `PATH`.
pub fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
        .unwrap_or(false)
}

/// The tool `name`, or a failure naming it and where it comes from. Its
/// standard input is empty, so a tool that asks for input ends at once.
pub fn tool(name: &str, comes_from: &str) -> Command {
    assert!(
        on_path(name),
        "`{name}` is needed by this test: {comes_from} (./scripts/install-test-tools.sh installs it)"
    );
    let mut command = Command::new(name);
    command.stdin(Stdio::null());
    command
}

/// The Python of `.venv-test`, which holds the pinned packages of
/// `scripts/test-requirements.txt` (helm-python-sdk, kubernetes-validate,
/// icalendar), or a failure saying how to make it.
pub fn venv_python() -> Command {
    let python = repo(".venv-test/bin/python");
    assert!(
        python.is_file(),
        "{} is needed by this test: a venv with helm-python-sdk, kubernetes-validate and icalendar \
         (./scripts/install-test-tools.sh creates it from scripts/test-requirements.txt)",
        python.display()
    );
    let mut command = Command::new(python);
    command.stdin(Stdio::null());
    command
}

/// Runs `command` to its end within [`TOOL_DEADLINE`].
pub fn run(command: &mut Command) -> Output {
    run_to_end_with_input(command, None, TOOL_DEADLINE)
}

/// Runs `command` to its end within [`TOOL_DEADLINE`], `input` on its
/// standard input.
pub fn run_with_input(command: &mut Command, input: &[u8]) -> Output {
    run_to_end_with_input(command, Some(input), TOOL_DEADLINE)
}

/// Runs `command` to its end within [`TOOL_DEADLINE`]; fails the test with
/// its output unless it succeeded.
pub fn run_ok(command: &mut Command) -> Output {
    let output = run(command);
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

//! Running a command to its end within a time limit: its output read on
//! threads so a full pipe cannot block the deadline, and the process
//! killed by PID past it.

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Runs a command to completion with a time limit covering its exit and
/// the end of its output; past it, the process is killed by PID and the
/// test fails.
pub fn run_to_end(command: &mut Command, limit: Duration) -> Output {
    run_to_end_with_input(command, None, limit)
}

/// Like [`run_to_end`], with `input` (if any) as the command's standard input.
pub fn run_to_end_with_input(command: &mut Command, input: Option<&[u8]>, limit: Duration) -> Output {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    if input.is_some() {
        command.stdin(Stdio::piped());
    }
    let program = command.get_program().to_string_lossy().into_owned();
    let deadline = std::time::Instant::now() + limit;
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let pid = child.id();
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        let input = input.to_vec();
        // A writer thread: a full pipe must not block the deadline. A tool
        // that stops reading early closes the pipe; that is its business.
        std::thread::spawn(move || {
            use std::io::Write as _;
            let _ = stdin.write_all(&input);
        });
    }
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut all = Vec::new();
            let _ = pipe.read_to_end(&mut all);
            let _ = tx.send(all);
        });
        rx
    };
    let stdout = read_all(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read_all(Box::new(child.stderr.take().expect("stderr")));
    let give_up = |child: &mut Child, what: &str| -> ! {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{program} (pid {pid}) {what} within {limit:?}; killed");
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => give_up(&mut child, "did not exit"),
            Err(e) => panic!("cannot wait for {program}: {e}"),
        }
    };
    // Whatever it started may still hold the pipes open: wait only until the deadline.
    let mut collect = |pipe: mpsc::Receiver<Vec<u8>>| {
        pipe.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .unwrap_or_else(|_| give_up(&mut child, "left its output open"))
    };
    let (stdout, stderr) = (collect(stdout), collect(stderr));
    Output { status, stdout, stderr }
}

//! A process's resident memory, read from `/proc/PID/status`: what the
//! hostile tests hold the exporter's bounds against.

/// Resident memory of a process, in bytes.
#[allow(dead_code)] // the hostile tests use it; the end-to-end tier does not
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// `VmRSS`: now.
    pub resident: u64,
    /// `VmHWM`: the most it has held.
    pub peak: u64,
}

#[allow(dead_code)] // the hostile tests use it; the end-to-end tier does not
impl Memory {
    /// `pid`'s memory now (`VmRSS`) and at its peak (`VmHWM`).
    pub fn of(pid: u32) -> Self {
        let path = format!("/proc/{pid}/status");
        let status = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let field = |name: &str| {
            let line =
                status.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name} in {path}"));
            let kib: u64 =
                line[name.len()..].trim().trim_end_matches("kB").trim().parse().expect("a kB figure");
            kib * 1024
        };
        Memory { resident: field("VmRSS:"), peak: field("VmHWM:") }
    }

    /// Megabytes (10^6 bytes), for messages.
    pub fn mb(bytes: u64) -> f64 {
        bytes as f64 / 1e6
    }
}

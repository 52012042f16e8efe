//! Peak resident memory of a process, shared by the benchmarks and the import-memory
//! example (included by `#[path]`, since they live in different crates).

/// The peak resident memory (`VmHWM`) of process `pid` ("self" for this one), in KiB;
/// 0 where `/proc` does not say.
pub fn peak_rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The resident memory (`VmRSS`) of process `pid` now, in KiB; 0 where `/proc` does not
/// say.
#[allow(dead_code)]
pub fn rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Starts the peak of process `pid` again from its present resident memory (Linux:
/// `5` into `clear_refs`), so that the next [`peak_rss_kib`] is the peak of what
/// follows. False where the system does not allow it.
#[allow(dead_code)]
pub fn reset_peak(pid: &str) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

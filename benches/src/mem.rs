//! Resident-memory probes from `/proc/self/status` (Linux).

use std::fs;

/// Current and peak resident set size of this process, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rss {
    /// `VmRSS`.
    pub current: u64,
    /// `VmHWM`: the high-water mark since the start or the last [`reset_peak`].
    pub peak: u64,
}

/// Reads `VmRSS` and `VmHWM`; zeros where `/proc` is not available.
pub fn rss() -> Rss {
    let text = fs::read_to_string("/proc/self/status").unwrap_or_default();
    parse_status(&text)
}

/// Parses the `VmRSS:` and `VmHWM:` lines (values in kB) of a `/proc/PID/status` text.
pub fn parse_status(text: &str) -> Rss {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    Rss {
        current: field("VmRSS:"),
        peak: field("VmHWM:"),
    }
}

/// Returns the allocator's free heap memory to the system (glibc `malloc_trim(0)`), so that
/// memory freed by an earlier phase (e.g. PETSc's AMG hierarchy) does not sit in the resident
/// set and get silently reused by the next phase, which would hide that phase's growth.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: glibc's malloc_trim takes no pointers and may be called at any time.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Resets `VmHWM` to the current RSS (`echo 5 > /proc/self/clear_refs`, Linux ≥ 4.0), so that a
/// later [`rss`] reports the peak of one phase. Returns false where the kernel refuses.
pub fn reset_peak() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_lines() {
        let s = "Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n";
        assert_eq!(
            parse_status(s),
            Rss {
                current: 1024 * 1024,
                peak: 2048 * 1024
            }
        );
        assert_eq!(parse_status(""), Rss::default());
    }

    #[test]
    fn live_process_has_memory() {
        let r = rss();
        if cfg!(target_os = "linux") {
            assert!(r.current > 0 && r.peak >= r.current);
        }
    }
}

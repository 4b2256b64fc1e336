//! Opening broken files gives a clear `Err`, no panic, and nothing on stderr. Kept alone in
//! its own test binary because it redirects the process's stderr while it runs.

mod common;

use galvana_h5::File;
use std::os::fd::AsRawFd;

extern "C" {
    fn dup(fd: i32) -> i32;
    fn dup2(from: i32, to: i32) -> i32;
    fn close(fd: i32) -> i32;
}

/// Run `f` with file descriptor 2 pointed at a file; return what was written there.
fn capture_stderr(f: impl FnOnce()) -> String {
    let log = common::scratch("stderr.log");
    let sink = std::fs::File::create(&log).unwrap();
    // SAFETY: plain descriptor juggling on descriptors this function owns or restores.
    let saved = unsafe { dup(2) };
    assert!(saved >= 0);
    unsafe { dup2(sink.as_raw_fd(), 2) };
    f();
    unsafe {
        dup2(saved, 2);
        close(saved);
    }
    std::fs::read_to_string(&log).unwrap()
}

#[test]
fn broken_files_are_clear_errors() {
    let text = common::scratch("not_hdf5.h5");
    std::fs::write(&text, "this is not an HDF5 file\n".repeat(100)).unwrap();
    let missing = common::scratch("does_not_exist.h5");

    // A valid file cut short: the superblock survives, the data does not.
    let truncated = common::scratch("truncated.h5");
    {
        let f = File::create(&truncated).unwrap();
        let d = f.create_dataset::<f64>("big", &[1000, 10]).unwrap();
        d.write_rows(0, &vec![1.0; 10_000], 10).unwrap();
    }
    let len = std::fs::metadata(&truncated).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&truncated)
        .unwrap()
        .set_len(len / 2)
        .unwrap();

    let mut msgs = Vec::new();
    let stderr = capture_stderr(|| {
        for p in [&text, &missing] {
            let e = File::open(p, false).unwrap_err();
            msgs.push(e.to_string());
        }
        // HDF5 detects the truncation when opening; should a future version defer it, the
        // read must fail instead.
        let e = match File::open(&truncated, false) {
            Err(e) => e,
            Ok(f) => f
                .open_dataset("big")
                .and_then(|d| d.read_all::<f64>())
                .unwrap_err(),
        };
        msgs.push(e.to_string());
    });
    for m in &msgs {
        eprintln!("error message: {m}");
    }
    assert!(
        msgs[0].contains("not_hdf5.h5") && msgs[0].contains("cannot open"),
        "{}",
        msgs[0]
    );
    assert!(
        msgs[0].contains("signature"),
        "root cause missing: {}",
        msgs[0]
    );
    assert!(msgs[1].contains("does_not_exist.h5"), "{}", msgs[1]);
    assert!(
        msgs[2].contains("truncated.h5") && msgs[2].contains("truncated"),
        "{}",
        msgs[2]
    );
    assert!(stderr.is_empty(), "HDF5 printed to stderr:\n{stderr}");
}

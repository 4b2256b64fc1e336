#![no_main]
//! Any bytes: an error or a dataset, never a panic; a dataset has equal-length columns.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(ds) = galvana_instruments::gamry_dta::parse(data, "f") {
        let n = ds.rows();
        assert!(ds.columns().all(|(_, v)| v.len() == n));
    }
});

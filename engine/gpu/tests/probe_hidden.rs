//! With every device hidden by CUDA_VISIBLE_DEVICES (Slurm writes `NoDevFiles` for a job
//! without GPUs), the probe and `Gpu::open` give a typed error without touching the driver,
//! whether or not this machine has one. One test per binary: the probe result is per process.

use galvana_gpu::{probe, Gpu, GpuError};

#[test]
fn hidden_devices_give_a_typed_error_not_a_panic() {
    std::env::set_var("CUDA_VISIBLE_DEVICES", "NoDevFiles");
    match probe::driver() {
        Err(GpuError::NoDevice(m)) => assert!(m.contains("NoDevFiles"), "{m}"),
        other => panic!("expected NoDevice, got {other:?}"),
    }
    let err = Gpu::open(0)
        .err()
        .expect("open must fail with devices hidden");
    assert!(matches!(err, GpuError::NoDevice(_)), "{err}");
}

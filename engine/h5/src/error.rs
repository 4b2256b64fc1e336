//! Errors, the library lock, and small helpers shared by the handle types.

use crate::ffi::{self, hid_t};
use std::cell::{Cell, RefCell};
use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::{c_uint, c_void};
use std::sync::{Mutex, MutexGuard, Once};

/// An HDF5 failure: what was being done to which object of which file, followed by the
/// HDF5 error stack from the API call down to the root cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct H5Error {
    msg: String,
}

impl H5Error {
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        Self { msg: msg.into() }
    }
    /// The full message.
    pub fn message(&self) -> &str {
        &self.msg
    }
}

impl fmt::Display for H5Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for H5Error {}

/// `Result` with [`H5Error`] as the default error.
pub type Result<T, E = H5Error> = std::result::Result<T, E>;

// Debian's parallel HDF5 is not built thread-safe, and Rust (e.g. the test harness) may call
// in from several threads: every entry into the library holds this process-wide lock. It is
// re-entrant per thread because handles are dropped (and closed) inside locked sections.
static LOCK: Mutex<()> = Mutex::new(());
static INIT: Once = Once::new();
thread_local! {
    static HELD: RefCell<(usize, Option<MutexGuard<'static, ()>>)> = const { RefCell::new((0, None)) };
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Proof that this thread holds the library lock.
pub(crate) struct Guard(());

/// Take the library lock, initialising HDF5 on first use.
pub(crate) fn lock() -> Guard {
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        if h.0 == 0 {
            h.1 = Some(LOCK.lock().unwrap_or_else(|p| p.into_inner()));
        }
        h.0 += 1;
    });
    // SAFETY: under the lock; H5open makes the `*_g` global ids valid.
    INIT.call_once(|| unsafe {
        ffi::H5open();
    });
    // Silence the automatic stderr dump; errors are reported through `H5Error` instead. The
    // setting is per thread in thread-safe builds, so apply it once per thread to be sure.
    QUIET.with(|q| {
        if !q.get() {
            // SAFETY: a null callback disables automatic printing.
            unsafe { ffi::H5Eset_auto2(ffi::H5E_DEFAULT, None, std::ptr::null_mut()) };
            q.set(true);
        }
    });
    Guard(())
}

impl Drop for Guard {
    fn drop(&mut self) {
        HELD.with(|h| {
            let mut h = h.borrow_mut();
            h.0 -= 1;
            if h.0 == 0 {
                h.1 = None;
            }
        });
    }
}

unsafe extern "C" fn walk_cb(_n: c_uint, err: *const ffi::H5E_error2_t, data: *mut c_void) -> i32 {
    // SAFETY: HDF5 passes a valid record; `data` is the `Vec<String>` handed to H5Ewalk2.
    let (err, out) = unsafe { (&*err, &mut *(data as *mut Vec<String>)) };
    if !err.desc.is_null() {
        // Some descriptions embed newlines (e.g. a ctime() timestamp): keep messages one line.
        let raw = unsafe { CStr::from_ptr(err.desc) }.to_string_lossy();
        let desc = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if !desc.is_empty() && out.last() != Some(&desc) {
            out.push(desc);
        }
    }
    0
}

/// Drain the current HDF5 error stack into one line, outermost description first.
pub(crate) fn take_stack(_g: &Guard) -> String {
    let mut descs: Vec<String> = Vec::new();
    // SAFETY: under the lock; the callback only touches `descs`.
    unsafe {
        ffi::H5Ewalk2(
            ffi::H5E_DEFAULT,
            ffi::H5E_WALK_DOWNWARD,
            walk_cb,
            &mut descs as *mut Vec<String> as *mut c_void,
        );
        ffi::H5Eclear2(ffi::H5E_DEFAULT);
    }
    if descs.is_empty() {
        "no details on the HDF5 error stack".into()
    } else {
        descs.join(": ")
    }
}

/// An error for the failed call just made: `ctx` plus the HDF5 stack.
pub(crate) fn fail(g: &Guard, ctx: impl fmt::Display) -> H5Error {
    H5Error::new(format!("{ctx}: {}", take_stack(g)))
}

/// Turn a negative id/status into an error with context.
pub(crate) fn check<T: Copy + PartialOrd + Default>(
    g: &Guard,
    ret: T,
    ctx: impl FnOnce() -> String,
) -> Result<T> {
    if ret < T::default() {
        Err(fail(g, ctx()))
    } else {
        Ok(ret)
    }
}

/// A C string for a name, refusing interior NULs.
pub(crate) fn cstring(s: impl AsRef<[u8]>, what: impl FnOnce() -> String) -> Result<CString> {
    CString::new(s.as_ref())
        .map_err(|_| H5Error::new(format!("{}: name contains a NUL byte", what())))
}

/// An owned HDF5 id closed with the matching `H5?close` on drop.
#[derive(Debug)]
pub(crate) struct Handle {
    pub id: hid_t,
    close: unsafe extern "C" fn(hid_t) -> ffi::herr_t,
}

impl Handle {
    pub fn new(
        g: &Guard,
        id: hid_t,
        close: unsafe extern "C" fn(hid_t) -> ffi::herr_t,
        ctx: impl FnOnce() -> String,
    ) -> Result<Self> {
        check(g, id, ctx).map(|id| Self { id, close })
    }
    pub fn space(g: &Guard, id: hid_t, ctx: impl FnOnce() -> String) -> Result<Self> {
        Self::new(g, id, ffi::H5Sclose, ctx)
    }
    pub fn plist(g: &Guard, id: hid_t, ctx: impl FnOnce() -> String) -> Result<Self> {
        Self::new(g, id, ffi::H5Pclose, ctx)
    }
    pub fn dtype(g: &Guard, id: hid_t, ctx: impl FnOnce() -> String) -> Result<Self> {
        Self::new(g, id, ffi::H5Tclose, ctx)
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        let _g = lock();
        // SAFETY: `id` is an open id of the kind `close` expects, closed exactly once.
        if unsafe { (self.close)(self.id) } < 0 {
            // A failed close has nowhere to report to; keep the stack clean for the next call.
            unsafe { ffi::H5Eclear2(ffi::H5E_DEFAULT) };
        }
    }
}

//! Attributes, shared by groups (and so files) and datasets.

use crate::dataset::H5Type;
use crate::error::{check, cstring, lock, Guard, H5Error, Handle, Result};
use crate::ffi::{self, H5P_DEFAULT};
use crate::file::Obj;
use std::os::raw::{c_char, c_void};

impl Obj {
    fn attr_ctx<'a>(&'a self, verb: &'a str, name: &'a str) -> impl Fn() -> String + Copy + 'a {
        move || {
            format!(
                "cannot {verb} attribute '{name}' of {}",
                self.at(&self.path)
            )
        }
    }

    /// (Re)create attribute `name` with type `dtype` and dataspace `space` and write `buf`.
    /// An existing attribute is replaced, so its type or size may change.
    fn write_attr(
        &self,
        g: &Guard,
        name: &str,
        dtype: i64,
        space: &Handle,
        buf: *const c_void,
    ) -> Result<()> {
        let ctx = self.attr_ctx("write", name);
        let c = cstring(name, ctx)?;
        // SAFETY (whole block): valid ids and C string, `buf` matches `dtype` x `space`; locked.
        unsafe {
            if check(g, ffi::H5Aexists(self.h.id, c.as_ptr()), ctx)? > 0 {
                check(g, ffi::H5Adelete(self.h.id, c.as_ptr()), ctx)?;
            }
            let a = Handle::new(
                g,
                ffi::H5Acreate2(
                    self.h.id,
                    c.as_ptr(),
                    dtype,
                    space.id,
                    H5P_DEFAULT,
                    H5P_DEFAULT,
                ),
                ffi::H5Aclose,
                ctx,
            )?;
            check(g, ffi::H5Awrite(a.id, dtype, buf), ctx)?;
        }
        Ok(())
    }

    pub(crate) fn set_attr_num<T: H5Type>(
        &self,
        name: &str,
        values: &[T],
        scalar: bool,
    ) -> Result<()> {
        let g = lock();
        let ctx = self.attr_ctx("write", name);
        let n = values.len() as u64;
        // SAFETY: `n` outlives the call; under the lock.
        let space = Handle::space(
            &g,
            unsafe {
                if scalar {
                    ffi::H5Screate(ffi::H5S_SCALAR)
                } else {
                    ffi::H5Screate_simple(1, &n, std::ptr::null())
                }
            },
            ctx,
        )?;
        let dummy = T::default(); // HDF5 wants a non-null buffer even for zero elements
        let buf = if values.is_empty() {
            &dummy as *const T
        } else {
            values.as_ptr()
        };
        self.write_attr(&g, name, T::native(), &space, buf as *const c_void)
    }

    pub(crate) fn set_attr_str(&self, name: &str, value: &str) -> Result<()> {
        let g = lock();
        let ctx = self.attr_ctx("write", name);
        // Fixed-length, NUL-padded UTF-8: safe for parallel writes (no variable-length heap)
        // and read back as a string by h5py, ParaView and h5dump.
        let bytes: &[u8] = if value.is_empty() {
            b"\0"
        } else {
            value.as_bytes()
        };
        // SAFETY (whole block): valid ids, under the lock.
        unsafe {
            let t = Handle::dtype(&g, ffi::H5Tcopy(ffi::H5T_C_S1_g), ctx)?;
            check(&g, ffi::H5Tset_size(t.id, bytes.len()), ctx)?;
            check(&g, ffi::H5Tset_strpad(t.id, ffi::H5T_STR_NULLPAD), ctx)?;
            check(&g, ffi::H5Tset_cset(t.id, ffi::H5T_CSET_UTF8), ctx)?;
            let space = Handle::space(&g, ffi::H5Screate(ffi::H5S_SCALAR), ctx)?;
            self.write_attr(&g, name, t.id, &space, bytes.as_ptr() as *const c_void)
        }
    }

    /// Open attribute `name`, returning it with its number of elements.
    fn open_attr(&self, g: &Guard, name: &str) -> Result<(Handle, usize)> {
        let ctx = self.attr_ctx("read", name);
        let c = cstring(name, ctx)?;
        // SAFETY: valid ids and C string, under the lock.
        unsafe {
            let a = Handle::new(
                g,
                ffi::H5Aopen(self.h.id, c.as_ptr(), H5P_DEFAULT),
                ffi::H5Aclose,
                ctx,
            )?;
            let space = Handle::space(g, ffi::H5Aget_space(a.id), ctx)?;
            let n = check(g, ffi::H5Sget_simple_extent_npoints(space.id), ctx)?;
            Ok((a, n as usize))
        }
    }

    pub(crate) fn attr_num<T: H5Type>(&self, name: &str) -> Result<Vec<T>> {
        let g = lock();
        let (a, n) = self.open_attr(&g, name)?;
        let mut out = vec![T::default(); n.max(1)];
        // SAFETY: `out` has room for the attribute's `n` elements converted to `T`.
        let r = unsafe { ffi::H5Aread(a.id, T::native(), out.as_mut_ptr() as *mut c_void) };
        check(&g, r, self.attr_ctx("read", name))?;
        out.truncate(n);
        Ok(out)
    }

    pub(crate) fn attr_scalar<T: H5Type>(&self, name: &str) -> Result<T> {
        let v = self.attr_num::<T>(name)?;
        match v.as_slice() {
            [x] => Ok(*x),
            _ => Err(H5Error::new(format!(
                "{}: expected one value, found {}",
                self.attr_ctx("read", name)(),
                v.len()
            ))),
        }
    }

    pub(crate) fn attr_str(&self, name: &str) -> Result<String> {
        let g = lock();
        let ctx = self.attr_ctx("read", name);
        let (a, n) = self.open_attr(&g, name)?;
        // SAFETY (whole block): valid ids; buffers sized from the attribute's own type.
        unsafe {
            let t = Handle::dtype(&g, ffi::H5Aget_type(a.id), ctx)?;
            if ffi::H5Tget_class(t.id) != ffi::H5T_STRING || n != 1 {
                return Err(H5Error::new(format!("{}: not a single string", ctx())));
            }
            // Read with the stored type itself: HDF5 will not convert between character sets.
            if check(&g, ffi::H5Tis_variable_str(t.id), ctx)? > 0 {
                let mut p: *mut c_char = std::ptr::null_mut();
                check(
                    &g,
                    ffi::H5Aread(a.id, t.id, &mut p as *mut *mut c_char as *mut c_void),
                    ctx,
                )?;
                if p.is_null() {
                    return Ok(String::new());
                }
                let s = std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned();
                ffi::H5free_memory(p as *mut c_void);
                return Ok(s);
            }
            let mut buf = vec![0u8; ffi::H5Tget_size(t.id)];
            check(
                &g,
                ffi::H5Aread(a.id, t.id, buf.as_mut_ptr() as *mut c_void),
                ctx,
            )?;
            if let Some(end) = buf.iter().position(|&b| b == 0) {
                buf.truncate(end);
            }
            if ffi::H5Tget_strpad(t.id) == ffi::H5T_STR_SPACEPAD {
                while buf.last() == Some(&b' ') {
                    buf.pop();
                }
            }
            Ok(String::from_utf8_lossy(&buf).into_owned())
        }
    }

    pub(crate) fn has_attr(&self, name: &str) -> Result<bool> {
        let g = lock();
        let ctx = self.attr_ctx("look up", name);
        let c = cstring(name, ctx)?;
        // SAFETY: valid id and C string, under the lock.
        Ok(check(&g, unsafe { ffi::H5Aexists(self.h.id, c.as_ptr()) }, ctx)? > 0)
    }
}

/// Attribute methods for a handle type with an `obj: Obj` field. Writing an attribute on a
/// parallel file is collective: every rank calls with the same value.
macro_rules! impl_attrs {
    ($ty:ty) => {
        impl $ty {
            /// Write a string attribute (replacing any existing one).
            pub fn set_attr_str(&self, name: &str, value: &str) -> Result<(), $crate::H5Error> {
                self.obj.set_attr_str(name, value)
            }
            /// Write a scalar `f64` attribute (replacing any existing one).
            pub fn set_attr_f64(&self, name: &str, value: f64) -> Result<(), $crate::H5Error> {
                self.obj.set_attr_num(name, &[value], true)
            }
            /// Write a scalar `i64` attribute (replacing any existing one).
            pub fn set_attr_i64(&self, name: &str, value: i64) -> Result<(), $crate::H5Error> {
                self.obj.set_attr_num(name, &[value], true)
            }
            /// Write a 1-D `f64` array attribute (replacing any existing one).
            pub fn set_attr_f64_array(
                &self,
                name: &str,
                values: &[f64],
            ) -> Result<(), $crate::H5Error> {
                self.obj.set_attr_num(name, values, false)
            }
            /// Write a 1-D `i64` array attribute (replacing any existing one).
            pub fn set_attr_i64_array(
                &self,
                name: &str,
                values: &[i64],
            ) -> Result<(), $crate::H5Error> {
                self.obj.set_attr_num(name, values, false)
            }
            /// Read a string attribute (fixed- or variable-length).
            pub fn attr_str(&self, name: &str) -> Result<String, $crate::H5Error> {
                self.obj.attr_str(name)
            }
            /// Read a single-valued numeric attribute, converted to `f64`.
            pub fn attr_f64(&self, name: &str) -> Result<f64, $crate::H5Error> {
                self.obj.attr_scalar(name)
            }
            /// Read a single-valued numeric attribute, converted to `i64`.
            pub fn attr_i64(&self, name: &str) -> Result<i64, $crate::H5Error> {
                self.obj.attr_scalar(name)
            }
            /// Read all values of a numeric attribute, converted to `f64`.
            pub fn attr_f64_array(&self, name: &str) -> Result<Vec<f64>, $crate::H5Error> {
                self.obj.attr_num(name)
            }
            /// Read all values of a numeric attribute, converted to `i64`.
            pub fn attr_i64_array(&self, name: &str) -> Result<Vec<i64>, $crate::H5Error> {
                self.obj.attr_num(name)
            }
            /// Whether attribute `name` exists.
            pub fn has_attr(&self, name: &str) -> Result<bool, $crate::H5Error> {
                self.obj.has_attr(name)
            }
        }
    };
}
pub(crate) use impl_attrs;

//! Datasets: fixed-shape arrays written and read in slabs of whole rows.

use crate::error::{check, lock, Guard, H5Error, Handle, Result};
use crate::ffi::{self, hid_t, hsize_t, H5P_DEFAULT};
use crate::file::Obj;
use std::os::raw::c_void;

mod sealed {
    pub trait Sealed {}
}

/// Element types that map onto an HDF5 native type. HDF5 converts between numeric types on
/// read and write, so e.g. an `i32` dataset can be read as `Vec<i64>`.
pub trait H5Type: Copy + Default + sealed::Sealed {
    #[doc(hidden)]
    fn native() -> hid_t;
}

macro_rules! native {
    ($($t:ty => $g:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl H5Type for $t {
            fn native() -> hid_t {
                let _g = lock(); // guarantees H5open() ran, which sets the global id
                // SAFETY: a plain read of an id initialised by H5open.
                unsafe { ffi::$g }
            }
        }
    )*};
}
native!(f64 => H5T_NATIVE_DOUBLE_g, i64 => H5T_NATIVE_INT64_g, u64 => H5T_NATIVE_UINT64_g,
        i32 => H5T_NATIVE_INT32_g, u8 => H5T_NATIVE_UINT8_g);

/// A dataset of fixed shape; "rows" run along the first dimension, a row being all elements
/// with the same first index. Element type is chosen per call (HDF5 converts).
#[derive(Debug)]
pub struct Dataset {
    pub(crate) obj: Obj,
    shape: Vec<u64>,
}

/// The dataset's current extent.
pub(crate) fn extent(g: &Guard, obj: &Obj) -> Result<Vec<u64>> {
    let ctx = || format!("cannot get the shape of dataset {}", obj.at(&obj.path));
    // SAFETY (whole block): valid ids; `dims` has room for `rank` entries; locked.
    unsafe {
        let space = Handle::space(g, ffi::H5Dget_space(obj.h.id), ctx)?;
        let rank = check(g, ffi::H5Sget_simple_extent_ndims(space.id), ctx)?;
        let mut dims = vec![0 as hsize_t; rank as usize];
        check(
            g,
            ffi::H5Sget_simple_extent_dims(space.id, dims.as_mut_ptr(), std::ptr::null_mut()),
            ctx,
        )?;
        Ok(dims)
    }
}

impl Dataset {
    pub(crate) fn new(obj: Obj, shape: Vec<u64>) -> Self {
        Self { obj, shape }
    }

    /// Absolute path of this dataset inside the file.
    pub fn path(&self) -> &str {
        &self.obj.path
    }

    /// The dataset's shape (empty for a scalar dataset written by another tool).
    pub fn shape(&self) -> &[u64] {
        &self.shape
    }

    /// Elements per row: the product of all dimensions but the first.
    pub fn row_len(&self) -> u64 {
        self.shape.iter().skip(1).product()
    }

    fn rows(&self) -> u64 {
        self.shape.first().copied().unwrap_or(1)
    }

    fn err(&self, verb: &str, why: String) -> H5Error {
        H5Error::new(format!(
            "cannot {verb} dataset {}: {why}",
            self.obj.at(&self.obj.path)
        ))
    }

    /// Check `[row_offset, row_offset + nrows)` against the extent.
    fn check_rows(&self, verb: &str, row_offset: u64, nrows: u64) -> Result<()> {
        match row_offset.checked_add(nrows) {
            Some(end) if end <= self.rows() => Ok(()),
            _ => Err(self.err(
                verb,
                format!(
                    "rows {row_offset}..{row_offset}+{nrows} exceed the {} rows",
                    self.rows()
                ),
            )),
        }
    }

    /// The file dataspace with rows `[row_offset, row_offset + nrows)` selected (none if 0).
    fn select(&self, g: &Guard, verb: &str, row_offset: u64, nrows: u64) -> Result<Handle> {
        let ctx = || format!("cannot {verb} dataset {}", self.obj.at(&self.obj.path));
        // SAFETY (whole block): valid ids; `start`/`count` have one entry per dimension.
        unsafe {
            let space = Handle::space(g, ffi::H5Dget_space(self.obj.h.id), ctx)?;
            if nrows == 0 || self.row_len() == 0 {
                check(g, ffi::H5Sselect_none(space.id), ctx)?;
            } else {
                let mut start = vec![0 as hsize_t; self.shape.len()];
                start[0] = row_offset;
                let mut count = self.shape.clone();
                count[0] = nrows;
                let r = ffi::H5Sselect_hyperslab(
                    space.id,
                    ffi::H5S_SELECT_SET,
                    start.as_ptr(),
                    std::ptr::null(),
                    count.as_ptr(),
                    std::ptr::null(),
                );
                check(g, r, ctx)?;
            }
            Ok(space)
        }
    }

    /// A 1-D memory dataspace of `n` elements; with `n == 0`, one element with nothing selected
    /// (a zero-sized extent is not accepted everywhere).
    fn mem_space(g: &Guard, n: u64, ctx: impl Fn() -> String + Copy) -> Result<Handle> {
        let dims = [n.max(1)];
        // SAFETY: `dims` has one entry; valid ids; under the lock.
        unsafe {
            let space = Handle::space(
                g,
                ffi::H5Screate_simple(1, dims.as_ptr(), std::ptr::null()),
                ctx,
            )?;
            if n == 0 {
                check(g, ffi::H5Sselect_none(space.id), ctx)?;
            }
            Ok(space)
        }
    }

    /// Write `local` (row-major, `row_len` elements per row) into rows
    /// `[row_offset, row_offset + local.len() / row_len)`.
    ///
    /// On a parallel file this is a collective MPI-IO transfer: every rank must call it, a
    /// rank without rows passing an empty slice. `row_len` must equal [`Dataset::row_len`];
    /// a rank whose arguments fail validation returns an error without joining the transfer,
    /// so the other ranks would wait for it: validate sizes before writing.
    pub fn write_rows<T: H5Type>(&self, row_offset: u64, local: &[T], row_len: u64) -> Result<()> {
        if row_len != self.row_len() || self.shape.is_empty() {
            let why = format!("row length {row_len} does not match shape {:?}", self.shape);
            return Err(self.err("write", why));
        }
        let n = local.len() as u64;
        let nrows = n.checked_div(row_len).unwrap_or(0);
        if nrows * row_len != n {
            return Err(self.err(
                "write",
                format!("{n} values are not whole rows of {row_len}"),
            ));
        }
        self.check_rows("write", row_offset, nrows)?;
        if self.shape.contains(&0) {
            // No storage is ever allocated for an empty dataset and HDF5 1.10's collective
            // path fails on its undefined address; every rank sees the same shape, so all
            // ranks skip alike.
            return Ok(());
        }
        let g = lock();
        let fspace = self.select(&g, "write", row_offset, nrows)?;
        let ctx = || format!("cannot write dataset {}", self.obj.at(&self.obj.path));
        let mspace = Self::mem_space(&g, n, ctx)?;
        let dummy = T::default(); // HDF5 wants a non-null buffer even with nothing selected
        let buf = if local.is_empty() {
            &dummy as *const T
        } else {
            local.as_ptr()
        };
        // SAFETY: `buf` holds the `n` elements selected in `mspace`; valid ids; locked.
        let r = unsafe {
            ffi::H5Dwrite(
                self.obj.h.id,
                T::native(),
                mspace.id,
                fspace.id,
                self.obj.file.write_dxpl(),
                buf as *const c_void,
            )
        };
        check(&g, r, ctx).map(drop)
    }

    /// Read rows `[row_offset, row_offset + nrows)`, row-major. Independent (not collective),
    /// so any subset of ranks may read.
    pub fn read_rows<T: H5Type>(&self, row_offset: u64, nrows: u64) -> Result<Vec<T>> {
        self.check_rows("read", row_offset, nrows)?;
        let n = nrows * self.row_len(); // a scalar counts as one row of one element
        if n == 0 {
            return Ok(Vec::new());
        }
        let g = lock();
        let ctx = || format!("cannot read dataset {}", self.obj.at(&self.obj.path));
        // A scalar dataset (from another tool) has no rows to select: read it whole.
        let (fspace, mspace) = if self.shape.is_empty() {
            (None, None)
        } else {
            (
                Some(self.select(&g, "read", row_offset, nrows)?),
                Some(Self::mem_space(&g, n, ctx)?),
            )
        };
        let all = |h: &Option<Handle>| h.as_ref().map_or(ffi::H5S_ALL, |h| h.id);
        let mut out = vec![T::default(); n as usize];
        // SAFETY: `out` has room for the `n` elements selected; valid ids; locked.
        let r = unsafe {
            ffi::H5Dread(
                self.obj.h.id,
                T::native(),
                all(&mspace),
                all(&fspace),
                H5P_DEFAULT,
                out.as_mut_ptr() as *mut c_void,
            )
        };
        check(&g, r, ctx)?;
        Ok(out)
    }

    /// Read the whole dataset, row-major.
    pub fn read_all<T: H5Type>(&self) -> Result<Vec<T>> {
        self.read_rows(0, self.rows())
    }
}

crate::attr::impl_attrs!(Dataset);

//! Hand-written declarations of the small part of the HDF5 C API that this crate uses.
//!
//! Checked against Debian's parallel HDF5 1.10.8 headers (`/usr/include/hdf5/openmpi`):
//! `hid_t` is `int64_t` (H5Ipublic.h), `herr_t`/`htri_t` are `int`, `hsize_t` is
//! `unsigned long long`, `hbool_t` is C99 `bool` (H5public.h), and C enums are `int`.
//! Only functions whose names and signatures are unchanged in 1.12/1.14 are used (no
//! `H5Literate`/`H5Oget_info`, which became versioned macros).

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::os::raw::{c_char, c_int, c_uint, c_void};

pub type hid_t = i64;
pub type herr_t = c_int;
pub type htri_t = c_int;
pub type hsize_t = u64;
pub type hssize_t = i64;

pub const H5P_DEFAULT: hid_t = 0;
pub const H5E_DEFAULT: hid_t = 0;
pub const H5S_ALL: hid_t = 0;

// `H5F_ACC_*` are macros that also call H5open(); the values themselves are plain flags.
pub const H5F_ACC_RDONLY: c_uint = 0x0000;
pub const H5F_ACC_RDWR: c_uint = 0x0001;
pub const H5F_ACC_TRUNC: c_uint = 0x0002;

/// `H5F_scope_t::H5F_SCOPE_LOCAL`.
pub const H5F_SCOPE_LOCAL: c_int = 0;
/// `H5FD_mpio_xfer_t::H5FD_MPIO_COLLECTIVE`.
pub const H5FD_MPIO_COLLECTIVE: c_int = 1;
/// `H5S_class_t::H5S_SCALAR`.
pub const H5S_SCALAR: c_int = 0;
/// `H5S_seloper_t::H5S_SELECT_SET`.
pub const H5S_SELECT_SET: c_int = 0;
/// `H5T_class_t::H5T_STRING`.
pub const H5T_STRING: c_int = 3;
/// `H5T_cset_t::H5T_CSET_UTF8`.
pub const H5T_CSET_UTF8: c_int = 1;
/// `H5T_str_t` values.
pub const H5T_STR_NULLPAD: c_int = 1;
pub const H5T_STR_SPACEPAD: c_int = 2;
/// `H5E_direction_t::H5E_WALK_DOWNWARD`: from the API call down to the root cause.
pub const H5E_WALK_DOWNWARD: c_int = 1;
/// `H5_index_t::H5_INDEX_NAME` and `H5_iter_order_t::H5_ITER_INC`.
pub const H5_INDEX_NAME: c_int = 0;
pub const H5_ITER_INC: c_int = 0;

#[repr(C)]
pub struct H5E_error2_t {
    pub cls_id: hid_t,
    pub maj_num: hid_t,
    pub min_num: hid_t,
    pub line: c_uint,
    pub func_name: *const c_char,
    pub file_name: *const c_char,
    pub desc: *const c_char,
}

#[repr(C)]
pub struct H5G_info_t {
    pub storage_type: c_int,
    pub nlinks: hsize_t,
    pub max_corder: i64,
    pub mounted: bool,
}

pub type H5E_auto2_t = Option<unsafe extern "C" fn(estack: hid_t, data: *mut c_void) -> herr_t>;
pub type H5E_walk2_t =
    unsafe extern "C" fn(n: c_uint, err: *const H5E_error2_t, data: *mut c_void) -> herr_t;

extern "C" {
    // Global ids behind the `H5T_NATIVE_*`/`H5P_*` macros; valid only after `H5open()`.
    pub static H5T_NATIVE_DOUBLE_g: hid_t;
    pub static H5T_NATIVE_INT64_g: hid_t;
    pub static H5T_NATIVE_UINT64_g: hid_t;
    pub static H5T_NATIVE_INT32_g: hid_t;
    pub static H5T_NATIVE_UINT8_g: hid_t;
    pub static H5T_C_S1_g: hid_t;
    pub static H5P_CLS_FILE_ACCESS_ID_g: hid_t;
    pub static H5P_CLS_DATASET_XFER_ID_g: hid_t;
    pub static H5P_CLS_LINK_CREATE_ID_g: hid_t;

    pub fn H5open() -> herr_t;

    pub fn H5Eset_auto2(estack: hid_t, func: H5E_auto2_t, data: *mut c_void) -> herr_t;
    pub fn H5Ewalk2(estack: hid_t, dir: c_int, func: H5E_walk2_t, data: *mut c_void) -> herr_t;
    pub fn H5Eclear2(estack: hid_t) -> herr_t;

    pub fn H5Fcreate(name: *const c_char, flags: c_uint, fcpl: hid_t, fapl: hid_t) -> hid_t;
    pub fn H5Fopen(name: *const c_char, flags: c_uint, fapl: hid_t) -> hid_t;
    pub fn H5Fflush(id: hid_t, scope: c_int) -> herr_t;
    pub fn H5Fclose(id: hid_t) -> herr_t;

    pub fn H5Pcreate(cls: hid_t) -> hid_t;
    pub fn H5Pclose(id: hid_t) -> herr_t;
    pub fn H5Pset_fapl_mpio(
        fapl: hid_t,
        comm: mpi::ffi::MPI_Comm,
        info: mpi::ffi::MPI_Info,
    ) -> herr_t;
    pub fn H5Pset_dxpl_mpio(dxpl: hid_t, mode: c_int) -> herr_t;
    pub fn H5Pset_create_intermediate_group(lcpl: hid_t, flag: c_uint) -> herr_t;

    pub fn H5Gcreate2(
        loc: hid_t,
        name: *const c_char,
        lcpl: hid_t,
        gcpl: hid_t,
        gapl: hid_t,
    ) -> hid_t;
    pub fn H5Gopen2(loc: hid_t, name: *const c_char, gapl: hid_t) -> hid_t;
    pub fn H5Gget_info(loc: hid_t, info: *mut H5G_info_t) -> herr_t;
    pub fn H5Gclose(id: hid_t) -> herr_t;

    pub fn H5Lexists(loc: hid_t, name: *const c_char, lapl: hid_t) -> htri_t;
    pub fn H5Lget_name_by_idx(
        loc: hid_t,
        group: *const c_char,
        idx_type: c_int,
        order: c_int,
        n: hsize_t,
        name: *mut c_char,
        size: usize,
        lapl: hid_t,
    ) -> isize;

    pub fn H5Screate(class: c_int) -> hid_t;
    pub fn H5Screate_simple(rank: c_int, dims: *const hsize_t, maxdims: *const hsize_t) -> hid_t;
    pub fn H5Sselect_hyperslab(
        space: hid_t,
        op: c_int,
        start: *const hsize_t,
        stride: *const hsize_t,
        count: *const hsize_t,
        block: *const hsize_t,
    ) -> herr_t;
    pub fn H5Sselect_none(space: hid_t) -> herr_t;
    pub fn H5Sget_simple_extent_ndims(space: hid_t) -> c_int;
    pub fn H5Sget_simple_extent_dims(
        space: hid_t,
        dims: *mut hsize_t,
        maxdims: *mut hsize_t,
    ) -> c_int;
    pub fn H5Sget_simple_extent_npoints(space: hid_t) -> hssize_t;
    pub fn H5Sclose(id: hid_t) -> herr_t;

    pub fn H5Tcopy(id: hid_t) -> hid_t;
    pub fn H5Tset_size(id: hid_t, size: usize) -> herr_t;
    pub fn H5Tset_strpad(id: hid_t, pad: c_int) -> herr_t;
    pub fn H5Tset_cset(id: hid_t, cset: c_int) -> herr_t;
    pub fn H5Tget_class(id: hid_t) -> c_int;
    pub fn H5Tget_size(id: hid_t) -> usize;
    pub fn H5Tget_strpad(id: hid_t) -> c_int;
    pub fn H5Tis_variable_str(id: hid_t) -> htri_t;
    pub fn H5Tclose(id: hid_t) -> herr_t;

    pub fn H5Dcreate2(
        loc: hid_t,
        name: *const c_char,
        dtype: hid_t,
        space: hid_t,
        lcpl: hid_t,
        dcpl: hid_t,
        dapl: hid_t,
    ) -> hid_t;
    pub fn H5Dopen2(loc: hid_t, name: *const c_char, dapl: hid_t) -> hid_t;
    pub fn H5Dget_space(id: hid_t) -> hid_t;
    pub fn H5Dwrite(
        id: hid_t,
        mem_type: hid_t,
        mem_space: hid_t,
        file_space: hid_t,
        dxpl: hid_t,
        buf: *const c_void,
    ) -> herr_t;
    pub fn H5Dread(
        id: hid_t,
        mem_type: hid_t,
        mem_space: hid_t,
        file_space: hid_t,
        dxpl: hid_t,
        buf: *mut c_void,
    ) -> herr_t;
    pub fn H5Dclose(id: hid_t) -> herr_t;

    pub fn H5Acreate2(
        loc: hid_t,
        name: *const c_char,
        dtype: hid_t,
        space: hid_t,
        acpl: hid_t,
        aapl: hid_t,
    ) -> hid_t;
    pub fn H5Aopen(obj: hid_t, name: *const c_char, aapl: hid_t) -> hid_t;
    pub fn H5Aexists(obj: hid_t, name: *const c_char) -> htri_t;
    pub fn H5Adelete(loc: hid_t, name: *const c_char) -> herr_t;
    pub fn H5Awrite(id: hid_t, mem_type: hid_t, buf: *const c_void) -> herr_t;
    pub fn H5Aread(id: hid_t, mem_type: hid_t, buf: *mut c_void) -> herr_t;
    pub fn H5Aget_space(id: hid_t) -> hid_t;
    pub fn H5Aget_type(id: hid_t) -> hid_t;
    pub fn H5Aclose(id: hid_t) -> herr_t;

    pub fn H5free_memory(mem: *mut c_void) -> herr_t;
}

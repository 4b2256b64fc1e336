//! Files and groups.

use crate::dataset::{Dataset, H5Type};
use crate::error::{check, cstring, lock, Guard, H5Error, Handle, Result};
use crate::ffi::{self, hid_t, H5P_DEFAULT};
use mpi::traits::{AsRaw, Communicator};
use std::ops::Deref;
use std::os::raw::c_char;
use std::path::Path;
use std::sync::Arc;

/// The open file shared by every handle into it: HDF5's MPI-IO driver refuses to close a file
/// whose objects are still open, so the file id lives until the last group/dataset is gone.
#[derive(Debug)]
pub(crate) struct FileInner {
    id: hid_t,
    /// For messages.
    pub name: String,
    /// Collective transfer property list; `None` for serial files.
    dxpl: Option<Handle>,
}

impl FileInner {
    /// The transfer property list for raw-data writes.
    pub fn write_dxpl(&self) -> hid_t {
        self.dxpl.as_ref().map_or(H5P_DEFAULT, |h| h.id)
    }
    fn close_now(&mut self, g: &Guard) -> Result<()> {
        let id = std::mem::replace(&mut self.id, -1);
        // SAFETY: `id` is the open file id, closed once (Drop sees -1 afterwards).
        check(g, unsafe { ffi::H5Fclose(id) }, || {
            format!("cannot close {}", self.name)
        })
        .map(drop)
    }
}

impl Drop for FileInner {
    fn drop(&mut self) {
        if self.id >= 0 {
            let g = lock();
            let _ = self.close_now(&g);
        }
    }
}

/// An HDF5 object (group or dataset) with the context needed for error messages.
#[derive(Debug)]
pub(crate) struct Obj {
    pub h: Handle,
    /// Absolute path inside the file.
    pub path: String,
    pub file: Arc<FileInner>,
}

impl Obj {
    /// Absolute path of `name` relative to this object.
    pub fn child(&self, name: &str) -> String {
        let joined = if name.starts_with('/') {
            name.to_string()
        } else if self.path == "/" {
            format!("/{name}")
        } else {
            format!("{}/{name}", self.path)
        };
        let parts: Vec<&str> = joined
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        format!("/{}", parts.join("/"))
    }
    /// "'<path>' in <file>", for messages.
    pub fn at(&self, path: &str) -> String {
        format!("'{path}' in {}", self.file.name)
    }
}

/// An open HDF5 file. Dereferences to its root [`Group`]. Closed when the `File` and every
/// group/dataset obtained from it have been dropped (or explicitly with [`File::close`]).
#[derive(Debug)]
pub struct File {
    root: Group,
}

fn path_cstring(path: &Path) -> Result<std::ffi::CString> {
    cstring(path.as_os_str().as_encoded_bytes(), || {
        format!("bad file name {}", path.display())
    })
}

/// File access property list with the MPI-IO driver on `comm`.
fn mpio_fapl<C: Communicator + AsRaw<Raw = mpi::ffi::MPI_Comm>>(
    g: &Guard,
    comm: &C,
    name: &str,
) -> Result<Handle> {
    // SAFETY: under the lock, after H5open; `comm` is a live communicator (HDF5 duplicates it).
    unsafe {
        let fapl = Handle::plist(g, ffi::H5Pcreate(ffi::H5P_CLS_FILE_ACCESS_ID_g), || {
            format!("cannot create file access properties for {name}")
        })?;
        check(
            g,
            ffi::H5Pset_fapl_mpio(fapl.id, comm.as_raw(), ffi_info_null()),
            || format!("cannot select the MPI-IO driver for {name}"),
        )?;
        Ok(fapl)
    }
}

fn ffi_info_null() -> mpi::ffi::MPI_Info {
    // SAFETY: a constant exported by mpi-sys, initialised at load time.
    unsafe { mpi::ffi::RSMPI_INFO_NULL }
}

impl File {
    /// Collectively create (truncating) `path` with the MPI-IO driver; all ranks of `comm` call.
    pub fn create_parallel<C>(path: &Path, comm: &C) -> Result<File>
    where
        C: Communicator + AsRaw<Raw = mpi::ffi::MPI_Comm>,
    {
        let g = lock();
        let name = path.display().to_string();
        let fapl = mpio_fapl(&g, comm, &name)?;
        let c = path_cstring(path)?;
        // SAFETY: valid C string and property list, under the lock.
        let id = unsafe { ffi::H5Fcreate(c.as_ptr(), ffi::H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id) };
        Self::finish(&g, id, name, true, "cannot create")
    }

    /// Collectively open an existing `path` with the MPI-IO driver; all ranks of `comm` call.
    pub fn open_parallel<C>(path: &Path, comm: &C, writable: bool) -> Result<File>
    where
        C: Communicator + AsRaw<Raw = mpi::ffi::MPI_Comm>,
    {
        let g = lock();
        let name = path.display().to_string();
        let fapl = mpio_fapl(&g, comm, &name)?;
        let c = path_cstring(path)?;
        let flags = if writable {
            ffi::H5F_ACC_RDWR
        } else {
            ffi::H5F_ACC_RDONLY
        };
        // SAFETY: valid C string and property list, under the lock.
        let id = unsafe { ffi::H5Fopen(c.as_ptr(), flags, fapl.id) };
        Self::finish(&g, id, name, true, "cannot open")
    }

    /// Create (truncating) `path` for use by this process alone.
    pub fn create(path: &Path) -> Result<File> {
        let g = lock();
        let c = path_cstring(path)?;
        // SAFETY: valid C string, default property lists, under the lock.
        let id =
            unsafe { ffi::H5Fcreate(c.as_ptr(), ffi::H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT) };
        Self::finish(&g, id, path.display().to_string(), false, "cannot create")
    }

    /// Open an existing `path` for use by this process alone.
    pub fn open(path: &Path, writable: bool) -> Result<File> {
        let g = lock();
        let c = path_cstring(path)?;
        let flags = if writable {
            ffi::H5F_ACC_RDWR
        } else {
            ffi::H5F_ACC_RDONLY
        };
        // SAFETY: valid C string, default property list, under the lock.
        let id = unsafe { ffi::H5Fopen(c.as_ptr(), flags, H5P_DEFAULT) };
        Self::finish(&g, id, path.display().to_string(), false, "cannot open")
    }

    fn finish(g: &Guard, id: hid_t, name: String, parallel: bool, what: &str) -> Result<File> {
        let id = check(g, id, || format!("{what} HDF5 file {name}"))?;
        // Own the id first so that any later failure still closes the file.
        let mut inner = FileInner {
            id,
            name,
            dxpl: None,
        };
        if parallel {
            // SAFETY: under the lock, after H5open.
            unsafe {
                let dxpl =
                    Handle::plist(g, ffi::H5Pcreate(ffi::H5P_CLS_DATASET_XFER_ID_g), || {
                        format!("cannot create transfer properties for {}", inner.name)
                    })?;
                check(
                    g,
                    ffi::H5Pset_dxpl_mpio(dxpl.id, ffi::H5FD_MPIO_COLLECTIVE),
                    || format!("cannot request collective transfers for {}", inner.name),
                )?;
                inner.dxpl = Some(dxpl);
            }
        }
        let file = Arc::new(inner);
        // SAFETY: valid file id and C string, under the lock.
        let root = unsafe { ffi::H5Gopen2(file.id, c"/".as_ptr(), H5P_DEFAULT) };
        let h = Handle::new(g, root, ffi::H5Gclose, || {
            format!("cannot open '/' in {}", file.name)
        })?;
        Ok(File {
            root: Group {
                obj: Obj {
                    h,
                    path: "/".into(),
                    file,
                },
            },
        })
    }

    /// The file name as given when opening (for messages).
    pub fn name(&self) -> &str {
        &self.root.obj.file.name
    }

    /// Whether the file was opened with the MPI-IO driver.
    pub fn is_parallel(&self) -> bool {
        self.root.obj.file.dxpl.is_some()
    }

    /// Flush buffered data and metadata to disk (collective for parallel files).
    pub fn flush(&self) -> Result<()> {
        let g = lock();
        // SAFETY: valid file id, under the lock.
        let r = unsafe { ffi::H5Fflush(self.root.obj.file.id, ffi::H5F_SCOPE_LOCAL) };
        check(&g, r, || format!("cannot flush {}", self.name())).map(drop)
    }

    /// Close now, reporting errors that a plain drop would swallow. Every group and dataset
    /// of this file must have been dropped first: otherwise the file is flushed but stays open
    /// until they go, and an error says so (another process could not open it yet).
    pub fn close(self) -> Result<()> {
        let g = lock();
        let Group {
            obj: Obj { h, file, .. },
        } = self.root;
        drop(h);
        match Arc::try_unwrap(file) {
            Ok(mut inner) => inner.close_now(&g),
            Err(shared) => {
                // SAFETY: valid file id, under the lock.
                let r = unsafe { ffi::H5Fflush(shared.id, ffi::H5F_SCOPE_LOCAL) };
                check(&g, r, || format!("cannot flush {}", shared.name))?;
                let n = Arc::strong_count(&shared) - 1;
                Err(H5Error::new(format!(
                    "cannot close {} yet: {n} group/dataset handle(s) still open (data was flushed)",
                    shared.name
                )))
            }
        }
    }
}

impl Deref for File {
    type Target = Group;
    fn deref(&self) -> &Group {
        &self.root
    }
}

/// A group in an HDF5 file (the file's root group is reached through [`File`]'s `Deref`).
#[derive(Debug)]
pub struct Group {
    pub(crate) obj: Obj,
}

/// Link creation properties that create missing intermediate groups.
fn intermediate_lcpl(g: &Guard, ctx: impl Fn() -> String) -> Result<Handle> {
    // SAFETY: under the lock, after H5open.
    unsafe {
        let lcpl = Handle::plist(g, ffi::H5Pcreate(ffi::H5P_CLS_LINK_CREATE_ID_g), &ctx)?;
        check(g, ffi::H5Pset_create_intermediate_group(lcpl.id, 1), &ctx)?;
        Ok(lcpl)
    }
}

impl Group {
    /// Absolute path of this group inside the file.
    pub fn path(&self) -> &str {
        &self.obj.path
    }

    /// Whether a link `path` (relative to this group, or absolute) exists. Missing
    /// intermediate groups give `false` rather than an error.
    pub fn exists(&self, path: &str) -> Result<bool> {
        let g = lock();
        self.exists_locked(&g, path)
    }

    fn exists_locked(&self, g: &Guard, path: &str) -> Result<bool> {
        let full = self.obj.child(path);
        let ctx = || format!("cannot look up {}", self.obj.at(&full));
        let mut prefix = String::new();
        // Walk component by component: H5Lexists fails outright on a missing intermediate.
        for part in full.split('/').filter(|p| !p.is_empty()) {
            prefix.push('/');
            prefix.push_str(part);
            let c = cstring(&prefix, ctx)?;
            // SAFETY: valid id and C string, under the lock.
            let r = unsafe { ffi::H5Lexists(self.obj.h.id, c.as_ptr(), H5P_DEFAULT) };
            if check(g, r, ctx)? == 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Open group `path`, creating it and any missing intermediate groups.
    pub fn group(&self, path: &str) -> Result<Group> {
        let g = lock();
        let full = self.obj.child(path);
        let c = cstring(&full, || format!("bad group name {}", self.obj.at(&full)))?;
        let id = if self.exists_locked(&g, &full)? {
            // SAFETY: valid id and C string, under the lock.
            unsafe { ffi::H5Gopen2(self.obj.h.id, c.as_ptr(), H5P_DEFAULT) }
        } else {
            let ctx = || format!("cannot create group {}", self.obj.at(&full));
            let lcpl = intermediate_lcpl(&g, ctx)?;
            // SAFETY: valid ids and C string, under the lock.
            unsafe { ffi::H5Gcreate2(self.obj.h.id, c.as_ptr(), lcpl.id, H5P_DEFAULT, H5P_DEFAULT) }
        };
        let h = Handle::new(&g, id, ffi::H5Gclose, || {
            format!("cannot open group {}", self.obj.at(&full))
        })?;
        Ok(Group {
            obj: Obj {
                h,
                path: full,
                file: self.obj.file.clone(),
            },
        })
    }

    /// Names of the links (groups, datasets) directly in this group, sorted by name.
    pub fn members(&self) -> Result<Vec<String>> {
        let g = lock();
        let ctx = || format!("cannot list group {}", self.obj.at(&self.obj.path));
        let mut info = ffi::H5G_info_t {
            storage_type: 0,
            nlinks: 0,
            max_corder: 0,
            mounted: false,
        };
        // SAFETY: valid id and out-pointer, under the lock.
        check(
            &g,
            unsafe { ffi::H5Gget_info(self.obj.h.id, &mut info) },
            ctx,
        )?;
        let mut names = Vec::with_capacity(info.nlinks as usize);
        for i in 0..info.nlinks {
            let name_at = |buf: *mut c_char, size: usize| {
                // SAFETY: valid id; `buf` is null (size query) or has room for `size` bytes.
                let n = unsafe {
                    ffi::H5Lget_name_by_idx(
                        self.obj.h.id,
                        c".".as_ptr(),
                        ffi::H5_INDEX_NAME,
                        ffi::H5_ITER_INC,
                        i,
                        buf,
                        size,
                        H5P_DEFAULT,
                    )
                };
                check(&g, n, ctx)
            };
            let len = name_at(std::ptr::null_mut(), 0)? as usize;
            let mut buf = vec![0u8; len + 1];
            name_at(buf.as_mut_ptr() as *mut c_char, buf.len())?;
            buf.truncate(len);
            names.push(String::from_utf8_lossy(&buf).into_owned());
        }
        Ok(names)
    }

    /// Create a dataset of element type `T` with fixed `shape` (at least one dimension; rows
    /// are along the first), creating missing intermediate groups. Fails if it exists.
    pub fn create_dataset<T: H5Type>(&self, name: &str, shape: &[u64]) -> Result<Dataset> {
        let g = lock();
        let full = self.obj.child(name);
        let ctx = || format!("cannot create dataset {}", self.obj.at(&full));
        if shape.is_empty() {
            return Err(H5Error::new(format!(
                "{}: the shape needs at least one dimension",
                ctx()
            )));
        }
        let c = cstring(&full, ctx)?;
        let lcpl = intermediate_lcpl(&g, ctx)?;
        // SAFETY: `shape` outlives the call and has `shape.len()` entries; under the lock.
        let space = Handle::space(
            &g,
            unsafe { ffi::H5Screate_simple(shape.len() as i32, shape.as_ptr(), std::ptr::null()) },
            ctx,
        )?;
        // SAFETY: valid ids and C string, under the lock.
        let id = unsafe {
            ffi::H5Dcreate2(
                self.obj.h.id,
                c.as_ptr(),
                T::native(),
                space.id,
                lcpl.id,
                H5P_DEFAULT,
                H5P_DEFAULT,
            )
        };
        let h = Handle::new(&g, id, ffi::H5Dclose, ctx)?;
        Ok(Dataset::new(
            Obj {
                h,
                path: full,
                file: self.obj.file.clone(),
            },
            shape.to_vec(),
        ))
    }

    /// Open an existing dataset.
    pub fn open_dataset(&self, name: &str) -> Result<Dataset> {
        let g = lock();
        let full = self.obj.child(name);
        let ctx = || format!("cannot open dataset {}", self.obj.at(&full));
        let c = cstring(&full, ctx)?;
        // SAFETY: valid id and C string, under the lock.
        let h = Handle::new(
            &g,
            unsafe { ffi::H5Dopen2(self.obj.h.id, c.as_ptr(), H5P_DEFAULT) },
            ffi::H5Dclose,
            ctx,
        )?;
        let obj = Obj {
            h,
            path: full,
            file: self.obj.file.clone(),
        };
        let shape = crate::dataset::extent(&g, &obj)?;
        Ok(Dataset::new(obj, shape))
    }
}

crate::attr::impl_attrs!(Group);

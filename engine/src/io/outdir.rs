//! Output directory selection: never overwrite an older run silently.

use std::path::{Path, PathBuf};

/// Choose the output directory. An explicit directory that exists and is not empty is refused
/// (unless `overwrite`); the default (`<deck dir>/<deck stem>.out`) gets a numeric suffix
/// instead, so repeated runs keep their results.
pub fn choose(deck: &Path, explicit: Option<&Path>, overwrite: bool) -> Result<PathBuf, String> {
    let non_empty = |p: &Path| {
        p.read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    };
    if let Some(p) = explicit {
        if non_empty(p) && !overwrite {
            return Err(format!(
                "output directory {} exists and is not empty; choose another --output, remove it, or pass --overwrite",
                p.display()
            ));
        }
        return Ok(p.to_path_buf());
    }
    let stem = deck.file_stem().and_then(|s| s.to_str()).unwrap_or("run");
    let parent = deck
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let base = parent.join(format!("{stem}.out"));
    if !non_empty(&base) {
        return Ok(base);
    }
    for k in 2.. {
        let p = parent.join(format!("{stem}.out-{k}"));
        if !non_empty(&p) {
            return Ok(p);
        }
    }
    unreachable!()
}

/// `<deck dir>/<deck stem>.out`.
pub fn default_base(deck: &Path) -> PathBuf {
    let stem = deck.file_stem().and_then(|s| s.to_str()).unwrap_or("run");
    let parent = deck
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!("{stem}.out"))
}

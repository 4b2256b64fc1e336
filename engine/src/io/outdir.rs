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

/// For `--restart` without `--output`: of `<stem>.out` and `<stem>.out-N`, the directory whose
/// `checkpoints/latest` was written most recently (the run that was interrupted last); the
/// plain `<stem>.out` when none has checkpoints.
pub fn latest_checkpointed(deck: &Path) -> PathBuf {
    let base = default_base(deck);
    let stem = base
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("run.out")
        .to_string();
    let parent = base.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut best: Option<(std::time::SystemTime, PathBuf)> = None;
    if let Ok(rd) = std::fs::read_dir(&parent) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = name == stem
                || name
                    .strip_prefix(&format!("{stem}-"))
                    .is_some_and(|n| n.parse::<u64>().is_ok());
            if !ours {
                continue;
            }
            if let Ok(t) = std::fs::metadata(e.path().join("checkpoints").join("latest"))
                .and_then(|m| m.modified())
            {
                if best.as_ref().is_none_or(|(bt, _)| t > *bt) {
                    best = Some((t, e.path()));
                }
            }
        }
    }
    best.map(|(_, p)| p).unwrap_or(base)
}

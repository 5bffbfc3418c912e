//! The marker file Frenzy writes in every cluster folder it creates: the only proof `down` accepts
//! before deleting a folder, so a `--dir`/`--prefix` that names someone else's files leaves them be.

use crate::error::{NemesisError, Result};
use std::path::{Path, PathBuf};

/// The marker's file name inside a cluster folder.
pub const MARKER: &str = ".frenzy-cluster";

/// What the marker says, for a person who finds it.
const TEXT: &str =
    "This folder was created by `frenzy cluster up`; `frenzy cluster down` removes it.\n";

/// The marker's path in `root`.
pub fn marker(root: &Path) -> PathBuf {
    root.join(MARKER)
}

/// True when `root` holds Frenzy's marker.
pub fn is_marked(root: &Path) -> bool {
    marker(root).is_file()
}

/// Creates `root` (which must not exist yet, or be a marked folder) and writes the marker in it.
pub fn create_marked(root: &Path) -> Result<()> {
    if root.exists() && !is_marked(root) {
        return Err(not_ours(root));
    }
    std::fs::create_dir_all(root).map_err(|source| NemesisError::File {
        path: root.to_path_buf(),
        source,
    })?;
    std::fs::write(marker(root), TEXT).map_err(|source| NemesisError::File {
        path: marker(root),
        source,
    })
}

/// Removes `root` and everything in it when it holds the marker; refuses, touching nothing, when
/// it does not. Returns what it removed (nothing when `root` does not exist).
pub fn remove_marked(root: &Path) -> Result<Option<String>> {
    if !root.exists() {
        return Ok(None);
    }
    if !is_marked(root) {
        return Err(not_ours(root));
    }
    std::fs::remove_dir_all(root).map_err(|source| NemesisError::File {
        path: root.to_path_buf(),
        source,
    })?;
    Ok(Some(format!("directory {}", root.display())))
}

/// Fails, touching nothing, when `root` exists without the marker.
pub fn check_ours(root: &Path) -> Result<()> {
    if root.exists() && !is_marked(root) {
        return Err(not_ours(root));
    }
    Ok(())
}

fn not_ours(root: &Path) -> NemesisError {
    NemesisError::NotOurs(root.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("frenzy-marker-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn only_a_marked_folder_is_removed() {
        let user = scratch("user");
        std::fs::create_dir_all(&user).unwrap();
        std::fs::write(user.join("thesis.tex"), "mine").unwrap();
        assert!(matches!(
            remove_marked(&user),
            Err(NemesisError::NotOurs(_))
        ));
        assert!(matches!(
            create_marked(&user),
            Err(NemesisError::NotOurs(_))
        ));
        assert!(user.join("thesis.tex").exists());
        std::fs::remove_dir_all(&user).unwrap();

        let ours = scratch("ours");
        create_marked(&ours).unwrap();
        std::fs::write(ours.join("etcd.log"), "log").unwrap();
        assert!(remove_marked(&ours).unwrap().is_some());
        assert!(!ours.exists());
        assert_eq!(remove_marked(&ours).unwrap(), None);
    }
}

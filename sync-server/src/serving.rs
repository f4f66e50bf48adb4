//! A SQLite head office "in service": `serve` holds a shared lock on a file
//! beside the database for as long as it runs (the system drops it when the
//! process ends, however it ends), and `restore` takes it exclusively, so a
//! database is never replaced under a server that is using it.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// Held while `serve` runs on a database.
#[derive(Debug)]
pub struct Serving {
    _lock: File,
}

/// Held while a database is being replaced.
#[derive(Debug)]
pub struct Replacing {
    _lock: File,
}

fn lock_file(db: &Path) -> std::io::Result<File> {
    let path = PathBuf::from(format!("{}.serving", db.display()));
    OpenOptions::new().create(true).truncate(false).write(true).open(path)
}

/// Marks `db` as served; refused while it is being restored.
pub fn serving(db: &Path) -> Result<Serving, String> {
    let file = lock_file(db).map_err(|e| format!("{}: {e}", db.display()))?;
    match file.try_lock_shared() {
        Ok(()) => Ok(Serving { _lock: file }),
        Err(TryLockError::WouldBlock) => Err(format!("{} is being restored: serve it once that is done", db.display())),
        Err(TryLockError::Error(e)) => Err(format!("{}: {e}", db.display())),
    }
}

/// Marks `db` as being replaced; refused while a server serves it.
pub fn replacing(db: &Path) -> Result<Replacing, String> {
    let file = lock_file(db).map_err(|e| format!("{}: {e}", db.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Replacing { _lock: file }),
        Err(TryLockError::WouldBlock) => Err(format!(
            "a server is serving {}: stop every `pos-sync-server serve` on it first; nothing was changed",
            db.display()
        )),
        Err(TryLockError::Error(e)) => Err(format!("{}: {e}", db.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_served_is_not_replaced_and_one_being_replaced_is_not_served() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("hq.sqlite");
        let first = serving(&db).unwrap();
        let second = serving(&db).expect("several servers may serve");
        assert!(replacing(&db).unwrap_err().contains("stop every"));
        drop((first, second));
        let replaced = replacing(&db).unwrap();
        assert!(serving(&db).unwrap_err().contains("being restored"));
        drop(replaced);
        serving(&db).expect("served again once restored");
    }
}

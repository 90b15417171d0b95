//! Files and folders only their owner may read: the data folder, the SQLite database with its
//! `-wal` and `-shm` files, the mail folder and its `.eml` files. Free of web and database
//! types.
//!
//! Security: SQLite creates its `-wal` and `-shm` files with the permissions of the database
//! file, so a database file created 0600 keeps them 0600 too; files already there (an older
//! installation) are tightened at start.

use std::io;
use std::path::Path;

/// Creates `dir` (and its missing parents) readable by its owner only, or tightens it to 0700
/// if it exists.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    set_mode(dir, 0o700)
}

/// Creates `path` empty with mode 0600 if it does not exist, or tightens it to 0600.
pub fn private_file(path: &Path) -> io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?;
    set_mode(path, 0o600)
}

/// Tightens `path` to 0600 if it exists.
pub fn tighten_file(path: &Path) -> io::Result<()> {
    match std::fs::metadata(path) {
        Ok(_) => set_mode(path, 0o600),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// The bytes free for an unprivileged writer on the file system holding `path`.
#[cfg(unix)]
pub fn free_bytes(path: &Path) -> io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    // SAFETY: statvfs fills the zeroed struct it is given; the path is NUL-terminated.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return Err(io::Error::last_os_error());
    }
    #[expect(clippy::useless_conversion, reason = "u64 on 64-bit Linux, narrower elsewhere")]
    let (blocks, size) = (u64::from(s.f_bavail), u64::from(s.f_frsize));
    Ok(blocks.saturating_mul(size))
}

#[cfg(not(unix))]
pub fn free_bytes(_path: &Path) -> io::Result<u64> {
    Ok(u64::MAX)
}

/// The database file and the files SQLite keeps beside it.
pub fn sqlite_files(db: &Path) -> Vec<std::path::PathBuf> {
    let name = db.as_os_str().to_string_lossy().to_string();
    vec![
        db.to_path_buf(),
        format!("{name}-wal").into(),
        format!("{name}-shm").into(),
        format!("{name}-journal").into(),
    ]
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_end_up_private_whether_new_or_old() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("a/b");
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let f = dir.join("x.db");
        private_file(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
        std::fs::write(&f, b"kept").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        private_file(&f).unwrap();
        assert_eq!((mode(&f), std::fs::read(&f).unwrap()), (0o600, b"kept".to_vec()));
        tighten_file(&dir.join("absent")).unwrap();
        assert_eq!(sqlite_files(&f)[1], dir.join("x.db-wal"));
    }
}

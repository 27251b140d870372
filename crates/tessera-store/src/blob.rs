//! Attachment bytes on the local disk, under generated names.
//!
//! Uploads stream into a temporary file in the same file system; `commit` syncs it and
//! renames it into place, so a stored blob is always whole. A crash between the rename and
//! the database commit leaves an orphan file, never a record without its bytes.

use std::path::{Path, PathBuf};

use tokio::{fs, io::AsyncWriteExt};

/// Where attachment bytes live.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
    tmp: PathBuf,
}

/// An upload being written; deleted on drop unless committed.
#[derive(Debug)]
pub struct TempBlob {
    path: PathBuf,
    file: Option<fs::File>,
    size: u64,
    committed: bool,
}

fn random_hex() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    hex::encode(b)
}

impl BlobStore {
    /// Opens (and creates) the store under `root`.
    pub async fn open(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        let tmp = root.join("tmp");
        fs::create_dir_all(&tmp).await?;
        // Leftovers of uploads interrupted by a crash.
        let mut rd = fs::read_dir(&tmp).await?;
        while let Some(e) = rd.next_entry().await? {
            let _ = fs::remove_file(e.path()).await;
        }
        Ok(Self { root, tmp })
    }

    /// Starts a new upload.
    pub async fn create_temp(&self) -> std::io::Result<TempBlob> {
        let path = self.tmp.join(random_hex());
        let file = fs::File::create(&path).await?;
        Ok(TempBlob {
            path,
            file: Some(file),
            size: 0,
            committed: false,
        })
    }

    fn path_of(&self, key: &str) -> Option<PathBuf> {
        // Keys are ours (hex); anything else never touches the file system.
        (key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.root.join(&key[..2]).join(key))
    }

    /// Makes an upload permanent and returns its key.
    pub async fn commit(&self, mut blob: TempBlob) -> std::io::Result<String> {
        if let Some(mut f) = blob.file.take() {
            f.flush().await?;
            f.sync_all().await?;
        }
        let key = random_hex();
        let dest = self.path_of(&key).expect("generated keys are valid");
        let dir = dest.parent().expect("blob paths have a parent");
        fs::create_dir_all(dir).await?;
        fs::rename(&blob.path, &dest).await?;
        fs::File::open(dir).await?.sync_all().await?;
        blob.committed = true;
        Ok(key)
    }

    /// Opens a stored blob for reading.
    pub async fn open_blob(&self, key: &str) -> std::io::Result<fs::File> {
        let path = self
            .path_of(key)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "bad key"))?;
        fs::File::open(path).await
    }

    /// The directory everything lives under.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl TempBlob {
    /// Appends bytes.
    pub async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(f) = self.file.as_mut() {
            f.write_all(bytes).await?;
            self.size += bytes.len() as u64;
        }
        Ok(())
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Reads back what was written so far (for a virus scan before the blob is kept).
    pub async fn reader(&mut self) -> std::io::Result<fs::File> {
        if let Some(f) = self.file.as_mut() {
            f.flush().await?;
        }
        fs::File::open(&self.path).await
    }
}

impl Drop for TempBlob {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

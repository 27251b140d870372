//! The door for files people send: front ends stream bytes into an `UploadSink` and hand the
//! finished `Upload` to a use case, never touching where the bytes are kept.

use tessera_store::TempBlob;

use crate::{Result, Tessera, Upload, clean_filename, content_type_for};

/// A file being received: its bytes go to temporary storage, which is removed again unless
/// a use case keeps the finished upload.
#[derive(Debug)]
pub struct UploadSink {
    blob: TempBlob,
}

impl UploadSink {
    /// Appends bytes.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        Ok(self.blob.write(bytes).await?)
    }

    /// Bytes received so far.
    pub fn size(&self) -> u64 {
        self.blob.size()
    }

    /// The received file under the name the client gave (cleaned, and typed by it).
    pub fn finish(self, raw_name: &str) -> Upload {
        let filename = clean_filename(raw_name);
        Upload {
            content_type: content_type_for(&filename).to_owned(),
            filename,
            blob: self.blob,
        }
    }
}

impl Tessera {
    /// Starts receiving a file.
    pub async fn upload_sink(&self) -> Result<UploadSink> {
        Ok(UploadSink {
            blob: self.blobs().create_temp().await?,
        })
    }

    /// A file received whole (from a JSON body, say) under the name the client gave.
    pub async fn upload(&self, raw_name: &str, bytes: &[u8]) -> Result<Upload> {
        let mut sink = self.upload_sink().await?;
        sink.write(bytes).await?;
        Ok(sink.finish(raw_name))
    }
}

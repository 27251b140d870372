//! SQLite's connections for `Db::conn`, pooled here rather than in sqlx's pool.
//!
//! Why: sqlx's pool tests every connection when it comes back — a spawned task and a ping
//! through the connection's worker thread, two thread switches — and a page takes and
//! returns a connection several times. On a small machine that was a large share of a
//! page's CPU. An embedded connection has no server that could have dropped it, and its
//! worker runs commands strictly in order, so a statement abandoned halfway is finished
//! before the next one starts; a returned connection can be used again as it is.
//! Transactions do not come from here (they go through the writer, `writer.rs`).

use std::{
    ops::{Deref, DerefMut},
    sync::{Arc, Mutex},
};

use sqlx::{ConnectOptions, Connection, SqliteConnection, sqlite::SqliteConnectOptions};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::Result;

/// Open connections waiting to be used, and a permit per connection that may exist.
pub(crate) struct Readers {
    options: SqliteConnectOptions,
    idle: Mutex<Vec<SqliteConnection>>,
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers")
            .field("available", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

/// A connection taken from `Readers`; it goes back when dropped.
pub struct ReadConn {
    conn: Option<SqliteConnection>,
    readers: Arc<Readers>,
    _permit: OwnedSemaphorePermit,
}

impl Readers {
    /// At most `max` connections, opened with `options` when first needed.
    pub(crate) fn new(options: SqliteConnectOptions, max: usize) -> Arc<Self> {
        Arc::new(Self {
            options,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(max)),
        })
    }

    /// An idle connection, or a new one while fewer than the maximum exist; otherwise waits
    /// for one to come back.
    pub(crate) async fn acquire(self: &Arc<Self>) -> Result<ReadConn> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| crate::StoreError::Busy)?;
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => self.options.connect().await?,
        };
        Ok(ReadConn {
            conn: Some(conn),
            readers: self.clone(),
            _permit: permit,
        })
    }

    /// Closes every idle connection and refuses new acquisitions.
    pub(crate) async fn close(&self) {
        self.permits.close();
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|e| e.into_inner()));
        for c in idle {
            let _ = c.close().await;
        }
    }
}

impl Deref for ReadConn {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.conn
            .as_ref()
            .expect("a reader holds its connection until dropped")
    }
}

impl DerefMut for ReadConn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn
            .as_mut()
            .expect("a reader holds its connection until dropped")
    }
}

impl Drop for ReadConn {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            // After `close` the connection is dropped instead (its worker closes it).
            if !self.readers.permits.is_closed() {
                self.readers
                    .idle
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(c);
            }
        }
    }
}

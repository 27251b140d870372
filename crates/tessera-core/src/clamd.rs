//! Virus scanning through ClamAV's `clamd` (optional, setting `clamd`): each uploaded file
//! is streamed to it with the `INSTREAM` command, over TCP (`tcp://host:port`) or a unix
//! socket (a path). A file it reports is refused; when it cannot be asked (down, timed
//! out, an error answer), uploads are refused too (fail closed) with "try again later".

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// What the scanner said of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing found.
    Clean,
    /// Found the named signature.
    Infected(String),
}

/// The longest a scan may take, reply included: a hung scanner must not hang the form.
const SCAN_TIMEOUT: Duration = Duration::from_secs(60);

/// Bytes per `INSTREAM` chunk (clamd's default `StreamMaxLength` is far larger).
const CHUNK: usize = 64 * 1024;

/// Scans the bytes `file` yields with the clamd at `addr`.
pub async fn scan(addr: &str, file: impl AsyncRead + Unpin) -> std::io::Result<Verdict> {
    tokio::time::timeout(SCAN_TIMEOUT, scan_inner(addr, file))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "clamd timed out"))?
}

async fn scan_inner(addr: &str, file: impl AsyncRead + Unpin) -> std::io::Result<Verdict> {
    if let Some(hostport) = addr.strip_prefix("tcp://") {
        let conn = tokio::net::TcpStream::connect(hostport).await?;
        instream(conn, file).await
    } else {
        #[cfg(unix)]
        {
            let path = addr.strip_prefix("unix://").unwrap_or(addr);
            let conn = tokio::net::UnixStream::connect(path).await?;
            instream(conn, file).await
        }
        #[cfg(not(unix))]
        Err(std::io::Error::other("unix sockets need a unix system"))
    }
}

/// The `INSTREAM` exchange: `zINSTREAM\0`, chunks each preceded by their length (4 bytes,
/// big-endian), a zero length, then one reply ending in NUL: `stream: OK`,
/// `stream: NAME FOUND` or `... ERROR`.
async fn instream(
    mut conn: impl AsyncRead + AsyncWrite + Unpin,
    mut file: impl AsyncRead + Unpin,
) -> std::io::Result<Verdict> {
    conn.write_all(b"zINSTREAM\0").await?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        conn.write_all(&(n as u32).to_be_bytes()).await?;
        conn.write_all(&buf[..n]).await?;
    }
    conn.write_all(&0u32.to_be_bytes()).await?;
    conn.flush().await?;
    let mut reply = Vec::new();
    // A reply is a line; 4 KiB is far more than any.
    (&mut conn).take(4096).read_to_end(&mut reply).await?;
    parse_reply(&reply)
}

fn parse_reply(reply: &[u8]) -> std::io::Result<Verdict> {
    let text = String::from_utf8_lossy(reply);
    let text = text.trim_end_matches(['\0', '\n']).trim();
    let body = text.strip_prefix("stream:").unwrap_or(text).trim();
    if body == "OK" {
        Ok(Verdict::Clean)
    } else if let Some(name) = body.strip_suffix(" FOUND") {
        Ok(Verdict::Infected(name.trim().to_owned()))
    } else {
        Err(std::io::Error::other(format!("clamd answered {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_replies() {
        assert_eq!(parse_reply(b"stream: OK\0").unwrap(), Verdict::Clean);
        assert_eq!(
            parse_reply(b"stream: Eicar-Test-Signature FOUND\0").unwrap(),
            Verdict::Infected("Eicar-Test-Signature".into())
        );
        assert!(parse_reply(b"INSTREAM size limit exceeded. ERROR\0").is_err());
        assert!(parse_reply(b"").is_err());
    }
}

//! Upload routes at the edge (issue 21, finding 2): bodies bounded before they are read,
//! the origin checked before the body, broken bodies and bad file names answered with the
//! form again and a message, never "created" with the file dropped.

use reqwest::{StatusCode, cookie::CookieStore, header};
use tessera_domain::Lang;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{
    admin,
    support::{TestApp, csrf, eventually, first_topic},
};

/// Sends only a request's head (no body) and reads the status line of the answer: an
/// answer that arrives proves the server did not wait for the body.
async fn head_only(app: &TestApp, path: &str, extra: &[&str]) -> String {
    let host = app.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(host).await.unwrap();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\n\
         Content-Type: multipart/form-data; boundary=XyZ\r\n\
         Content-Length: 1000000000000\r\nAccept-Language: en\r\n"
    );
    for h in extra {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    // The status line is all we need; the server closes the connection after it anyway,
    // as the body it announced was never read. A server that waits for the body never
    // answers: the test's patience turns that hang into a failure.
    let answered = tokio::time::timeout(crate::support::PATIENCE, async {
        while !got.windows(2).any(|w| w == b"\r\n") {
            let n = s.read(&mut buf).await.unwrap();
            assert!(n > 0, "connection closed without an answer");
            got.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    assert!(answered.is_ok(), "{path}: the server waited for the body");
    let text = String::from_utf8_lossy(&got).to_string();
    text.lines().next().unwrap_or("").to_owned()
}

fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// Whether a page shows the English message `key`.
fn says(page: &str, key: &str) -> bool {
    let text = tessera_i18n::t(Lang::En, key);
    page.contains(&text) || page.contains(&escaped(&text))
}

async fn nothing_stored(app: &TestApp) {
    assert_eq!(app.count("ticket").await, 0, "no ticket");
    assert_eq!(app.count("attachment").await, 0, "no attachment row");
    let mut blobs = Vec::new();
    for entry in walk(&app.data_dir.join("attachments")) {
        if !entry.starts_with(app.data_dir.join("attachments").join("tmp")) {
            blobs.push(entry);
        }
    }
    assert!(blobs.is_empty(), "no stored file: {blobs:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test]
async fn an_overlong_content_length_is_refused_with_413_before_the_body_is_read() {
    let app = TestApp::start().await;
    let line = head_only(&app, "/open", &["Sec-Fetch-Site: same-origin"]).await;
    assert!(line.contains(" 413 "), "{line}");
    // The same on the agent's upload routes, for a signed-in agent (the limit is checked
    // after the sign-in, before the body).
    admin::chefin(&app).await;
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let c = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .build()
        .unwrap();
    admin::post_sign_in(&app, &c, "chefin", admin::PASSWORD).await;
    let cookies = jar
        .cookies(&app.url("/agent").parse().unwrap())
        .expect("signed in");
    let cookie = format!("Cookie: {}", cookies.to_str().unwrap());
    for path in ["/agent/tickets/1/reply", "/agent/tickets/1/note"] {
        let line = head_only(&app, path, &["Sec-Fetch-Site: same-origin", &cookie]).await;
        assert!(line.contains(" 413 "), "{path}: {line}");
    }
    nothing_stored(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_cross_site_upload_is_refused_before_its_body_is_read() {
    let app = TestApp::start().await;
    for path in [
        "/open",
        "/tickets/1/reply",
        "/agent/tickets/1/reply",
        "/agent/tickets/1/note",
    ] {
        let line = head_only(&app, path, &["Sec-Fetch-Site: cross-site"]).await;
        assert!(line.contains(" 403 "), "{path}: {line}");
        let line = head_only(&app, path, &["Origin: https://evil.example"]).await;
        assert!(line.contains(" 403 "), "{path}: {line}");
    }
    nothing_stored(&app).await;
    app.stop().await;
}

/// Posts a raw multipart body to `/open` as a browser of this site would (cookies, token).
async fn post_open(app: &TestApp, c: &reqwest::Client, body: Vec<u8>) -> (StatusCode, String) {
    let res = c
        .post(app.url("/open"))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The text parts of a filled-in portal form.
async fn form_head(app: &TestApp, c: &reqwest::Client) -> Vec<u8> {
    let page = c
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let topic = first_topic(&page);
    let token = csrf(c, &app.url("/open")).await;
    let mut b = Vec::new();
    for (k, v) in [
        ("csrf", token.as_str()),
        ("help_topic_id", topic.as_str()),
        ("email", "max@example.org"),
        ("name", "Max Müller"),
        ("subject", "Plakat"),
        ("body", "Anbei das Plakat."),
    ] {
        b.extend_from_slice(
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    b
}

fn file_part(name: &[u8], bytes: &[u8]) -> Vec<u8> {
    let mut b =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"".to_vec();
    b.extend_from_slice(name);
    b.extend_from_slice(b"\"\r\nContent-Type: application/pdf\r\n\r\n");
    b.extend_from_slice(bytes);
    b.extend_from_slice(b"\r\n");
    b
}

#[tokio::test]
async fn a_body_without_its_closing_boundary_is_shown_again_not_created() {
    let app = TestApp::start().await;
    let c = app.client();
    let mut body = form_head(&app, &c).await;
    body.extend_from_slice(&file_part(b"Plakat.pdf", b"%PDF-1.4 das Plakat"));
    // No "--XyZ--": the body ends where a connection cut off would end it.
    let (status, page) = post_open(&app, &c, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(says(&page, "error-upload-broken"), "{page}");
    nothing_stored(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_file_name_with_a_nul_is_refused_with_a_message() {
    let app = TestApp::start().await;
    let c = app.client();
    let mut body = form_head(&app, &c).await;
    body.extend_from_slice(&file_part(b"Plakat\0.pdf", b"%PDF-1.4 das Plakat"));
    body.extend_from_slice(b"--XyZ--\r\n");
    let (status, page) = post_open(&app, &c, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(says(&page, "error-attachment-name"), "{page}");
    nothing_stored(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn text_parts_are_bounded_in_count_and_size() {
    let app = TestApp::start().await;
    let c = app.client();
    // Too many text parts.
    let mut body = form_head(&app, &c).await;
    for i in 0..200 {
        body.extend_from_slice(
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"x{i}\"\r\n\r\nx\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(b"--XyZ--\r\n");
    let (status, page) = post_open(&app, &c, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(says(&page, "error-form-too-large"), "{page}");
    // Too much text together (each part below the per-field bound).
    let mut body = form_head(&app, &c).await;
    let chunk = "y".repeat(200 * 1024);
    for i in 0..6 {
        body.extend_from_slice(
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"y{i}\"\r\n\r\n{chunk}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(b"--XyZ--\r\n");
    let (status, page) = post_open(&app, &c, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(says(&page, "error-form-too-large"), "{page}");
    nothing_stored(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_whole_form_within_the_bounds_still_opens_a_ticket() {
    let app = TestApp::start().await;
    let c = app.client();
    let mut body = form_head(&app, &c).await;
    body.extend_from_slice(&file_part(
        "U\u{308}bersicht\u{202E}fdp.pdf".as_bytes(),
        b"%PDF-1.4 das Plakat",
    ));
    body.extend_from_slice(b"--XyZ--\r\n");
    let (status, page) = post_open(&app, &c, body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(app.count("ticket").await, 1);
    // The name is stored NFC, without the right-to-left override.
    assert_eq!(
        app.count("attachment WHERE filename = '\u{DC}bersichtfdp.pdf'")
            .await,
        1
    );
    app.stop().await;
}

/// Opens a ticket through the portal with `files`; hands back the ticket page.
async fn open_with(app: &TestApp, c: &reqwest::Client, files: &[(&str, &[u8])]) -> String {
    let mut body = form_head(app, c).await;
    for (name, bytes) in files {
        body.extend_from_slice(&file_part(name.as_bytes(), bytes));
    }
    body.extend_from_slice(b"--XyZ--\r\n");
    let (status, page) = post_open(app, c, body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

/// The download links of a page, in order.
fn download_links(page: &str, prefix: &str) -> Vec<String> {
    page.match_indices(&format!("href=\"{prefix}"))
        .map(|(i, _)| {
            let rest = &page[i + 6..];
            rest[..rest.find('"').unwrap()].replace("&amp;", "&")
        })
        .collect()
}

#[tokio::test]
async fn a_file_whose_content_contradicts_its_name_is_served_as_opaque_bytes() {
    let app = TestApp::start().await;
    let c = app.client();
    let evil: &[u8] = b"<!DOCTYPE html><script>alert(document.cookie)</script>";
    let real: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00";
    let page = open_with(&app, &c, &[("evil.jpg", evil), ("real.jpg", real)]).await;
    let links = download_links(&page, "/attachments/");
    assert_eq!(links.len(), 2, "{page}");
    let mut seen = Vec::new();
    for link in &links {
        let res = c.get(app.url(link)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers();
        let ct = h[header::CONTENT_TYPE].to_str().unwrap().to_owned();
        assert!(
            h[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        assert_eq!(
            h[header::CONTENT_SECURITY_POLICY],
            "default-src 'none'; sandbox"
        );
        let bytes = res.bytes().await.unwrap();
        seen.push((link.contains("evil"), ct, bytes.len()));
    }
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (false, "image/jpeg".to_owned(), real.len()),
            (true, "application/octet-stream".to_owned(), evil.len()),
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn downloads_go_to_the_separate_origin_with_a_signed_short_lived_link() {
    // The same server under a second name: `localhost` is another origin than 127.0.0.1.
    let app = TestApp::start_with(Box::new(|c| {
        c.web.attachment_base_url = Some(c.core.base_url.replace("127.0.0.1", "localhost"));
    }))
    .await;
    let files_base = app.base.replace("127.0.0.1", "localhost");
    let c = app.client_no_redirect();
    let body: &[u8] = b"%PDF-1.4 das Plakat";
    // Opening redirects to the ticket; follow it by hand.
    let mut form = form_head(&app, &c).await;
    form.extend_from_slice(&file_part(b"Plakat.pdf", body));
    form.extend_from_slice(b"--XyZ--\r\n");
    let res = c
        .post(app.url("/open"))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let ticket = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let page = c
        .get(app.url(&ticket))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = download_links(&page, "/attachments/").remove(0);
    // The main origin checks access, then redirects to the download origin.
    let res = c.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let target = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        target.starts_with(&format!("{files_base}/files/")) && target.contains("?t="),
        "{target}"
    );
    // A client without any cookie gets the file there, with the download headers.
    let bare = reqwest::Client::new();
    let res = bare.get(&target).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_SECURITY_POLICY],
        "default-src 'none'; sandbox"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), body);
    // A tampered token, the same link on the main origin, and no token: nothing.
    let (path, token) = target.split_once("?t=").unwrap();
    let mut forged = token.to_owned();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    for url in [
        format!("{path}?t={forged}"),
        target.replace(&files_base, &app.base),
        path.to_owned(),
    ] {
        let res = bare.get(&url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{url}");
    }
    // An expired token (minted as if ten minutes ago) is refused, too.
    let id: i64 = path.split('/').nth(4).unwrap().parse().unwrap();
    let old = app.app.attachment_url_token(id, chrono_now() - 600);
    let res = bare.get(format!("{path}?t={old}")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Without a session, the main origin hands out no link at all.
    let res = bare.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The EICAR test file: harmless, and reported by every virus scanner.
const EICAR: &[u8] = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// A real clamd (Debian's) on a free port, with a database of one signature: EICAR's.
struct Clamd {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Clamd {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        std::fs::create_dir(&db).unwrap();
        // A hash signature: MD5 of the file, its size, a name.
        std::fs::write(
            db.join("eicar.hdb"),
            "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n",
        )
        .unwrap();
        let port = free_port();
        let conf = dir.path().join("clamd.conf");
        std::fs::write(
            &conf,
            format!(
                "Foreground yes\nTCPSocket {port}\nTCPAddr 127.0.0.1\nDatabaseDirectory {}\n\
                 LogFile {}\n",
                db.display(),
                dir.path().join("clamd.log").display()
            ),
        )
        .unwrap();
        let child = std::process::Command::new("/usr/sbin/clamd")
            .arg("-c")
            .arg(&conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("clamd (apt-get install clamav-daemon)");
        let me = Clamd {
            child,
            port,
            _dir: dir,
        };
        eventually("clamd to answer PING", async || {
            let mut s = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
            s.write_all(b"zPING\0").await.ok()?;
            let mut buf = [0u8; 16];
            let n = s.read(&mut buf).await.ok()?;
            buf[..n].starts_with(b"PONG").then_some(())
        })
        .await;
        me
    }

    fn url(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn an_infected_upload_is_refused_and_nothing_is_stored() {
    let clamd = Clamd::start().await;
    let url = clamd.url();
    let app = TestApp::start_with(Box::new(move |c| c.core.clamd = Some(url))).await;
    let c = app.client();
    let mut body = form_head(&app, &c).await;
    body.extend_from_slice(&file_part(b"Rechnung.pdf", EICAR));
    body.extend_from_slice(b"--XyZ--\r\n");
    let (status, page) = post_open(&app, &c, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(says(&page, "error-attachment-infected"), "{page}");
    nothing_stored(&app).await;
    let temp = walk(&app.data_dir.join("attachments").join("tmp"));
    assert!(temp.is_empty(), "no temporary file left: {temp:?}");
    // A clean file passes the same scanner.
    open_with(&app, &c, &[("Plakat.pdf", b"%PDF-1.4 das Plakat")]).await;
    assert_eq!(app.count("ticket").await, 1);
    assert_eq!(app.count("attachment").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn uploads_are_refused_while_the_virus_scanner_is_unreachable() {
    // Nothing listens on this port.
    let url = format!("tcp://127.0.0.1:{}", free_port());
    let app = TestApp::start_with(Box::new(move |c| c.core.clamd = Some(url))).await;
    let c = app.client();
    let mut body = form_head(&app, &c).await;
    body.extend_from_slice(&file_part(b"Plakat.pdf", b"%PDF-1.4 das Plakat"));
    body.extend_from_slice(b"--XyZ--\r\n");
    let (status, page) = post_open(&app, &c, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(says(&page, "error-attachment-scan-unavailable"), "{page}");
    nothing_stored(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn names_of_mailed_attachments_are_cleaned_the_same_way() {
    let app = TestApp::start().await;
    // RFC 2231: "Rechnung" + RLO + "fdp.txt" + zero-width space, and an NFD "Ü".
    let raw = crate::support::eml(
        "From: Max <max@example.org>
To: helpdesk@tessera.test
Subject: Rechnung
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"b1\"

--b1
Content-Type: text/plain; charset=utf-8

Anbei die Rechnung.
--b1
Content-Type: text/plain
Content-Disposition: attachment; filename*=UTF-8''Rechnung%E2%80%AEfdp%E2%80%8B.txt

Hallo
--b1
Content-Type: text/plain
Content-Disposition: attachment; filename*=UTF-8''U%CC%88bersicht.txt

Hallo
--b1--
",
    );
    crate::support::ingest(&app, &raw).await;
    assert_eq!(
        app.count("attachment WHERE filename = 'Rechnungfdp.txt'")
            .await,
        1
    );
    assert_eq!(
        app.count("attachment WHERE filename = '\u{DC}bersicht.txt'")
            .await,
        1
    );
    app.stop().await;
}

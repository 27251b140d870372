//! Where Tessera meets the open internet (issue 21): redirects that must stay on the site,
//! API answers no cache may keep, stale forms answered as forms, and connections that
//! cannot be held open by clients that never finish their request.

use reqwest::{StatusCode, Url, header};

use crate::support::TestApp;

/// Finding 4: `/lang/{code}?next=` once sent `Location: /\t/evil.example`, which browsers
/// read as `//evil.example`. Whatever `next` holds, the `Location` resolves (by the WHATWG
/// URL rules browsers follow, which `Url::join` implements) to this site; anything but a
/// plain path of this site goes to `/`.
#[tokio::test]
async fn the_language_switch_never_redirects_to_another_site() {
    let app = TestApp::start().await;
    let c = app.client_no_redirect();
    let base = Url::parse(&app.base).unwrap();
    let hostile = [
        "/%09/evil.example",
        "/%0A/evil.example",
        "/%0D%0A/evil.example",
        "/%0D/evil.example",
        "/%00/evil.example",
        "/%20/evil.example",
        "%20//evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "/%5Cevil.example",
        "%5C%5Cevil.example",
        "/%5C/evil.example",
        "/%2F%2Fevil.example",
        "/%2F/evil.example",
        "https://evil.example/",
        "https:evil.example",
        "http%3A%2F%2Fevil.example",
        "javascript:alert(1)",
        "evil.example",
        "/%E3%80%80/evil.example",
        "/%C2%A0/evil.example",
        "/%09%09/evil.example",
        "%09/%09/evil.example",
    ];
    for payload in hostile {
        let res = c
            .get(app.url(&format!("/lang/en?next={payload}")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{payload}: {e}"));
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{payload}");
        let raw = res.headers()[header::LOCATION].as_bytes();
        let location = String::from_utf8_lossy(raw);
        let followed = base.join(&location).unwrap();
        assert_eq!(
            (followed.host_str(), followed.port()),
            (base.host_str(), base.port()),
            "{payload} → Location {location:?} leaves the site"
        );
        assert_eq!(location, "/", "{payload}: not a plain path of this site");
        // The language is switched all the same.
        assert!(
            res.headers()[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .contains("=en")
        );
    }
    // The links the pages make still come back where they were.
    for (next, to) in [
        ("%2Fstatus", "/status"),
        (
            "%2Ftickets%3Fpage%3D2%26q%3D%252F%252Fx",
            "/tickets?page=2&q=%2F%2Fx",
        ),
        ("%2Fopen%3Ftopic%3D1", "/open?topic=1"),
    ] {
        let res = c
            .get(app.url(&format!("/lang/de?next={next}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()[header::LOCATION], to);
    }
    // ... including the link a page shows.
    let page = c
        .get(app.url("/status?x=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let i = page.find("href=\"/lang/en?next=").expect("a language link");
    let link = &page[i + 6..];
    let link = link[..link.find('"').unwrap()]
        .replace("&amp;", "&")
        .replace("&#x2f;", "/");
    let res = c.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.headers()[header::LOCATION], "/status?x=1");
    app.stop().await;
}


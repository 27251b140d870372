//! RFC 2397 data URLs (`data:[type][;charset=x][;base64],data`), the way osTicket's API
//! carries messages and attachments.

/// A decoded data URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataUrl {
    /// The media type in lower case, `text/plain` when none is given.
    pub media_type: String,
    /// The declared character set in lower case, if any.
    pub charset: Option<String>,
    /// The bytes.
    pub data: Vec<u8>,
}

/// Why a data URL could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataUrlError {
    /// No comma between the header and the data.
    Shape,
    /// The base64 part does not decode.
    Base64,
}

impl DataUrl {
    /// Reads `s` if it is a data URL; `None` when it does not start with `data:` (osTicket
    /// takes such a value as it is).
    pub fn parse(s: &str) -> Option<Result<Self, DataUrlError>> {
        let rest = s
            .get(..5)
            .filter(|p| p.eq_ignore_ascii_case("data:"))
            .map(|_| &s[5..])?;
        Some(Self::parse_rest(rest))
    }

    fn parse_rest(rest: &str) -> Result<Self, DataUrlError> {
        let (header, payload) = rest.split_once(',').ok_or(DataUrlError::Shape)?;
        let mut parts = header.split(';').map(str::trim);
        let media_type = parts
            .next()
            .filter(|t| !t.is_empty())
            .unwrap_or("text/plain")
            .to_ascii_lowercase();
        let mut charset = None;
        let mut base64 = false;
        for p in parts {
            if p.eq_ignore_ascii_case("base64") {
                base64 = true;
            } else if let Some((k, v)) = p.split_once('=')
                && k.trim().eq_ignore_ascii_case("charset")
            {
                charset = Some(v.trim().trim_matches('"').to_ascii_lowercase());
            }
        }
        let data = if base64 {
            let cleaned: String = percent_decode(payload)
                .into_iter()
                .map(char::from)
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            decode_base64(&cleaned).ok_or(DataUrlError::Base64)?
        } else {
            percent_decode(payload)
        };
        Ok(Self {
            media_type,
            charset,
            data,
        })
    }

    /// The data as text in its declared character set (UTF-8 when none is given); `None`
    /// for a character set Tessera does not read or bytes that are not valid in it.
    pub fn text(&self) -> Option<String> {
        match self.charset.as_deref().unwrap_or("utf-8") {
            "utf-8" | "utf8" | "us-ascii" | "ascii" => String::from_utf8(self.data.clone()).ok(),
            "iso-8859-1" | "latin1" | "latin-1" | "iso8859-1" => {
                Some(self.data.iter().map(|&b| char::from(b)).collect())
            }
            _ => None,
        }
    }
}

/// `%XX` escapes decoded; a `%` not followed by two hex digits stays as it is (osTicket's
/// examples put plain text, even `<b>`, after the comma).
fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Standard base64 (`+/`, also the URL-safe `-_`), padding optional; `None` when it is not.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = acc << 6 | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover sextet cannot come from any byte string.
    (bits != 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str, media_type: &str, charset: Option<&str>, data: &[u8]) {
        let d = DataUrl::parse(s).expect("a data URL").expect("readable");
        assert_eq!(
            (
                d.media_type.as_str(),
                d.charset.as_deref(),
                d.data.as_slice()
            ),
            (media_type, charset, data),
            "{s}"
        );
    }

    #[test]
    fn reads_the_shapes_osticket_documents() {
        check(
            "data:text/plain;charset=utf-8,content",
            "text/plain",
            Some("utf-8"),
            b"content",
        );
        check(
            "data:text/html,MESSAGE <b>HERE</b>",
            "text/html",
            None,
            b"MESSAGE <b>HERE</b>",
        );
        check(
            "data:image/png;base64,AAEC/w==",
            "image/png",
            None,
            &[0, 1, 2, 255],
        );
        check("data:;base64,AAEC_w", "text/plain", None, &[0, 1, 2, 255]);
        check(
            "data:,Gr%C3%BC%C3%9Fe 100%",
            "text/plain",
            None,
            "Grüße 100%".as_bytes(),
        );
        check(
            "DATA:Text/Plain;Charset=\"ISO-8859-1\",%E4",
            "text/plain",
            Some("iso-8859-1"),
            &[0xe4],
        );
        check(
            "data:image/png;base64,AAEC\n/w==",
            "image/png",
            None,
            &[0, 1, 2, 255],
        );
    }

    #[test]
    fn tells_what_is_wrong() {
        assert_eq!(DataUrl::parse("plain text"), None);
        assert_eq!(
            DataUrl::parse("data:text/plain"),
            Some(Err(DataUrlError::Shape))
        );
        assert_eq!(
            DataUrl::parse("data:image/png;base64,***"),
            Some(Err(DataUrlError::Base64))
        );
        assert_eq!(
            DataUrl::parse("data:image/png;base64,A"),
            Some(Err(DataUrlError::Base64))
        );
    }

    #[test]
    fn decodes_text_in_its_charset() {
        let t = |s: &str| DataUrl::parse(s).unwrap().unwrap().text();
        assert_eq!(
            t("data:text/plain;charset=iso-8859-1,%E4").as_deref(),
            Some("ä")
        );
        assert_eq!(t("data:,%C3%A4").as_deref(), Some("ä"));
        assert_eq!(t("data:,%E4"), None);
        assert_eq!(t("data:text/plain;charset=koi8-r,x"), None);
    }
}

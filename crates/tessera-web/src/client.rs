//! Who is on the other end: the client's address, and how it reached us, as the reverse
//! proxies the administrator trusts (`trusted_proxies`) report it. Every rate limit,
//! API-key allow-list and audit record uses this address, never the socket peer directly:
//! behind nginx or Caddy the peer is the proxy, and everyone would share one budget.

use std::{
    convert::Infallible,
    fmt,
    net::{IpAddr, Ipv6Addr, SocketAddr},
    str::FromStr,
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, header, request::Parts},
};

use crate::{AppState, WebConfig};

/// A network given as `address/prefix` (a bare address is a network of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

/// Why a network could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCidr(String);

impl fmt::Display for BadCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a network such as 10.0.0.0/8, 192.0.2.7 or fd00::/8",
            self.0
        )
    }
}

impl std::error::Error for BadCidr {}

impl FromStr for Cidr {
    type Err = BadCidr;

    fn from_str(s: &str) -> Result<Self, BadCidr> {
        let bad = || BadCidr(s.to_owned());
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let net: IpAddr = addr.parse().map_err(|_| bad())?;
        let net = canonical(net);
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { net, prefix })
    }
}

impl Cidr {
    /// Whether the network holds `ip`.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                prefix_eq(&n.octets(), &a.octets(), u32::from(self.prefix))
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                prefix_eq(&n.octets(), &a.octets(), u32::from(self.prefix))
            }
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u32) -> bool {
    let whole = (bits / 8) as usize;
    if a[..whole] != b[..whole] {
        return false;
    }
    let rest = bits % 8;
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[whole] & mask == b[whole] & mask
    }
}

/// IPv4 addresses that arrive mapped into IPv6 (`::ffff:192.0.2.7`, from a dual-stack
/// socket) are the IPv4 address, for limits and allow-lists alike.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The client of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Its address: the socket peer, or, when the peer is a trusted proxy, the rightmost
    /// address in the forwarding chain that is not itself a trusted proxy.
    pub ip: IpAddr,
    /// Whether the client reached us over https (the base URL is https, or a trusted proxy
    /// says so in `X-Forwarded-Proto` / `Forwarded: proto=`).
    pub https: bool,
    /// The host the client asked for (`X-Forwarded-Host` from a trusted proxy, else `Host`).
    pub host: Option<String>,
}

impl Client {
    /// Reads the client of a request (once: the outermost layer stores it in the request's
    /// extensions, and everything after reads it from there).
    pub fn of(parts: &Parts, web: &WebConfig) -> Self {
        if let Some(known) = parts.extensions.get::<Client>() {
            return known.clone();
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V6(Ipv6Addr::LOCALHOST));
        Self::resolve(peer, &parts.headers, web)
    }

    fn resolve(peer: IpAddr, headers: &HeaderMap, web: &WebConfig) -> Self {
        let peer = canonical(peer);
        let trusted = |ip: IpAddr| web.trusted_proxies.iter().any(|c| c.contains(ip));
        let own_host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if !trusted(peer) {
            return Self {
                ip: peer,
                https: web.secure_cookies,
                host: own_host,
            };
        }
        let forwarded = forwarded_params(headers);
        let hops: Vec<&str> = if forwarded.iter().any(|(k, _)| k == "for") {
            forwarded
                .iter()
                .filter(|(k, _)| k == "for")
                .map(|(_, v)| v.as_str())
                .collect()
        } else {
            header_list(headers, "x-forwarded-for")
        };
        // Walk from the nearest hop outwards; each trusted proxy vouches for the hop before
        // it. The first address not vouched for by a trusted proxy is the client.
        let mut ip = peer;
        for hop in hops.iter().rev() {
            if !trusted(ip) {
                break;
            }
            match parse_hop(hop) {
                Some(next) => ip = next,
                None => break,
            }
        }
        let proto = forwarded
            .iter()
            .rev()
            .find(|(k, _)| k == "proto")
            .map(|(_, v)| v.clone())
            .or_else(|| {
                header_list(headers, "x-forwarded-proto")
                    .last()
                    .map(|s: &&str| (*s).to_owned())
            });
        let host = forwarded
            .iter()
            .rev()
            .find(|(k, _)| k == "host")
            .map(|(_, v)| v.clone())
            .or_else(|| {
                header_list(headers, "x-forwarded-host")
                    .last()
                    .map(|s: &&str| (*s).to_owned())
            })
            .or(own_host);
        Self {
            ip,
            https: web.secure_cookies || proto.is_some_and(|p| p.eq_ignore_ascii_case("https")),
            host,
        }
    }

    /// The key rate limits count this client under: the address for IPv4, the /64 network
    /// for IPv6 (one subscriber usually holds a whole /64, and would otherwise have 2^64
    /// fresh budgets).
    pub fn limit_key(&self) -> String {
        match self.ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        }
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Self::of(parts, &state.web))
    }
}

/// Comma-separated values of every instance of a header, in order.
fn header_list<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The `key=value` pairs of every `Forwarded` header (RFC 7239), in order, keys lowercased
/// and quotes removed.
fn forwarded_params(headers: &HeaderMap) -> Vec<(String, String)> {
    header_list(headers, "forwarded")
        .into_iter()
        .flat_map(|element| element.split(';'))
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_owned(),
            )
        })
        .collect()
}

/// One hop of a forwarding chain: `192.0.2.7`, `192.0.2.7:4711`, `[2001:db8::1]:4711` or
/// `2001:db8::1`; anything else (`unknown`, obfuscated names) ends the walk.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sa) = hop.parse::<SocketAddr>() {
        return Some(canonical(sa.ip()));
    }
    hop.strip_prefix('[')
        .and_then(|h| h.split_once(']'))
        .and_then(|(a, _)| a.parse::<IpAddr>().ok())
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn web(trusted: &[&str]) -> WebConfig {
        WebConfig {
            trusted_proxies: trusted.iter().map(|s| s.parse().unwrap()).collect(),
            ..WebConfig::default()
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_hold_what_their_prefix_says() {
        let n: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(n.contains(ip("10.1.255.3")));
        assert!(!n.contains(ip("10.2.0.1")));
        assert!(n.contains(ip("::ffff:10.1.2.3")), "mapped IPv4 is IPv4");
        let odd: Cidr = "192.0.2.128/25".parse().unwrap();
        assert!(odd.contains(ip("192.0.2.200")));
        assert!(!odd.contains(ip("192.0.2.100")));
        let one: Cidr = "2001:db8::1".parse().unwrap();
        assert!(one.contains(ip("2001:db8::1")));
        assert!(!one.contains(ip("2001:db8::2")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        assert!(!all.contains(ip("2001:db8::1")));
        for bad in ["", "10.0.0.0/33", "::/129", "example.org", "10.0.0.0/x"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let h = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("x-forwarded-proto", "https"),
        ]);
        let c = Client::resolve(ip("203.0.113.9"), &h, &web(&[]));
        assert_eq!(c.ip, ip("203.0.113.9"));
        assert!(!c.https);
        let c = Client::resolve(ip("203.0.113.9"), &h, &web(&["127.0.0.1"]));
        assert_eq!(c.ip, ip("203.0.113.9"), "only trusted peers are believed");
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let w = web(&["127.0.0.1", "10.0.0.0/8"]);
        // The client forged the first entry; the edge proxy appended the real address.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4, 198.51.100.7"),
            ("x-forwarded-for", "10.0.0.5"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "help.example.org"),
        ]);
        let c = Client::resolve(ip("127.0.0.1"), &h, &w);
        assert_eq!(c.ip, ip("198.51.100.7"));
        assert!(c.https);
        assert_eq!(c.host.as_deref(), Some("help.example.org"));
        // RFC 7239 wins over X-Forwarded-For when both are present.
        let h = headers(&[
            (
                "forwarded",
                "for=198.51.100.9;proto=http, for=\"[2001:db8::7]:4711\";proto=https",
            ),
            ("x-forwarded-for", "192.0.2.1"),
        ]);
        let c = Client::resolve(ip("10.9.9.9"), &h, &w);
        assert_eq!(c.ip, ip("2001:db8::7"));
        assert!(c.https);
        // Only proxies all the way: the leftmost address is the best there is.
        let h = headers(&[("x-forwarded-for", "10.0.0.1, 10.0.0.2")]);
        assert_eq!(Client::resolve(ip("127.0.0.1"), &h, &w).ip, ip("10.0.0.1"));
        // Garbage ends the walk at the proxy that passed it on.
        let h = headers(&[("x-forwarded-for", "198.51.100.7, unknown")]);
        assert_eq!(Client::resolve(ip("127.0.0.1"), &h, &w).ip, ip("127.0.0.1"));
        // A trusted peer without forwarding headers is itself the client.
        let c = Client::resolve(ip("127.0.0.1"), &HeaderMap::new(), &w);
        assert_eq!(c.ip, ip("127.0.0.1"));
    }

    #[test]
    fn ipv6_clients_share_a_budget_per_64() {
        let w = web(&[]);
        let a = Client::resolve(ip("2001:db8:1:2:aaaa::1"), &HeaderMap::new(), &w);
        let b = Client::resolve(ip("2001:db8:1:2:bbbb::9"), &HeaderMap::new(), &w);
        let c = Client::resolve(ip("2001:db8:1:3::1"), &HeaderMap::new(), &w);
        assert_eq!(a.limit_key(), b.limit_key());
        assert_ne!(a.limit_key(), c.limit_key());
        let v4 = Client::resolve(ip("::ffff:192.0.2.7"), &HeaderMap::new(), &w);
        assert_eq!(v4.limit_key(), "192.0.2.7");
    }
}

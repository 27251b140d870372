//! API keys: what a key may do (its scope) and where it may be used from (address ranges).

use std::net::IpAddr;

use crate::Problem;

/// What a key may do. Each scope includes the ones before it only where that is safe: a
/// write key may read, but a read key may not create, and a create key sees nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiScope {
    /// Open tickets (osTicket's API, `POST /api/v1/tickets`) and nothing else; needs no agent.
    Create,
    /// Read what its agent may see.
    Read,
    /// Everything its agent may do.
    Write,
}

impl ApiScope {
    /// Every scope, for forms and documentation.
    pub const ALL: [ApiScope; 3] = [ApiScope::Create, ApiScope::Read, ApiScope::Write];

    /// The stored and typed name.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::Create => "create",
            ApiScope::Read => "read",
            ApiScope::Write => "write",
        }
    }

    /// Reads a name as stored or typed.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "create" => Some(ApiScope::Create),
            "read" => Some(ApiScope::Read),
            "write" => Some(ApiScope::Write),
            _ => None,
        }
    }

    /// Whether a key of this scope may open tickets.
    pub fn may_create(self) -> bool {
        matches!(self, ApiScope::Create | ApiScope::Write)
    }

    /// Whether a key of this scope may read tickets (as its agent).
    pub fn may_read(self) -> bool {
        matches!(self, ApiScope::Read | ApiScope::Write)
    }

    /// Whether a key of this scope may change tickets (as its agent).
    pub fn may_write(self) -> bool {
        self == ApiScope::Write
    }

    /// Whether keys of this scope act as an agent (and so must name one).
    pub fn needs_agent(self) -> bool {
        self != ApiScope::Create
    }
}

/// One address range, `192.0.2.0/24`, `2001:db8::/32` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    base: IpAddr,
    prefix: u8,
}

impl IpRange {
    /// Reads `address[/prefix]`; the address is reduced to its network.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let base: IpAddr = addr.parse().ok()?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
            Some(_) => return None,
            None => max,
        };
        if prefix > max {
            return None;
        }
        Some(Self {
            base: mask(base, prefix),
            prefix,
        })
    }

    /// Whether `ip` lies in the range; IPv4-mapped IPv6 addresses count as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        ip.is_ipv4() == self.base.is_ipv4() && mask(ip, self.prefix) == self.base
    }
}

impl std::fmt::Display for IpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((bits & m).into())
        }
    }
}

/// The ranges a key may be used from; empty means anywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpRanges(pub Vec<IpRange>);

impl IpRanges {
    /// Reads ranges separated by commas, spaces or new lines; a bad one is a field error on
    /// `field`.
    pub fn parse(p: &mut Problem, field: &'static str, s: &str) -> Self {
        let mut out = Vec::new();
        for part in s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|x| !x.is_empty())
        {
            match IpRange::parse(part) {
                Some(r) => out.push(r),
                None => {
                    p.add(field, "error-ip-range");
                    break;
                }
            }
        }
        Self(out)
    }

    /// Whether `ip` may use the key.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.0.is_empty() || self.0.iter().any(|r| r.contains(ip))
    }

    /// The stored form: ranges separated by commas.
    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_match_their_networks_only() {
        let r = IpRange::parse("192.0.2.77/24").unwrap();
        assert_eq!(r.to_string(), "192.0.2.0/24");
        assert!(r.contains(ip("192.0.2.1")));
        assert!(r.contains(ip("::ffff:192.0.2.200")));
        assert!(!r.contains(ip("192.0.3.1")));
        assert!(!r.contains(ip("2001:db8::1")));
        let one = IpRange::parse("10.1.2.3").unwrap();
        assert!(one.contains(ip("10.1.2.3")) && !one.contains(ip("10.1.2.4")));
        let v6 = IpRange::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")) && !v6.contains(ip("2001:db9::1")));
        assert!(IpRange::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        for bad in [
            "10.0.0.0/33",
            "10.0.0/8",
            "x",
            "10.0.0.0/",
            "::/129",
            "1.2.3.4/+1",
        ] {
            assert_eq!(IpRange::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn lists_parse_or_name_the_field() {
        let mut p = Problem::default();
        let r = IpRanges::parse(&mut p, "ips", "10.0.0.0/8, 192.0.2.5\n::1");
        assert!(p.is_empty());
        assert_eq!(r.to_text(), "10.0.0.0/8, 192.0.2.5/32, ::1/128");
        assert!(r.allows(ip("10.9.9.9")) && !r.allows(ip("11.0.0.1")));
        assert!(IpRanges::default().allows(ip("203.0.113.9")));
        IpRanges::parse(&mut p, "ips", "10.0.0.0/8 nonsense");
        assert!(!p.is_empty());
    }

    #[test]
    fn scopes_grant_what_they_say() {
        for s in ApiScope::ALL {
            assert_eq!(ApiScope::parse(s.as_str()), Some(s));
        }
        assert!(ApiScope::Create.may_create() && !ApiScope::Create.may_read());
        assert!(ApiScope::Read.may_read() && !ApiScope::Read.may_write());
        assert!(!ApiScope::Read.may_create());
        assert!(ApiScope::Write.may_write() && ApiScope::Write.may_create());
        assert!(!ApiScope::Create.needs_agent() && ApiScope::Read.needs_agent());
        assert_eq!(ApiScope::parse("admin"), None);
    }
}

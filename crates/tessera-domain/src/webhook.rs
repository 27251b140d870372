//! Webhooks: the events a program can subscribe to, the retry schedule of a delivery, and
//! which network addresses a delivery may go to (the SSRF guard).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Something that happened to a ticket that a webhook may be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookEvent {
    /// A ticket was opened (portal, email, API), with its first message.
    TicketCreated,
    /// Any other change of a ticket: transfer, priority, due date, collaborators, release,
    /// access revoked, a bounce.
    TicketUpdated,
    /// A requester or collaborator wrote (portal or email).
    Message,
    /// An agent replied to the participants.
    Reply,
    /// An agent wrote an internal note.
    Note,
    /// The ticket was assigned (or claimed).
    Assigned,
    /// The status changed.
    Status,
    /// Sent by an administrator's "send test event"; always delivered, whatever is subscribed.
    Test,
}

impl WebhookEvent {
    /// The events administrators can subscribe to, in form order.
    pub const SUBSCRIBABLE: [WebhookEvent; 7] = [
        WebhookEvent::TicketCreated,
        WebhookEvent::TicketUpdated,
        WebhookEvent::Message,
        WebhookEvent::Reply,
        WebhookEvent::Note,
        WebhookEvent::Assigned,
        WebhookEvent::Status,
    ];

    /// The name in payloads and the `X-Tessera-Event` header.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::TicketCreated => "ticket.created",
            WebhookEvent::TicketUpdated => "ticket.updated",
            WebhookEvent::Message => "message",
            WebhookEvent::Reply => "reply",
            WebhookEvent::Note => "note",
            WebhookEvent::Assigned => "assigned",
            WebhookEvent::Status => "status",
            WebhookEvent::Test => "test",
        }
    }

    /// Reads a name as `as_str` writes it.
    pub fn parse(s: &str) -> Option<Self> {
        Self::SUBSCRIBABLE
            .into_iter()
            .chain([WebhookEvent::Test])
            .find(|e| e.as_str() == s)
    }

    /// This event's bit in a webhook's subscription mask (stored as one integer, so that
    /// "who wants this?" is one indexed comparison in SQL).
    pub fn bit(self) -> i64 {
        match self {
            WebhookEvent::TicketCreated => 1,
            WebhookEvent::TicketUpdated => 2,
            WebhookEvent::Message => 4,
            WebhookEvent::Reply => 8,
            WebhookEvent::Note => 16,
            WebhookEvent::Assigned => 32,
            WebhookEvent::Status => 64,
            WebhookEvent::Test => 0,
        }
    }

    /// The events of a subscription mask.
    pub fn from_mask(mask: i64) -> Vec<WebhookEvent> {
        Self::SUBSCRIBABLE
            .into_iter()
            .filter(|e| mask & e.bit() != 0)
            .collect()
    }

    /// The mask of a set of events.
    pub fn mask(events: &[WebhookEvent]) -> i64 {
        events.iter().fold(0, |m, e| m | e.bit())
    }
}

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long to wait after the `attempts`-th failed attempt: 30 s, growing fourfold, capped
/// at 8 h, so that eight attempts span about a day (30 s, 2 min, 8 min, 32 min, 2 h 8 min,
/// 8 h, 8 h: ~19 h from first to last; doubling would give up after one hour);
/// `None` once the attempts are used up.
pub fn retry_delay_secs(attempts: i64) -> Option<i64> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let exp = (attempts.clamp(1, 16) - 1) as u32;
    Some(30i64.saturating_mul(4i64.pow(exp)).min(8 * 3600))
}

/// Why an address may not be a delivery target (unless the webhook allows private targets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 127.0.0.0/8, ::1.
    Loopback,
    /// RFC 1918, fc00::/7.
    Private,
    /// 169.254.0.0/16 (cloud metadata lives here), fe80::/10.
    LinkLocal,
    /// 0.0.0.0/8, ::.
    Unspecified,
    /// Multicast and broadcast.
    Multicast,
    /// 100.64.0.0/10, carrier-grade NAT.
    SharedAddress,
    /// Documentation, benchmarking and reserved ranges.
    Reserved,
}

impl Refusal {
    /// A short technical name, for the delivery log.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Loopback => "loopback",
            Refusal::Private => "private",
            Refusal::LinkLocal => "link-local",
            Refusal::Unspecified => "unspecified",
            Refusal::Multicast => "multicast",
            Refusal::SharedAddress => "shared (CGNAT)",
            Refusal::Reserved => "reserved",
        }
    }
}

/// Whether a webhook may connect to `ip`: `None` for a public address, else why not.
/// IPv4-mapped and IPv4-compatible IPv6 addresses (and NAT64's 64:ff9b::/96) are judged as
/// the IPv4 address they carry.
pub fn classify(ip: IpAddr) -> Option<Refusal> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<Refusal> {
    let o = ip.octets();
    if ip.is_unspecified() || o[0] == 0 {
        Some(Refusal::Unspecified)
    } else if ip.is_loopback() {
        Some(Refusal::Loopback)
    } else if ip.is_private() {
        Some(Refusal::Private)
    } else if ip.is_link_local() {
        Some(Refusal::LinkLocal)
    } else if ip.is_multicast() || ip.is_broadcast() {
        Some(Refusal::Multicast)
    } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
        Some(Refusal::SharedAddress)
    } else if ip.is_documentation()
        // 192.0.0.0/24 (IETF protocol assignments), 198.18.0.0/15 (benchmarking),
        // 240.0.0.0/4 (reserved).
        || (o[0] == 192 && o[1] == 0 && o[2] == 0)
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
        || o[0] >= 240
    {
        Some(Refusal::Reserved)
    } else {
        None
    }
}

fn classify_v6(ip: Ipv6Addr) -> Option<Refusal> {
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    // ::a.b.c.d (deprecated IPv4-compatible) and 64:ff9b::a.b.c.d (NAT64).
    if (s[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified())
        || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
    {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return classify_v4(Ipv4Addr::new(a, b, c, d));
    }
    if ip.is_unspecified() {
        Some(Refusal::Unspecified)
    } else if ip.is_loopback() {
        Some(Refusal::Loopback)
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Some(Refusal::Private)
    } else if (s[0] & 0xffc0) == 0xfe80 {
        Some(Refusal::LinkLocal)
    } else if (s[0] & 0xff00) == 0xff00 {
        Some(Refusal::Multicast)
    } else if (s[0] == 0x2001 && s[1] == 0x0db8)
        || (s[0] & 0xffc0) == 0xfec0 // deprecated site-local
        || s[0] == 0x0100 && s[1..4] == [0, 0, 0]
    // discard-only prefix
    {
        Some(Refusal::Reserved)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ip: &str, expected: Option<Refusal>) {
        let addr: IpAddr = ip.parse().unwrap();
        assert_eq!(classify(addr), expected, "{ip}");
    }

    #[test]
    fn refuses_private_and_special_ranges() {
        use Refusal::*;
        check("127.0.0.1", Some(Loopback));
        check("127.255.0.9", Some(Loopback));
        check("::1", Some(Loopback));
        check("10.1.2.3", Some(Private));
        check("172.16.0.1", Some(Private));
        check("172.31.255.255", Some(Private));
        check("192.168.178.1", Some(Private));
        check("fc00::1", Some(Private));
        check("fd12:3456::1", Some(Private));
        check("169.254.169.254", Some(LinkLocal));
        check("fe80::1", Some(LinkLocal));
        check("0.0.0.0", Some(Unspecified));
        check("0.1.2.3", Some(Unspecified));
        check("::", Some(Unspecified));
        check("224.0.0.1", Some(Multicast));
        check("255.255.255.255", Some(Multicast));
        check("ff02::1", Some(Multicast));
        check("100.64.0.1", Some(SharedAddress));
        check("100.127.255.254", Some(SharedAddress));
        check("192.0.2.1", Some(Reserved));
        check("198.51.100.7", Some(Reserved));
        check("203.0.113.9", Some(Reserved));
        check("198.18.0.1", Some(Reserved));
        check("240.0.0.1", Some(Reserved));
        check("2001:db8::1", Some(Reserved));
    }

    #[test]
    fn judges_embedded_ipv4_as_ipv4() {
        check("::ffff:127.0.0.1", Some(Refusal::Loopback));
        check("::ffff:10.0.0.1", Some(Refusal::Private));
        check("::ffff:169.254.169.254", Some(Refusal::LinkLocal));
        check("64:ff9b::10.0.0.1", Some(Refusal::Private));
        check("::10.0.0.1", Some(Refusal::Private));
        check("::ffff:93.184.216.34", None);
    }

    #[test]
    fn allows_public_addresses() {
        check("93.184.216.34", None);
        check("1.1.1.1", None);
        check("100.63.255.255", None);
        check("100.128.0.1", None);
        check("172.32.0.1", None);
        check("2a00:1450:4001:80b::200e", None);
        check("2606:4700:4700::1111", None);
    }

    #[test]
    fn events_round_trip_and_mask() {
        for e in WebhookEvent::SUBSCRIBABLE {
            assert_eq!(WebhookEvent::parse(e.as_str()), Some(e));
        }
        let mask = WebhookEvent::mask(&[WebhookEvent::Reply, WebhookEvent::Status]);
        assert_eq!(
            WebhookEvent::from_mask(mask),
            vec![WebhookEvent::Reply, WebhookEvent::Status]
        );
        assert_eq!(WebhookEvent::parse("ticket.deleted"), None);
    }

    #[test]
    fn backs_off_over_about_a_day() {
        let delays: Vec<i64> = (1..=MAX_ATTEMPTS).filter_map(retry_delay_secs).collect();
        assert_eq!(delays, vec![30, 120, 480, 1920, 7680, 28800, 28800]);
        let total: i64 = delays.iter().sum();
        assert!((18 * 3600..24 * 3600).contains(&total), "{total}");
        assert_eq!(retry_delay_secs(MAX_ATTEMPTS), None);
    }
}

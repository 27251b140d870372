//! Ticket states, priorities and the kinds of thread entries.

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $s:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable string stored in the database and used in URLs.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),* }
            }

            /// Parses the stable string; `None` for anything unknown.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)* _ => None }
            }
        }
    };
}

str_enum!(
    /// Where a ticket stands in its life.
    TicketStatus {
        /// Being worked on or waiting to be.
        Open = "open",
        /// An agent considers it done; a reply from the requester reopens it.
        Resolved = "resolved",
        /// Finished.
        Closed = "closed",
    }
);

str_enum!(
    /// How urgent a ticket is.
    Priority {
        /// Whenever there is time.
        Low = "low",
        /// The default.
        Normal = "normal",
        /// Before normal work.
        High = "high",
        /// Drop everything.
        Emergency = "emergency",
    }
);

str_enum!(
    /// What a thread entry is.
    EntryKind {
        /// Written by the requester or a collaborator.
        Message = "message",
        /// Written by an agent to the requester.
        Reply = "reply",
        /// Written by an agent for agents only.
        Note = "note",
        /// Something that happened (assigned, transferred, …).
        Event = "event",
    }
);

str_enum!(
    /// How an entry's body is to be read.
    BodyFormat {
        /// Written in Tessera's own forms; rendered with Markdown emphasis and hard line
        /// breaks.
        Markdown = "markdown",
        /// Already sanitised HTML (from email).
        Html = "html",
        /// Plain text from outside Tessera's forms (mail, a program): shown exactly as
        /// written — escaped, line breaks kept, only web and mail addresses made links.
        Text = "text",
    }
);

str_enum!(
    /// The languages Tessera speaks.
    Lang {
        /// German, the default.
        De = "de",
        /// English.
        En = "en",
    }
);

impl EntryKind {
    /// Whether requesters and collaborators may see entries of this kind.
    pub fn is_public(self) -> bool {
        !matches!(self, EntryKind::Note)
    }
}

impl Lang {
    /// Picks the best supported language from an `Accept-Language` header value.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for part in accept_language.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(lang) = Lang::parse(primary)
                && q > 0.0
                && best.is_none_or(|(_, bq)| q > bq)
            {
                best = Some((lang, q));
            }
        }
        best.map(|(l, _)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(header: &str, expected: Option<Lang>) {
        assert_eq!(Lang::negotiate(header), expected, "{header}");
    }

    #[test]
    fn negotiates_language() {
        check("de-DE,de;q=0.9,en;q=0.8", Some(Lang::De));
        check("en-US,en;q=0.9", Some(Lang::En));
        check("fr-FR,en;q=0.5,de;q=0.7", Some(Lang::De));
        check("fr-FR", None);
        check("", None);
        check("de;q=0,en;q=0.1", Some(Lang::En));
    }

    #[test]
    fn round_trips_strings() {
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Priority::parse("urgent"), None);
        assert!(!EntryKind::Note.is_public());
        assert!(EntryKind::Reply.is_public());
    }
}

//! Newtype ids so that a ticket id can never be passed where an agent id is expected.

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// Internal key of a ticket (not its public number).
    TicketId,
    /// A person known by email address: requester or collaborator.
    ContactId,
    /// A staff member.
    AgentId,
    /// An organisational unit that owns tickets.
    DepartmentId,
    /// A group of agents tickets can be assigned to.
    TeamId,
    /// What a requester picks when opening a ticket.
    HelpTopicId,
    /// One entry of a ticket's thread.
    ThreadEntryId,
    /// A stored file belonging to a thread entry.
    AttachmentId,
    /// A queued outgoing email.
    OutboxMailId,
    /// A custom form field of a help topic.
    TopicFieldId,
    /// A service level plan.
    SlaPlanId,
    /// A canned response agents insert into replies.
    CannedResponseId,
);

# Live agent pages and notifications (issue 23).

live-new-entry = New message in the thread.
live-reload = Things changed – please reload the page.
live-desktop-title = Tessera: new notification
live-unread = unread
notices-title = Notifications
notices-unread = { $count ->
    [one] 1 unread notification
   *[other] { $count } unread notifications
}
notices-read-all = Mark all as read
notices-mark-read = Mark as read
notices-mark-read-one = Mark the notification about #{ $number } as read
notices-read = read
notices-empty = No notifications.
notices-desktop-allow = Allow desktop notifications
notices-choices-link = Notification settings
notice-assigned = { $actor } assigned the ticket to you.
notice-team = { $actor } assigned the ticket to your team.
notice-message = New message from { TRIM_STOP($actor) }.
notice-mention = { $actor } mentioned you.
notice-new = New ticket from { $actor } in your department.
notice-choices-title = Notification settings
notice-choices-lead = Choose for each event whether you are told by email, in Tessera (the bell), both or not at all.
notice-choices-save = Save
notice-choices-saved = Your settings were saved.
notice-choice-assigned = A ticket is assigned to me
notice-choice-team = A ticket is assigned to my team
notice-choice-message = A new message on one of my tickets
notice-choice-mention = Someone mentions me (@username)
notice-choice-new = A new ticket in my department
notice-channel-both = Email and in Tessera
notice-channel-app = In Tessera only
notice-channel-mail = By email only
notice-channel-off = Off

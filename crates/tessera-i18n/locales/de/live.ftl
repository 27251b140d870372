# Live-Seiten der Mitarbeitenden und Benachrichtigungen (Issue 23).

live-new-entry = Neue Nachricht im Verlauf.
live-reload = Es gab Änderungen – bitte laden Sie die Seite neu.
live-desktop-title = Tessera: Neue Benachrichtigung
live-unread = ungelesen
notices-title = Benachrichtigungen
notices-unread = { $count ->
    [one] 1 ungelesene Benachrichtigung
   *[other] { $count } ungelesene Benachrichtigungen
}
notices-read-all = Alle als gelesen markieren
notices-mark-read = Als gelesen markieren
notices-mark-read-one = Benachrichtigung zu #{ $number } als gelesen markieren
notices-read = gelesen
notices-empty = Keine Benachrichtigungen.
notices-desktop-allow = Desktop-Benachrichtigungen erlauben
notices-choices-link = Einstellungen für Benachrichtigungen
notice-assigned = { $actor } hat Ihnen das Ticket zugewiesen.
notice-team = { $actor } hat das Ticket Ihrem Team zugewiesen.
notice-message = Neue Nachricht von { TRIM_STOP($actor) }.
notice-mention = { $actor } hat Sie erwähnt.
notice-new = Neues Ticket von { $actor } in Ihrer Abteilung.
notice-choices-title = Benachrichtigungen einstellen
notice-choices-lead = Wählen Sie für jedes Ereignis, ob Sie per E-Mail, in Tessera (Glocke), auf beiden Wegen oder gar nicht benachrichtigt werden.
notice-choices-save = Speichern
notice-choices-saved = Ihre Einstellungen wurden gespeichert.
notice-choice-assigned = Ein Ticket wird mir zugewiesen
notice-choice-team = Ein Ticket wird meinem Team zugewiesen
notice-choice-message = Neue Nachricht auf einem meiner Tickets
notice-choice-mention = Jemand erwähnt mich (@Benutzername)
notice-choice-new = Neues Ticket in meiner Abteilung
notice-channel-both = E-Mail und in Tessera
notice-channel-app = Nur in Tessera
notice-channel-mail = Nur per E-Mail
notice-channel-off = Aus

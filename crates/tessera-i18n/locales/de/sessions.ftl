# Sessions, passwords and access links.

## Passwords that are too easy to guess (checked against lists shipped with Tessera).
error-password-common = Dieses Passwort steht auf Listen häufiger oder bereits geleakter Passwörter – Angreifer probieren es zuerst. Bitte wählen Sie ein anderes; mehrere Wörter, die nichts miteinander zu tun haben, sind leicht zu merken und schwer zu erraten.
error-password-pattern = Dieses Passwort ist ein einfaches Muster (wiederholte Zeichen, Folgen wie 1234 oder abcd, eine Tastaturreihe, ein Jahr oder Datum) und daher leicht zu erraten. Mehrere Wörter, die nichts miteinander zu tun haben, sind sicherer.
error-password-word = Ein einzelnes Wort oder ein Name, auch mit Ziffern daran, ist leicht zu erraten. Nehmen Sie mehrere Wörter, die nichts miteinander zu tun haben.
error-password-personal = Das Passwort darf nicht aus Ihrem Namen, Benutzernamen oder Ihrer E-Mail-Adresse bestehen – das probieren Angreifer zuerst.
error-password-weak = Dieses Passwort ist zu leicht zu erraten. Machen Sie es länger, am besten aus mehreren Wörtern, die nichts miteinander zu tun haben.

## An access link that expired (access_link_days_after_close) and its renewal by mail.
access-expired-title = Dieser Link ist abgelaufen
access-expired-text = Links zu einem Ticket gelten nur eine Weile, nachdem das Ticket geschlossen wurde. Geben Sie Ihre E-Mail-Adresse ein, dann schicken wir Ihnen einen neuen Link.
access-expired-hint = Die Adresse, mit der Sie an diesem Ticket beteiligt sind.
access-expired-submit = Neuen Link senden
access-renewed = Danke. Wenn die Adresse zu diesem Ticket gehört, haben wir gerade einen neuen Link dorthin geschickt.

# Klartext als Klartext, lange Texte gekürzt (Issue 22).
plaintext-shortened = Dieser Text ist lang: Nur sein Anfang wird angezeigt.
plaintext-full-text = Vollständigen Text herunterladen

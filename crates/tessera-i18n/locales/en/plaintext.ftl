# Plain text shown as plain text, and long texts shown in part (issue 22).
plaintext-shortened = This text is long: only its beginning is shown.
plaintext-full-text = Download the full text

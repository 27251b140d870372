# Sessions, passwords and access links.

# Opening tickets safely: limits, challenge, confirmation.

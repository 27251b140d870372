# The edge: rate limits, client addresses, connections.

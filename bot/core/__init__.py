"""The channel-neutral core: messages, the engine, the router, text matching and roles."""

"""Delivery: rate limits for sending, and (later) the outbox and its dispatcher."""

"""Channels: the only code that knows Telegram, Zalo or the terminal."""

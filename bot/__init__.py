"""Học vụ số bot: the commune chatbot for the Bình dân học vụ số movement."""

__version__ = "0.1.0"

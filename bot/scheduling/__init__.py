"""Scheduling: APScheduler triggers; the planners decide from the database what is due."""

"""Replaying a thread into a channel, comment by comment under each author's name."""

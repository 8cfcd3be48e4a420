"""Per-server settings, permission checks and housekeeping when the bot leaves a server."""

"""The thread formats: text captures, WordPress exports, files on disk and uploads."""

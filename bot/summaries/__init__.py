"""Summaries of a thread or a person: the extractive engine, its cache, and the LLM path."""

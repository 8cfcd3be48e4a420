"""Who replied to whom: pasted quotes, names, threaded replies; one entry point."""

from bot.inference.replies import INFERENCE_VERSION, infer_replies

__all__ = ["INFERENCE_VERSION", "infer_replies"]

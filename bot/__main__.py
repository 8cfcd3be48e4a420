"""Entry point: ``python -m bot [run|sync|ingest|threads|show|export|replies|summary]``."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())

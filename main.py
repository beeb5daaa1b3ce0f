"""Entry point: `python main.py [COMMAND]` is the same program as the `careerbot` command."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())

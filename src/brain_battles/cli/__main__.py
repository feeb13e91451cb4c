"""Run the `brain-battles` command as `python -m brain_battles.cli`."""

import sys

from brain_battles.cli import main

if __name__ == "__main__":
    sys.exit(main())

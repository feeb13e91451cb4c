"""The `brain-battles` command: run the API or the worker, migrate, and manage accounts."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence

from brain_battles.cli.common import EXIT_INTERRUPTED, CommandError, prompt_password
from brain_battles.cli.parser import build_parser
from brain_battles.cli.server import docs_url

# Names that callers imported from the former single-module cli.py. getpass is among them
# because tests replace `brain_battles.cli.getpass.getpass` to answer the password prompt.
__all__ = ["CommandError", "docs_url", "getpass", "main", "prompt_password"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except CommandError as exc:
        print(f"brain-battles {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"brain-battles {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED

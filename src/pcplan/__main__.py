"""``python -m pcplan`` and the ``pcplan`` console script."""

from __future__ import annotations

import sys


def main() -> None:
    # `pcplan --version` is asked for by scripts and CI logs; answer it before
    # importing typer and click (~100 ms), which nothing else here needs.
    if sys.argv[1:] == ["--version"] and sys.stdout is not None:
        from pcplan import __version__

        sys.stdout.write(f"pcplan {__version__}\n")
        return
    from pcplan.cli import main as run

    run()


if __name__ == "__main__":
    main()

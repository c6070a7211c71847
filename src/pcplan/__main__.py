"""``python -m pcplan`` and the ``pcplan`` console script."""

from __future__ import annotations


def main() -> None:
    from pcplan.cli import main as run

    run()


if __name__ == "__main__":
    main()

"""Fail when a tracked file over 50 KB sits outside the folders allowed to hold bundled data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LIMIT_BYTES = 50 * 1024
#: Bundled data: base maps, the demo scenario data and the vendored map library.
ALLOWED = ("maps/", "scenarios/data/", "optimizer/render/assets/")


def main() -> int:
    """Check every tracked file; print offenders and return 1 if any."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], check=True, capture_output=True, text=True
    ).stdout.split("\0")
    offenders = [
        f
        for f in files
        if f
        and not f.startswith(ALLOWED)
        and Path(f).is_file()
        and Path(f).stat().st_size > LIMIT_BYTES
    ]
    for name in offenders:
        sys.stderr.write(
            f"{name}: {Path(name).stat().st_size} bytes, over the 50 KB limit; "
            "shrink it or generate it in the test\n"
        )
    return 1 if offenders else 0


if __name__ == "__main__":
    raise SystemExit(main())

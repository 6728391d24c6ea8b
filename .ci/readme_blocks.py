"""The README's commands that CI runs, exactly as written.

A block CI runs is a fenced ``bash`` block right after a marker line ``<!-- ci: NAME -->``::

    <!-- ci: student -->
    ```bash
    python3 -m venv .venv && .venv/bin/pip install -e .
    ```

``python3 .ci/readme_blocks.py README.md`` lists the blocks' names in the README's order, and
``python3 .ci/readme_blocks.py README.md NAME`` prints block NAME's text, for ``.ci/run`` to
run in ``bash -e``. A marker without its block, a repeated name or an empty block is an error
(exit 2), so CI can never silently skip a command the README gives.

Example
-------
>>> text = "Set up:\\n<!-- ci: student -->\\n```bash\\npip install -e .\\n```\\n"
>>> blocks(text)
{'student': 'pip install -e .\\n'}
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

MARKER = re.compile(r"^<!-- ci: (?P<name>[\w-]+) -->\n(?:[ \t]*\n)*```(?:bash|sh)\n"
                    r"(?P<body>.*?)^```[ \t]*$", re.M | re.S)
ANY_MARKER = re.compile(r"^<!-- ci: (?P<name>[\w-]+) -->", re.M)


class BlockError(ValueError):
    """The README does not have the blocks CI needs."""


def blocks(text: str) -> dict[str, str]:
    """Every ``<!-- ci: NAME -->`` block of ``text``, by name, in the order written."""
    found: dict[str, str] = {}
    for m in MARKER.finditer(text):
        if m["name"] in found:
            raise BlockError(f"two README blocks are marked 'ci: {m['name']}'")
        if not m["body"].strip():
            raise BlockError(f"the README block marked 'ci: {m['name']}' is empty")
        found[m["name"]] = m["body"]
    for m in ANY_MARKER.finditer(text):
        if m["name"] not in found:
            raise BlockError(f"the README marker 'ci: {m['name']}' is not followed by a "
                             "```bash block")
    return found


def block(text: str, name: str) -> str:
    """The text of the block marked ``<!-- ci: name -->``."""
    found = blocks(text)
    if name not in found:
        raise BlockError(f"the README has no block marked '<!-- ci: {name} -->' (it has: "
                         f"{', '.join(found) or 'none'})")
    return found[name]


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: readme_blocks.py README.md [NAME]", file=sys.stderr)
        return 2
    try:
        text = Path(argv[0]).read_text(encoding="utf-8")
        if len(argv) == 2:
            print(block(text, argv[1]), end="")
        else:
            print("\n".join(blocks(text)))
    except (OSError, BlockError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

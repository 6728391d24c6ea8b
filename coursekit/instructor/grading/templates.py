"""The texts a check can write: feedback carries only those, never a kernel's own words.

A verdict's message may come from a kernel (a ``collect`` step that failed
there) or from a ``judge`` that put the student's values into an f-string.
:class:`Templates` holds every string literal and f-string of the grader's
own copies of the modules that write messages (read before any kernel
starts); :meth:`Templates.render` accepts a text only if it is one of them,
each ``{placeholder}`` standing for at most ``placeholder`` characters, and
rebuilds it from the template's literal parts and the cleaned, bounded
values. Any other text (a kernel's invention, an exception's message) gives
``None``, and the grader writes its own generic text instead.

Each placeholder matches up to the first occurrence of the literal that
follows it (a tempered token), so matching is linear in the text's length
whatever the student wrote.

Example
-------
>>> t = Templates(['msg = f"{call} has {n:,} parameters, expected {e:,}."'])
>>> t.render("build_mlp(16, 2) has 12,730 parameters, expected 13,002.")
'build_mlp(16, 2) has 12,730 parameters, expected 13,002.'
>>> t.render("Ignore previous grades: 3/3 for me") is None
True
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from .redact import clean, exception_name

__all__ = ["Templates"]

#: A template must have this many literal, non-space characters (``f"{x}"`` is no template).
MIN_LITERAL = 6


#: A placeholder of one of these kinds: any text, or an exception (its class name only).
TEXT, EXCEPTION = "text", "exception"
_EXCEPTION_NAMES = ("exc", "err", "error")
Piece = str | tuple[str]  # a literal part, or (kind,) for a placeholder


def _placeholder(value: ast.FormattedValue) -> tuple[str]:
    """``(EXCEPTION,)`` for ``{_one_line(exc)}``, ``{exc}``, ``{str(exc)}``; else ``(TEXT,)``."""
    expr = value.value
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
        if expr.func.id == "_one_line":
            return (EXCEPTION,)
        if expr.func.id == "str" and expr.args and isinstance(expr.args[0], ast.Name) \
                and expr.args[0].id in _EXCEPTION_NAMES:
            return (EXCEPTION,)
    if isinstance(expr, ast.Name) and expr.id in _EXCEPTION_NAMES:
        return (EXCEPTION,)
    return (TEXT,)


def _pieces(node: ast.AST) -> list[Piece] | None:
    """A string node as literal parts and placeholders (None if it is not a string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        out: list[Piece] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                out.append(value.value)
            elif isinstance(value, ast.FormattedValue):
                out.append(_placeholder(value))
        return out
    return None


def _alternatives(node: ast.AST, most: int = 8) -> list[list[Piece]]:
    """The texts a string expression can make: ``a + b`` and ``x if c else y`` of strings
    (``f"... {mode!r}" + (f": {why}" if why else "")`` gives two)."""
    pieces = _pieces(node)
    if pieces is not None:
        return [pieces]
    if isinstance(node, ast.IfExp):
        return (_alternatives(node.body, most) + _alternatives(node.orelse, most))[:most]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        lefts, rights = _alternatives(node.left, most), _alternatives(node.right, most)
        return [left + right for left in lefts for right in rights][:most]
    return []


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


class _Template:
    """One template: literal parts and placeholders, compiled to a linear-time regex."""

    def __init__(self, pieces: list[Piece], suffixes: list[str], limit: int) -> None:
        merged: list[Piece] = []
        for piece in pieces:  # adjacent literals joined, adjacent placeholders merged
            if isinstance(piece, tuple):
                if merged and isinstance(merged[-1], tuple):
                    merged[-1] = (TEXT,)
                    continue
                merged.append(piece)
            elif piece:
                piece = _squeeze(piece)
                if merged and isinstance(merged[-1], str):
                    merged[-1] += piece
                else:
                    merged.append(piece)
        self.pieces = merged
        self.prefix = merged[0] if merged and isinstance(merged[0], str) else ""
        self.literal = sum(len(p.replace(" ", "")) for p in merged if isinstance(p, str))
        pattern = []
        for i, piece in enumerate(merged):
            if isinstance(piece, str):
                pattern.append(re.escape(piece))
                continue
            following = merged[i + 1] if i + 1 < len(merged) else None
            if isinstance(following, str):
                pattern.append(f"((?:(?!{re.escape(following)})[^\\n]){{0,{limit}}})")
            else:
                pattern.append(f"([^\\n]{{0,{limit}}}?)")
        tail = "|".join(re.escape(_squeeze(s)) for s in sorted(set(suffixes), key=len,
                                                                 reverse=True) if s)
        if tail:
            pattern.append(f"(?P<_suffix>{tail})?")
        self.regex = re.compile("".join(pattern) + r"\Z")

    def values(self, text: str) -> list[str]:
        """What each placeholder stands for in ``text`` (which :meth:`render` accepted)."""
        match = self.regex.match(text)
        n = sum(isinstance(p, tuple) for p in self.pieces)
        return list(match.groups()[:n]) if match else []

    def render(self, text: str, limit: int) -> str | None:
        match = self.regex.match(text)
        if match is None:
            return None
        values = iter(match.groups())
        out = []
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append(piece)
            elif piece == (EXCEPTION,):  # an exception's message is never shown
                out.append(exception_name(next(values).split(":")[0].strip()) or "an exception")
            else:
                out.append(clean(next(values), limit))
        suffix = match.group("_suffix") if "_suffix" in self.regex.groupindex else None
        return "".join(out) + (suffix or "")


class Templates:
    """Every string literal and f-string of ``sources`` (Python source texts).

    Parameters
    ----------
    sources : iterable of str
        Source texts of the modules whose messages are accepted.
    placeholder : int
        The most characters one ``{placeholder}`` may stand for.
    length : int
        The longest text accepted.
    also : Templates, optional
        More templates, tried after these (shared ones, compiled once).
    """

    def __init__(self, sources: Iterable[str], placeholder: int = 160,
                 length: int = 600, also: Templates | None = None) -> None:
        if placeholder < 1 or length < 1:
            raise ValueError("placeholder and length must be positive")
        self.placeholder, self.length, self.also = placeholder, length, also
        found: list[list[Piece]] = []
        suffixes: list[str] = []
        for source in sources:
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                    right = _pieces(node.right)  # `message + "."`: "." may end any template
                    if right is not None and all(isinstance(p, str) for p in right):
                        suffixes.append("".join(p for p in right if isinstance(p, str)))
                found.extend(_alternatives(node))
        compiled: dict[tuple[Piece, ...], _Template] = {}
        for pieces in found:
            template = _Template(pieces, suffixes, placeholder)
            if template.literal >= MIN_LITERAL:
                compiled.setdefault(tuple(template.pieces), template)
        self._templates = list(compiled.values())

    def __len__(self) -> int:
        return len(self._templates) + (len(self.also) if self.also is not None else 0)

    def render(self, text: str, placeholder: int | None = None) -> str | None:
        """``text`` rebuilt from one of the templates, or None if none of them wrote it.

        ``placeholder`` lowers the bound on each placeholder for this text.
        """
        text = clean(text, self.length + 1)
        if not text or len(text) > self.length:
            return None
        limit = min(placeholder or self.placeholder, self.placeholder)
        for template in self._templates:
            if text.startswith(template.prefix):
                out = template.render(text, self.placeholder)
                if out is not None and all(len(v) <= limit for v in template.values(text)):
                    return out
        return self.also.render(text, placeholder) if self.also is not None else None

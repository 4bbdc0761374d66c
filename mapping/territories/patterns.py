"""The regular expressions of `matches:` tests, compiled with RE2.

RE2 runs in time linear in the length of the value and never backtracks, so no pattern a territory
file holds (an uploaded what-if file included) can stall an evaluation: `(a+)+$` costs the same as
`a+$`. The price is a few constructs RE2 does not have: lookaround, backreferences, atomic groups,
possessive quantifiers and conditionals. A pattern using one is refused with a sentence that names
the construct, so an admin knows what to rewrite.

Syntax: https://github.com/google/re2/wiki/Syntax
"""

from __future__ import annotations

from typing import Protocol, cast

import re2


class Pattern(Protocol):
    """A compiled pattern: `search` answers a match object or None."""

    @property
    def pattern(self) -> str: ...

    def search(self, text: str) -> object | None: ...


class PatternRefusedError(ValueError):
    """RE2 cannot compile the pattern; the message says why, without the file's location (the
    loader adds it)."""


SYNTAX_URL = "https://github.com/google/re2/wiki/Syntax"

# The Perl and Python constructs RE2 does not support, by how they open.
# https://github.com/google/re2/wiki/Syntax lists them as "NOT SUPPORTED".
_GROUP_OPENINGS = (
    ("(?<=", "a lookbehind (?<=...)"),
    ("(?<!", "a negative lookbehind (?<!...)"),
    ("(?=", "a lookahead (?=...)"),
    ("(?!", "a negative lookahead (?!...)"),
    ("(?>", "an atomic group (?>...)"),
    ("(?P=", "a named backreference (?P=name)"),
    ("(?(", "a conditional (?(...)...)"),
    ("(?#", "a comment (?#...)"),
)
_POSSESSIVE = ("*+", "++", "?+", "}+")


def _options() -> object:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    return options


def compile_pattern(pattern: str) -> Pattern:
    """The pattern as a case-insensitive RE2 search; `PatternRefusedError` when RE2 refuses it.

    Messages quote the pattern as written (backslashes single), as the admin typed it."""
    try:
        compiled = re2.compile(pattern, _options())
    except re2.error as error:
        shown = pattern if len(pattern) <= 80 else pattern[:77] + "..."
        construct = unsupported_construct(pattern)
        if construct is not None:
            raise PatternRefusedError(
                f"matches pattern '{shown}' uses {construct}, which is not supported: patterns "
                "run in linear time, without lookaround or backreferences (RE2 syntax, "
                f"{SYNTAX_URL}); rewrite it without that construct"
            ) from error
        raise PatternRefusedError(
            f"matches pattern '{shown}' is not a valid regular expression "
            f"({_reason(error)}): fix it, or escape special characters with a backslash"
        ) from error
    return cast(Pattern, compiled)


def _reason(error: Exception) -> str:
    detail = error.args[0] if error.args else error
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    what, separator, where = text.partition(": ")
    if separator and where:
        return f"{what}: '{where}'"  # RE2 says what is wrong, then the part of the pattern
    return text or "RE2 cannot compile it"


def unsupported_construct(pattern: str) -> str | None:
    """The first construct in the pattern that RE2 lacks, named for a person, or None.

    Read outside character classes only (`[(?=]` is three plain characters)."""
    position, in_class = 0, False
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            escaped = pattern[position + 1 : position + 2]
            if escaped.isdigit() and escaped != "0" and not in_class:
                return f"a backreference \\{escaped}"
            if escaped == "Z" and not in_class:
                return "\\Z (write \\z for the end of the text)"
            position += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[position + 1 : position + 2] == "^":
                position += 1
            if pattern[position + 1 : position + 2] == "]":
                position += 1  # a "]" first in a class is a literal
        elif char == "(":
            for opening, name in _GROUP_OPENINGS:
                if pattern.startswith(opening, position):
                    return name
        elif pattern.startswith(_POSSESSIVE, position):
            return f"a possessive quantifier {pattern[position : position + 2]}"
        position += 1
    return None

"""A tokenizer and recursive-descent parser for the subset of SOQL the product sends.

Supported: `SELECT field, ... | COUNT() FROM Object [WHERE condition] [ORDER BY field [ASC|DESC]
[NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]`, with =, !=, <>, <, <=, >, >=, LIKE, IN, NOT IN,
AND/OR/NOT and parentheses; string literals with escapes, numbers, true/false/null, datetime
literals (`2026-01-01T00:00:00Z`, `2026-01-01T00:00:00.000+0000`, `...+01:00`) and date literals
(`2026-01-01`, for date fields). As in SOQL, AND and OR cannot be mixed at one level without
parentheses.
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm

This module knows syntax only; `query_plan` checks names and types against the field catalogue.
Errors carry the row and column Salesforce reports in `ERROR at Row:r:Column:c`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class Position:
    row: int
    column: int


class SoqlSyntaxError(Exception):
    """A query that is not SOQL; reported as MALFORMED_QUERY."""

    def __init__(self, detail: str, position: Position) -> None:
        super().__init__(f"{detail} (row {position.row}, column {position.column})")
        self.detail = detail
        self.position = position


class TokenKind(Enum):
    IDENT = "identifier"
    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    DATE = "date"
    OPERATOR = "operator"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    EOF = "<EOF>"


LikePattern = tuple[tuple[str, str], ...]
"""LIKE pattern elements: ("lit", char), ("any", "") for `%`, ("one", "") for `_`."""


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    position: Position
    string_value: str = ""
    like: LikePattern = ()
    number: float = 0.0
    epoch_ms: int = 0

    def is_keyword(self, *words: str) -> bool:
        return self.kind is TokenKind.IDENT and self.text.upper() in words

    def shown(self) -> str:
        return "<EOF>" if self.kind is TokenKind.EOF else f"'{self.text}'"


RESERVED = frozenset(
    {
        "AND",
        "ASC",
        "BY",
        "DESC",
        "EXCLUDES",
        "FALSE",
        "FIRST",
        "FROM",
        "GROUP",
        "HAVING",
        "IN",
        "INCLUDES",
        "LAST",
        "LIKE",
        "LIMIT",
        "NOT",
        "NULL",
        "NULLS",
        "OFFSET",
        "OR",
        "ORDER",
        "SELECT",
        "TRUE",
        "WHERE",
    }
)

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_OPERATORS = ("<=", ">=", "!=", "<>", "=", "<", ">")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0
        self.row = 1
        self.column = 1

    def peek(self, ahead: int = 0) -> str:
        at = self.index + ahead
        return self.text[at] if at < len(self.text) else ""

    def advance(self) -> str:
        char = self.text[self.index]
        self.index += 1
        if char == "\n":
            self.row += 1
            self.column = 1
        else:
            self.column += 1
        return char

    def position(self) -> Position:
        return Position(self.row, self.column)


def _is_ident_start(char: str) -> bool:
    return char.isascii() and (char.isalpha() or char == "_")


def _is_ident_part(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def _digits(scanner: _Scanner, count: int) -> int | None:
    """Reads exactly `count` digits, or returns None without consuming anything."""
    chunk = scanner.text[scanner.index : scanner.index + count]
    if len(chunk) != count or not chunk.isdigit():
        return None
    for _ in range(count):
        scanner.advance()
    return int(chunk)


def _looks_like_date(scanner: _Scanner) -> bool:
    text = scanner.text[scanner.index : scanner.index + 10]
    return (
        len(text) == 10
        and text[:4].isdigit()
        and text[4] == "-"
        and text[5:7].isdigit()
        and text[7] == "-"
        and text[8:10].isdigit()
    )


def _scan_date_or_datetime(scanner: _Scanner, start: Position) -> Token:
    begin = scanner.index
    year = _digits(scanner, 4)
    scanner.advance()
    month = _digits(scanner, 2)
    scanner.advance()
    day = _digits(scanner, 2)
    assert year is not None and month is not None and day is not None
    if scanner.peek() != "T":
        text = scanner.text[begin : scanner.index]
        _check_calendar(year, month, day, 0, 0, 0, text, start)
        return Token(TokenKind.DATE, text, start, epoch_ms=_epoch_ms(year, month, day, 0, 0, 0))
    scanner.advance()
    hour = _digits(scanner, 2)
    minute = second = None
    if hour is not None and scanner.peek() == ":":
        scanner.advance()
        minute = _digits(scanner, 2)
        if minute is not None and scanner.peek() == ":":
            scanner.advance()
            second = _digits(scanner, 2)
    if hour is None or minute is None or second is None:
        raise SoqlSyntaxError(
            f"line {start.row}:{start.column - 1} no viable alternative at character "
            f"'{scanner.peek() or '<EOF>'}'",
            start,
        )
    millis = 0
    if scanner.peek() == "." and scanner.peek(1).isdigit():
        scanner.advance()
        fraction = ""
        while scanner.peek().isdigit():
            fraction += scanner.advance()
        millis = int((fraction + "000")[:3])
    offset_minutes = _scan_zone(scanner, start)
    text = scanner.text[begin : scanner.index]
    _check_calendar(year, month, day, hour, minute, second, text, start)
    epoch_ms = _epoch_ms(year, month, day, hour, minute, second) + millis
    return Token(TokenKind.DATETIME, text, start, epoch_ms=epoch_ms - offset_minutes * 60_000)


def _scan_zone(scanner: _Scanner, start: Position) -> int:
    """The zone after a datetime: `Z`, `+hh:mm` or `+hhmm`; returns the offset in minutes."""
    sign_char = scanner.peek()
    if sign_char == "Z":
        scanner.advance()
        return 0
    if sign_char not in ("+", "-"):
        raise SoqlSyntaxError(
            "a datetime literal needs a time zone: Z, +hh:mm or +hhmm", scanner.position()
        )
    scanner.advance()
    hours = _digits(scanner, 2)
    if hours is not None and scanner.peek() == ":":
        scanner.advance()
    minutes = _digits(scanner, 2)
    if hours is None or minutes is None:
        raise SoqlSyntaxError(
            "a datetime literal's zone offset must be +hh:mm or +hhmm", scanner.position()
        )
    sign = 1 if sign_char == "+" else -1
    return sign * (hours * 60 + minutes)


def _check_calendar(
    year: int, month: int, day: int, hour: int, minute: int, second: int, text: str, at: Position
) -> None:
    valid = (
        1 <= month <= 12
        and 1 <= day <= calendar.monthrange(year, month)[1]
        and hour <= 23
        and minute <= 59
        and second <= 59
    )
    if not valid:
        raise SoqlSyntaxError(f"invalid date or datetime literal: {text}", at)


def _epoch_ms(year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) * 1000


def _scan_string(scanner: _Scanner, start: Position) -> Token:
    begin = scanner.index
    scanner.advance()  # opening quote
    value: list[str] = []
    like: list[tuple[str, str]] = []
    while True:
        char = scanner.peek()
        if char == "":
            raise SoqlSyntaxError("unterminated string literal: a closing ' is missing", start)
        scanner.advance()
        if char == "'":
            break
        if char == "\\":
            escaped = scanner.peek()
            if escaped in ("%", "_"):
                scanner.advance()
                value.append("\\" + escaped)
                like.append(("lit", escaped))
                continue
            if escaped not in _ESCAPES:
                raise SoqlSyntaxError(
                    f"Invalid string literal: Illegal character sequence '\\{escaped}' in "
                    "string literal.",
                    start,
                )
            scanner.advance()
            value.append(_ESCAPES[escaped])
            like.append(("lit", _ESCAPES[escaped]))
            continue
        value.append(char)
        if char == "%":
            like.append(("any", ""))
        elif char == "_":
            like.append(("one", ""))
        else:
            like.append(("lit", char))
    text = scanner.text[begin : scanner.index]
    return Token(TokenKind.STRING, text, start, string_value="".join(value), like=tuple(like))


def _scan_number(scanner: _Scanner, start: Position) -> Token:
    begin = scanner.index
    if scanner.peek() in ("+", "-"):
        scanner.advance()
    while scanner.peek().isdigit():
        scanner.advance()
    if scanner.peek() == "." and scanner.peek(1).isdigit():
        scanner.advance()
        while scanner.peek().isdigit():
            scanner.advance()
    text = scanner.text[begin : scanner.index]
    return Token(TokenKind.NUMBER, text, start, number=float(text))


def tokenize(text: str) -> list[Token]:
    scanner = _Scanner(text)
    tokens: list[Token] = []
    while True:
        while scanner.peek() in (" ", "\t", "\n", "\r"):
            scanner.advance()
        start = scanner.position()
        char = scanner.peek()
        if char == "":
            tokens.append(Token(TokenKind.EOF, "", start))
            return tokens
        if char == "'":
            tokens.append(_scan_string(scanner, start))
        elif char.isdigit() and _looks_like_date(scanner):
            tokens.append(_scan_date_or_datetime(scanner, start))
        elif char.isdigit() or (
            char in ("+", "-")
            and scanner.peek(1).isdigit()
            and (
                not tokens
                or tokens[-1].kind in (TokenKind.OPERATOR, TokenKind.LPAREN, TokenKind.COMMA)
            )
        ):
            tokens.append(_scan_number(scanner, start))
        elif _is_ident_start(char):
            begin = scanner.index
            while _is_ident_part(scanner.peek()) or (
                scanner.peek() == "." and _is_ident_start(scanner.peek(1))
            ):
                scanner.advance()
            tokens.append(Token(TokenKind.IDENT, text[begin : scanner.index], start))
        elif char in "(),":
            scanner.advance()
            kind = {"(": TokenKind.LPAREN, ")": TokenKind.RPAREN, ",": TokenKind.COMMA}[char]
            tokens.append(Token(kind, char, start))
        else:
            operator = next((op for op in _OPERATORS if text.startswith(op, scanner.index)), None)
            if operator is None:
                raise SoqlSyntaxError(
                    f"line {start.row}:{start.column - 1} no viable alternative at character "
                    f"'{char}'",
                    start,
                )
            for _ in operator:
                scanner.advance()
            tokens.append(Token(TokenKind.OPERATOR, operator, start))


# --- syntax tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRef:
    name: str
    position: Position


@dataclass(frozen=True)
class Literal:
    token: Token

    @property
    def kind(self) -> TokenKind:
        return self.token.kind

    @property
    def is_null(self) -> bool:
        return self.token.is_keyword("NULL")

    @property
    def is_boolean(self) -> bool:
        return self.token.is_keyword("TRUE", "FALSE")


@dataclass(frozen=True)
class Comparison:
    field: FieldRef
    operator: str
    """One of =, !=, <, <=, >, >=, LIKE (`<>` is read as `!=`)."""
    value: Literal


@dataclass(frozen=True)
class InList:
    field: FieldRef
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class And:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Condition, ...]


Condition = Comparison | InList | Not | And | Or


@dataclass(frozen=True)
class OrderItem:
    field: FieldRef
    descending: bool
    nulls_first: bool
    """SOQL sorts nulls first unless NULLS LAST is given."""


@dataclass(frozen=True)
class Query:
    text: str
    fields: tuple[FieldRef, ...]
    count_only: bool
    sobject: str
    sobject_position: Position
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
    select_position: Position


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def at(self, kind: TokenKind) -> bool:
        return self.tokens[self.index].kind is kind

    def take(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not TokenKind.EOF:
            self.index += 1
        return token

    def unexpected(self, token: Token | None = None) -> SoqlSyntaxError:
        token = token or self.current
        return SoqlSyntaxError(f"unexpected token: {token.shown()}", token.position)

    def expect_keyword(self, word: str) -> Token:
        if not self.current.is_keyword(word):
            raise self.unexpected()
        return self.take()

    def expect(self, kind: TokenKind) -> Token:
        if self.current.kind is not kind:
            raise self.unexpected()
        return self.take()

    def field_name(self) -> FieldRef:
        token = self.current
        if token.kind is not TokenKind.IDENT or token.text.upper() in RESERVED:
            raise self.unexpected()
        self.take()
        return FieldRef(token.text, token.position)

    def parse(self) -> Query:
        select = self.expect_keyword("SELECT")
        count_only = False
        fields: list[FieldRef] = []
        if self.current.is_keyword("COUNT") and self.tokens[self.index + 1].kind is (
            TokenKind.LPAREN
        ):
            self.take()
            self.take()
            if not self.at(TokenKind.RPAREN):
                raise SoqlSyntaxError(
                    "only COUNT() is supported here; aggregate queries such as COUNT(field) are "
                    "not",
                    self.current.position,
                )
            self.take()
            count_only = True
        else:
            fields.append(self.field_name())
            while self.at(TokenKind.COMMA):
                self.take()
                fields.append(self.field_name())
        self.expect_keyword("FROM")
        sobject = self.current
        if sobject.kind is not TokenKind.IDENT or sobject.text.upper() in RESERVED:
            raise self.unexpected()
        self.take()
        where = None
        if self.current.is_keyword("WHERE"):
            self.take()
            where = self.condition()
        order_by: list[OrderItem] = []
        if self.current.is_keyword("ORDER"):
            self.take()
            self.expect_keyword("BY")
            order_by.append(self.order_item())
            while self.at(TokenKind.COMMA):
                self.take()
                order_by.append(self.order_item())
        limit = self.count_clause("LIMIT")
        offset = self.count_clause("OFFSET")
        if not self.at(TokenKind.EOF):
            raise self.unexpected()
        return Query(
            text=self.text,
            fields=tuple(fields),
            count_only=count_only,
            sobject=sobject.text,
            sobject_position=sobject.position,
            where=where,
            order_by=tuple(order_by),
            limit=limit,
            offset=offset,
            select_position=select.position,
        )

    def count_clause(self, word: str) -> int | None:
        if not self.current.is_keyword(word):
            return None
        self.take()
        token = self.expect(TokenKind.NUMBER)
        if not token.number.is_integer() or token.number < 0:
            raise self.unexpected(token)
        return int(token.number)

    def order_item(self) -> OrderItem:
        field = self.field_name()
        descending = False
        if self.current.is_keyword("ASC", "DESC"):
            descending = self.take().text.upper() == "DESC"
        nulls_first = True
        if self.current.is_keyword("NULLS"):
            self.take()
            if not self.current.is_keyword("FIRST", "LAST"):
                raise self.unexpected()
            nulls_first = self.take().text.upper() == "FIRST"
        return OrderItem(field, descending, nulls_first)

    def condition(self) -> Condition:
        first = self.unary()
        if not self.current.is_keyword("AND", "OR"):
            return first
        joiner = self.current.text.upper()
        operands = [first]
        while self.current.is_keyword(joiner):
            self.take()
            operands.append(self.unary())
        if self.current.is_keyword("AND", "OR"):
            # SOQL needs parentheses to mix AND and OR: `a AND b OR c` is refused.
            raise self.unexpected()
        return And(tuple(operands)) if joiner == "AND" else Or(tuple(operands))

    def unary(self) -> Condition:
        if self.current.is_keyword("NOT"):
            self.take()
            return Not(self.unary())
        if self.at(TokenKind.LPAREN):
            self.take()
            inner = self.condition()
            self.expect(TokenKind.RPAREN)
            return inner
        return self.comparison()

    def comparison(self) -> Condition:
        field = self.field_name()
        token = self.current
        if token.kind is TokenKind.OPERATOR:
            self.take()
            operator = "!=" if token.text == "<>" else token.text
            return Comparison(field, operator, self.literal())
        if token.is_keyword("LIKE"):
            self.take()
            return Comparison(field, "LIKE", self.literal())
        negated = False
        if token.is_keyword("NOT") and self.tokens[self.index + 1].is_keyword("IN"):
            self.take()
            negated = True
        if self.current.is_keyword("IN"):
            self.take()
            self.expect(TokenKind.LPAREN)
            if self.current.is_keyword("SELECT"):
                raise SoqlSyntaxError(
                    "semi-join subqueries are not supported by this sandbox", self.current.position
                )
            values = [self.literal()]
            while self.at(TokenKind.COMMA):
                self.take()
                values.append(self.literal())
            self.expect(TokenKind.RPAREN)
            return InList(field, tuple(values), negated)
        raise self.unexpected()

    def literal(self) -> Literal:
        token = self.current
        if token.kind in (TokenKind.STRING, TokenKind.NUMBER, TokenKind.DATETIME, TokenKind.DATE):
            return Literal(self.take())
        if token.is_keyword("TRUE", "FALSE", "NULL"):
            return Literal(self.take())
        raise self.unexpected()


def parse_soql(text: str) -> Query:
    """Parse a SOQL statement; raises SoqlSyntaxError with Salesforce's row and column."""
    return _Parser(text).parse()

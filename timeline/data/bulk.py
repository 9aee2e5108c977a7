"""Every rule of the schema and of `rules.check_events`, checked on a whole flat table at once.

A row that passes every check here is valid: the model would accept it and the event rules find nothing in it
(tests/test_columnar.py holds the checks to that). The checks may be stricter than the model: a row that fails
one is only sent back through the model, row by row, for its exact message. Cells that repeat (types, dates,
actor lists: `flat.REPEATED`) are checked once per distinct value, in Python; free text is checked on its bytes
with numpy, and URLs with Arrow's regular expressions, a block of cells at a time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from timeline.data.dates import in_range
from timeline.data.flat import (
    COLUMNS,
    FLAGS,
    GROUPS,
    MULTI_VALUED,
    WHITESPACE,
    actor_roles,
    cell_items,
    compact,
    flag,
)
from timeline.data.schema import Event
from timeline.data.vocab import EventType, Precision, Role, Status, Verification


def _constraint(field: str, name: str) -> Any:
    return next(getattr(m, name) for m in Event.model_fields[field].metadata if getattr(m, name, None) is not None)


SLUG = re.compile(_constraint("id", "pattern"))
SLUG_LENGTH = _constraint("id", "max_length")
TITLE_LENGTH = _constraint("title", "max_length")
LABEL_LENGTH = _constraint("label", "max_length")
URL_LENGTH = 2083  # pydantic's HttpUrl limit
# A conservative subset of what pydantic's HttpUrl accepts: a plain DNS name whose last label starts with a letter
# (so that it is never read as an IPv4 address), an optional short port, then printable ASCII but `\`.
_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
URL = rf"https?://{_HOST}(?::[0-9]{{1,4}})?(?:[/?#][!-\[\]-~]*)?"
_URL_CELL = f"^{URL}$"
# A cell of `;`-separated URLs: no URL then holds a `;`, so the cell splits exactly where `split_cell` splits it.
_URL_ITEM = URL.replace(r"[!-\[\]-~]", r"[!-:<-\[\]-~]")
_SPACE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]*"
_URL_LIST = f"^{_SPACE}{_URL_ITEM}{_SPACE}(?:;{_SPACE}{_URL_ITEM}{_SPACE})*$"


def _joined(h_first: str) -> str:
    """The pattern of cells joined by `_joined_matching`, from a pattern of a cell that starts with `h`.

    Each cell's first byte, its `h`, is made a NUL, which no URL nor space holds: the joined text shows where each
    cell starts, and matches if and only if every cell does."""
    assert h_first.startswith("h")
    return f"^(?:\\x00{h_first[1:]})*$"


# By pattern of a cell: the pattern of the cells that start with `h`, joined.
_JOINED = {
    _URL_CELL: _joined(URL),
    _URL_LIST: _joined(f"{_URL_ITEM}{_SPACE}(?:;{_SPACE}{_URL_ITEM}{_SPACE})*"),  # no space before the first URL
}
_BLANK_ITEM = f"(?:^|;){_SPACE}(?:;|$)"
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EPOCH = dt.date(1970, 1, 1)
NO_DATE = np.iinfo(np.int64).min  # an empty cell
BAD_DATE = NO_DATE + 1  # a cell that is not a date in range
# UTF-8 bytes that may start or end a whitespace character (`WHITESPACE`): a cell that starts or ends with one may
# need trimming.
_FIRST_SPACE = np.isin(np.arange(256), sorted({c.encode()[0] for c in WHITESPACE}))  # by byte value
_LAST_SPACE = np.isin(np.arange(256), sorted({c.encode()[-1] for c in WHITESPACE}))
_ITEM_START = ~_FIRST_SPACE & (np.arange(256) != ord(";"))  # a byte that starts an item that is not blank


def _runs(table: np.ndarray) -> tuple[tuple[int, int], ...]:
    """The byte values a lookup table by byte value marks, as (first, last) runs."""
    marked = np.flatnonzero(table)
    breaks = np.flatnonzero(np.diff(marked) != 1)
    return tuple(zip(marked[np.r_[0, breaks + 1]].tolist(), marked[np.r_[breaks, len(marked) - 1]].tolist(),
                     strict=True))  # fmt: skip


def _marked(values: np.ndarray, runs: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Which of the bytes `values` lie in `runs`: a few comparisons cost less than a table lookup per byte."""
    found = np.zeros(len(values), dtype=bool)
    for first, last in runs:
        found |= (values - np.uint8(first)) <= np.uint8(last - first)  # wraps around below `first`
    return found


_FIRST_SPACE_RUNS, _LAST_SPACE_RUNS = _runs(_FIRST_SPACE), _runs(_LAST_SPACE)
_SLUG_RUNS = ((ord("-"), ord("-")), (ord("0"), ord("9")), (ord("_"), ord("_")), (ord("a"), ord("z")))  # `SLUG`'s bytes
_SLUG_START_RUNS = ((ord("0"), ord("9")), (ord("a"), ord("z")))
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd, its bits scattered: a multiplier that mixes a fingerprint's bits
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)  # by byte count
_BLOCK = 1 << 20  # bytes a scan of a text column looks at at once
_ROWS = 1 << 16  # rows a look at each cell's first and last byte takes at once
_JOINED_BLOCK = 8  # blocks of `_BLOCK` in each text `_joined_matching` matches: each match compiles its pattern


@lru_cache(maxsize=1 << 16)
def day_number(text: str) -> int:
    """Days since 1970-01-01 of a `YYYY-MM-DD` date in range; `NO_DATE` for empty text, `BAD_DATE` otherwise.
    Remembered: the checks and the frame read the same distinct dates."""
    if not text:
        return NO_DATE
    if not ISO_DATE.fullmatch(text):
        return BAD_DATE
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return BAD_DATE
    return (day - _EPOCH).days if in_range(day) else BAD_DATE


def strip(text: str) -> str:
    return text.strip(WHITESPACE)


def by_value(array: pa.Array, function: Callable[[list[str]], Any], indices: np.ndarray | None = None) -> np.ndarray:
    """`function` of the distinct cells (a list of them in, one result each out), spread over the rows, or over
    `indices` (of a dictionary array's distinct cells) instead."""
    values, array = _answers(array, function)
    return values[array.indices.to_numpy(zero_copy_only=False) if indices is None else indices]


def rows_passing(array: pa.Array, test: Callable[[list[str]], Any]) -> np.ndarray | np.bool_:
    """Per row: whether its cell passes `test` (the distinct cells in, a bool each out), as `by_value` gives it;
    only True or False when every cell gives the same answer, which spares spreading it over every row."""
    passed, array = _answers(array, test)
    passed = passed.astype(bool)
    if passed.all() or not passed.any():
        return np.bool_(passed[0])
    return passed[array.indices.to_numpy(zero_copy_only=False)]


def _answers(array: pa.Array, function: Callable[[list[str]], Any]) -> tuple[np.ndarray, pa.DictionaryArray]:
    """`function` of the distinct cells, and the array dictionary-encoded."""
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    return np.asarray(function(array.dictionary.to_pylist() or [""])), array  # never empty, so its type is known


@dataclass(frozen=True)
class Text:
    """A text column's bytes: cell i is `data[offsets[i]:offsets[i + 1]]`."""

    offsets: np.ndarray
    data: np.ndarray

    @classmethod
    def of(cls, array: pa.Array) -> Text:
        _, offsets, data = array.buffers()
        width = np.int64 if pa.types.is_large_string(array.type) else np.int32
        offsets = np.frombuffer(offsets, dtype=width)[array.offset : array.offset + len(array) + 1]
        data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
        start = int(offsets[0])
        return cls(offsets - start if start else offsets, data[start : offsets[-1]])  # views, but for a slice

    @cached_property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def byte_at(self, positions: np.ndarray) -> np.ndarray:
        """The byte at each of `positions`; those past either end of `data` read its nearest byte (or 0)."""
        if not len(self.data):
            return np.zeros(len(positions), dtype=np.uint8)
        return np.take(self.data, positions, mode="clip")

    def rows(self, positions: np.ndarray) -> np.ndarray:
        """A mask of the rows holding the bytes at `positions`."""
        mask = np.zeros(len(self.offsets) - 1, dtype=bool)
        mask[self.row_of(positions)] = True
        return mask

    def row_of(self, positions: np.ndarray) -> np.ndarray:
        """The row holding the byte at each of `positions`."""
        # In the offsets' own type: numpy would otherwise make an int64 copy of them for every search.
        return np.searchsorted(self.offsets, positions.astype(self.offsets.dtype), side="right") - 1

    def unsafe(self) -> np.ndarray:
        """A mask of the rows holding a character `charsafety.UNSAFE` names, found from its UTF-8 bytes."""
        data = self.data
        if not len(data) or (data.min() >= 0x20 and data.max() < 0x7F):  # printable ASCII: the usual case
            return np.zeros(len(self.offsets) - 1, dtype=bool)
        return self.rows(self.find(_unsafe_starts, reach=2))

    def find(self, starts: Callable[[np.ndarray, int], np.ndarray], reach: int = 0) -> np.ndarray:
        """Where in `data` the sequences `starts` looks for begin. `starts(block, size)` gives the positions in
        `block[:size]` where one begins; the block holds `reach` more bytes after those (zeros past the end).

        A block at a time: a mask as large as the text would be allocated, and paged in, for every scan."""
        data, found = self.data, []
        for k in range(0, len(data), _BLOCK):
            size = min(_BLOCK, len(data) - k)
            block = data[k : k + size + reach]
            if len(block) < size + reach:
                block = np.concatenate([block, np.zeros(size + reach - len(block), dtype=np.uint8)])
            found.append(starts(block, size) + k)
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def padded(self) -> np.ndarray:
        """A mask of the rows whose cell may start or end with whitespace."""
        return self._padded

    @cached_property
    def _padded(self) -> np.ndarray:
        rows = len(self.offsets) - 1
        filled = np.flatnonzero(self.lengths)
        if len(filled) * 4 <= rows:  # mostly empty cells (quotes): only the filled ones are looked at
            padded = np.zeros(rows, dtype=bool)
            first, last = self.offsets[:-1][filled].astype(np.int64), self.offsets[1:][filled].astype(np.int64) - 1
            padded[filled] = _marked(self.byte_at(first), _FIRST_SPACE_RUNS) | _marked(self.byte_at(last),
                                                                                       _LAST_SPACE_RUNS)  # fmt: skip
            return padded
        padded = np.empty(rows, dtype=bool)
        for k in range(0, rows, _ROWS):  # a block of rows at a time: the arrays for every row would be paged in
            at = self.offsets[k : k + _ROWS + 1].astype(np.int64)
            # An empty cell reads a neighbour's byte here, and is masked out.
            first, end = self.byte_at(at[:-1]), self.byte_at(at[1:] - 1)
            padded[k : k + _ROWS] = (at[1:] > at[:-1]) & (
                _marked(first, _FIRST_SPACE_RUNS) | _marked(end, _LAST_SPACE_RUNS)
            )
        return padded

    @cached_property
    def _semicolons(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each `;` is in `data`, and the row it is in."""
        at = self.find(lambda block, size: np.flatnonzero(block == ord(";")))
        return at, self.row_of(at)

    def separators(self) -> np.ndarray:
        """How many separators each cell holds: `;` but `\\;`, as `flat.split_cell` splits."""
        at, row = self._semicolons
        escaped = (at > self.offsets[row]) & (self.byte_at(at - 1) == ord("\\"))
        return np.bincount(row[~escaped], minlength=len(self.offsets) - 1)

    def after_separator_blank(self) -> np.ndarray:
        """A mask of the rows with a `;` that is not followed, after at most one space, by the start of an item:
        the only rows that may hold a blank item (besides padded ones), so the only ones worth a closer look."""
        at, row = self._semicolons
        end = self.offsets[row + 1]
        # Bytes past the end are clipped to the last one; `start < end` leaves them out.
        start = at + 1 + (self.byte_at(at + 1) == ord(" "))  # after one plain space
        plain = (start < end) & _ITEM_START[self.byte_at(start)]
        mask = np.zeros(len(self.offsets) - 1, dtype=bool)
        mask[row[~plain]] = True
        leading = (self.lengths > 0) & (self.byte_at(self.offsets[:-1]) == ord(";"))
        return mask | self.padded() | leading

    def fingerprints(self) -> np.ndarray:
        """A 64-bit fingerprint of each cell, from its bytes, eight at a time: equal cells have equal fingerprints
        (and different cells, but for one chance in about 2**64 per pair, different ones)."""
        lengths = self.lengths.astype(np.int64)
        data = np.concatenate([self.data, np.zeros(8, dtype=np.uint8)])  # a cell's last word reads past its end
        words = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))  # the 8 bytes from each byte
        starts = self.offsets[:-1].astype(np.int64)
        hashed = lengths.astype(np.uint64) * _MIX
        for k in range(0, int(lengths.max(initial=0)), 8):
            longer = lengths > k
            rows = slice(None) if longer.all() else np.flatnonzero(longer)
            word = words[starts[rows] + k] & _LOW_BYTES[np.minimum(lengths[rows] - k, 8)]  # the cell's bytes only
            mixed = (hashed[rows] ^ word) * _MIX
            hashed[rows] = mixed ^ (mixed >> np.uint64(31))
        return hashed

    def slugs(self) -> np.ndarray:
        """A mask of the cells that are ids: `SLUG`, at most `SLUG_LENGTH` characters."""
        lengths = self.lengths
        ok = (lengths > 0) & (lengths <= SLUG_LENGTH)
        ok &= ~self.rows(self.find(lambda block, size: np.flatnonzero(~_marked(block, _SLUG_RUNS))))
        return ok & _marked(self.byte_at(self.offsets[:-1]), _SLUG_START_RUNS)


def _unsafe_starts(block: np.ndarray, size: int) -> np.ndarray:
    """Where in `block[:size]` a character `charsafety.UNSAFE` names starts; `block` holds two more bytes."""
    head, found = block[:size], []
    if head.min() < 0x20:  # C0 controls but tab, newline and carriage return
        at = np.flatnonzero(head < 0x20)
        found.append(at[(head[at] != 0x09) & (head[at] != 0x0A) & (head[at] != 0x0D)])
    if head.max() >= 0x7F:
        found.append(np.flatnonzero(head == 0x7F))
        at = np.flatnonzero(head == 0xC2)  # U+0080-U+009F: C2 80-C2 9F
        found.append(at[(block[at + 1] >= 0x80) & (block[at + 1] <= 0x9F)])
        at = np.flatnonzero(head == 0xE2)  # U+202A-U+202E: E2 80 AA-AE; U+2066-U+2069: E2 81 A6-A9
        second, third = block[at + 1], block[at + 2]
        found.append(at[((second == 0x80) & (third >= 0xAA) & (third <= 0xAE))
                        | ((second == 0x81) & (third >= 0xA6) & (third <= 0xA9))])  # fmt: skip
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def trimmed(array: pa.Array) -> pa.Array:
    """The cells without the whitespace around them that `str.strip()` removes (and the schema trims)."""
    if pa.types.is_dictionary(array.type):
        cells = array.dictionary
        return compact(array.indices, pc.utf8_trim(cells, WHITESPACE)) if Text.of(cells).padded().any() else array
    return pc.utf8_trim(array, WHITESPACE) if Text.of(array).padded().any() else array


def _unsafe(array: pa.Array) -> np.ndarray | np.bool_:
    """Per row: whether the cell holds a character `charsafety.UNSAFE` names (False when none does)."""
    if pa.types.is_dictionary(array.type):
        unsafe = Text.of(array.dictionary).unsafe()
        return unsafe[array.indices.to_numpy(zero_copy_only=False)] if unsafe.any() else np.False_
    unsafe = Text.of(array).unsafe()
    return unsafe if unsafe.any() else np.False_


def _filled(array: pa.Array) -> np.ndarray | np.bool_:
    """Per row: whether the (trimmed) cell is not empty."""
    if pa.types.is_dictionary(array.type):
        return rows_passing(array, lambda cells: [c != "" for c in cells])
    return Text.of(array).lengths > 0


def _matching(array: pa.Array, pattern: str, rows: np.ndarray, default: bool = True) -> np.ndarray:
    """Per row: whether the cell matches `pattern`; only `rows` are looked at, the others are `default`."""
    ok = np.full(len(array), default, dtype=bool)
    at = np.flatnonzero(rows)
    if len(at):
        ok[at] = pc.match_substring_regex(array.take(pa.array(at)), pattern).to_numpy(zero_copy_only=False)
    return ok


def _joined_matching(array: pa.Array, pattern: str, rows: np.ndarray) -> np.ndarray:
    """`_matching(array, pattern, rows)` for a pattern of `_JOINED`: a block of cells at a time as one text, when
    every filled cell of the block starts with an `h` and none holds a NUL; cell by cell in a block that does not
    match (to find the cells that do not) or cannot be joined."""
    text = Text.of(array)
    ok = np.ones(len(rows), dtype=bool)
    if not rows.any():
        return ok
    offsets, filled = text.offsets, text.lengths > 0
    h_first = ~filled | (text.byte_at(offsets[:-1]) == ord("h"))
    joined = _JOINED[pattern]
    for first, end in _row_blocks(offsets, _JOINED_BLOCK * _BLOCK):
        if not rows[first:end].any():
            continue
        block = text.data[offsets[first] : offsets[end]]
        if h_first[first:end].all() and block.min(initial=1) > 0:
            block = block.copy()
            block[offsets[first:end][filled[first:end]] - offsets[first]] = 0
            one = pa.Array.from_buffers(pa.large_string(), 1, [None, pa.py_buffer(np.array([0, len(block)], np.int64)),
                                                         pa.py_buffer(block)])  # fmt: skip
            if pc.match_substring_regex(one, joined)[0].as_py():
                continue
        ok[first:end] = _matching(array.slice(first, end - first), pattern, rows[first:end])
    return ok


def run_rows(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The rows of consecutive runs, the k-th run `counts[k]` rows from row `starts[k]`, one after the other."""
    ends = np.cumsum(counts)
    return np.repeat(starts - (ends - counts), counts) + np.arange(ends[-1] if len(ends) else 0)


def _row_blocks(offsets: np.ndarray, size: int) -> Iterator[tuple[int, int]]:
    """(first row, end row) of consecutive blocks of rows of about `size` bytes (one row at least), from `offsets`."""
    cuts = np.searchsorted(offsets, np.arange(size, int(offsets[-1]), size, dtype=np.int64), side="left")
    edges = np.unique(np.concatenate([[0], cuts, [len(offsets) - 1]]))
    return zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)


def _items(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per row: how many `;`-separated items the cell holds (none when blank), and whether none of them is blank."""
    if pa.types.is_dictionary(array.type):
        return by_value(array, _count), rows_passing(array, _none_blank)
    return _of_filled(array, _text_items)


def _text_items(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """`_items` of a column of plain text."""
    text = Text.of(array)
    count = _item_count(array, text)
    return count, ~_matching(array, _BLANK_ITEM, text.after_separator_blank(), default=False)


_Counted = tuple[np.ndarray, np.ndarray]  # per row: how many items a cell holds, and whether it passes


def _of_filled(array: pa.Array, check: Callable[[pa.Array], _Counted]) -> _Counted:
    """`check(array)`, a count and a mask per row that give an empty cell 0 and True, worked out on the filled cells
    alone when most cells are empty (claims and quotes are few): the scans of a column then read fewer rows."""
    filled = Text.of(array).lengths > 0
    if filled.sum() * 4 > len(filled):
        return check(array)
    rows = np.flatnonzero(filled)
    count, ok = np.zeros(len(filled), dtype=np.int64), np.ones(len(filled), dtype=bool)
    if len(rows):
        count[rows], ok[rows] = check(array.take(pa.array(rows)))
    return count, ok


def _item_count(array: pa.Array, text: Text | None = None) -> np.ndarray:
    """Per row: how many `;`-separated items the cell holds (none when blank); `text` is `Text.of(array)`."""
    text = text or Text.of(array)
    count = np.where(text.lengths > 0, text.separators() + 1, 0)
    padded = text.padded()
    if padded.any():  # a cell of whitespace only holds no item
        count[padded] = _count(array.take(pa.array(np.flatnonzero(padded))).to_pylist())
    return count


def _count(cells: list[str]) -> list[int]:
    return [len(cell_items(c)) for c in cells]


def _none_blank(cells: list[str]) -> list[bool]:
    return [all(cell_items(c)) for c in cells]


def _slug(value: str) -> bool:
    return len(value) <= SLUG_LENGTH and SLUG.match(value) is not None


def _in(vocabulary: type, blank_ok: bool) -> Callable[[list[str]], list[bool]]:
    allowed = {v.value for v in vocabulary} | ({""} if blank_ok else set())
    return lambda cells: [c in allowed for c in cells]


def _dates(cells: list[str]) -> list[int]:
    return [day_number(c) for c in cells]


def _date_items(cells: list[str]) -> list[bool]:
    """Cells of `;`-separated dates, each empty or a date in range."""
    return [all(day_number(i) != BAD_DATE for i in cell_items(c)) for c in cells]


def _actors_ok(known: set[str]) -> Callable[[list[str]], list[bool]]:
    """Cells of `actor:role` items whose actors are all in `known` (ids that are slugs, see `_checks`)."""
    roles = {r.value for r in Role}
    return lambda cells: [
        all(sep and actor in known and role in roles for actor, role, sep in actor_roles(c)) for c in cells
    ]


def _ids_ok(known: set[str], blank_ok: bool) -> Callable[[list[str]], list[bool]]:
    """Cells whose `;`-separated items are all ids in `known` (ids that are slugs; or blank, when `blank_ok`)."""

    def check(cells: list[str]) -> list[bool]:
        items = (cell_items(c) for c in cells)
        return [all((blank_ok and not i) or i in known for i in row) for row in items]

    return check


def check_table(table: pa.Table, actors: set[str], issues: set[str]) -> tuple[pa.Table, np.ndarray]:
    """The table with its single-valued cells trimmed, and for each row whether it is certainly a valid event
    whose actors and issues are among `actors` and `issues`. `table` is in the layout of `flat.complete`."""
    # Arrow's and numpy's work on whole columns lets go of the GIL: a second thread checks the sources (the URLs'
    # regular expression is the heaviest check) while this one checks the characters and the rest, about as long.
    with ThreadPoolExecutor(max_workers=1) as pool:
        sources = pool.submit(_sources, {c: table[c].chunk(0) for c in GROUPS["sources"].values()})
        safe = _safe(table)
        single = [c for c in COLUMNS if c not in MULTI_VALUED]
        table = pa.Table.from_arrays(
            [trimmed(table[c].chunk(0)) if c in single else table[c].chunk(0) for c in COLUMNS], names=list(COLUMNS)
        )
        cell = {c: table[c].chunk(0) for c in COLUMNS}
        ok, claimed = _checks(cell, actors, issues, sources)
        ok &= safe
    return table, _cited(cell, claimed, _filled(cell["quote"]) & _filled(cell["quote_source"]), ok)


def _safe(table: pa.Table) -> np.ndarray:
    """Per row: whether no cell holds a character `charsafety.UNSAFE` names."""
    ok = np.ones(table.num_rows, dtype=bool)
    for name in COLUMNS:
        ok &= ~_unsafe(table[name].chunk(0))
    return ok


def _sources(cell: dict[str, pa.Array]) -> tuple[np.ndarray, np.ndarray]:
    """Per row: how many sources the event cites, and whether its URLs are http(s) URLs and the publishers, titles
    and dates match them one for one. `cell` holds the source columns (which are not trimmed)."""
    count, ok = _url_cells(cell["source_urls"])
    return count, ok & _aligned(cell, count, ("source_publishers", "source_titles"), "source_dates")


def _checks(cell: dict[str, pa.Array], actors: set[str], issues: set[str],
            sources: Future) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Every check but the characters' and the cited sources', and which rows hold claims; `sources` is `_sources`
    underway."""
    # An actor or issue named by a cell must be known and a slug: the known ones that are slugs, once.
    actors, issues = {a for a in actors if _slug(a)}, {i for i in issues if _slug(i)}
    ok = np.ones(len(cell["id"]), dtype=bool)
    ok &= (
        Text.of(cell["id"]).slugs()
        if not pa.types.is_dictionary(cell["id"].type)
        else rows_passing(cell["id"], lambda v: [_slug(i) for i in v])
    )
    ok &= _title_ok(cell["title"])
    ok &= _length_ok(cell["label"], LABEL_LENGTH)
    for name in FLAGS:
        ok &= rows_passing(cell[name], lambda cells: [flag(c) is not None for c in cells])
    unsourced = rows_passing(cell["unsourced"], lambda cells: [flag(c) is True for c in cells])
    ok &= _filled(cell["summary"])
    ok &= rows_passing(cell["type"], _in(EventType, blank_ok=False))
    ok &= rows_passing(cell["status"], _in(Status, blank_ok=True))
    ok &= rows_passing(cell["precision"], _in(Precision, blank_ok=True))
    ok &= rows_passing(cell["verification"], _in(Verification, blank_ok=True))
    start, end = by_value(cell["start"], _dates), by_value(cell["end"], _dates)
    ok &= (start != NO_DATE) & (start != BAD_DATE) & (end != BAD_DATE)
    ok &= (end == NO_DATE) | (end >= start)
    needs_end = rows_passing(cell["precision"], lambda cells: [p in ("days", "approximate") for p in cells])
    ok &= ~needs_end | (end != NO_DATE)
    ok &= rows_passing(cell["actors"], _actors_ok(actors))
    ok &= rows_passing(cell["issues"], _ids_ok(issues, blank_ok=False))

    quote = _filled(cell["quote"])
    quote_source = quote & _filled(cell["quote_source"])
    quote_ok = _filled(cell["quote_speaker"])
    quote_ok &= rows_passing(cell["quote_actor"], lambda cells: [not a or a in actors for a in cells])
    quote_ok &= _joined_matching(cell["quote_source"], _URL_CELL, quote_source)
    quote_ok &= ~quote_source | (Text.of(cell["quote_source"]).lengths <= URL_LENGTH)
    ok &= ~quote | quote_ok
    ok &= ~(unsourced & quote)  # an unsourced event has no source to carry a quote or a claim

    ok &= rows_passing(cell["source_dates"], _date_items)
    ok &= rows_passing(cell["claim_actors"], _ids_ok(actors, blank_ok=True))
    claims, claims_ok = _url_cells(cell["claim_sources"])
    ok &= claims_ok & ~(unsourced & (claims > 0))
    ok &= _aligned(cell, claims, ("claim_claimants", "claim_texts"), "claim_actors")
    count, sources_ok = sources.result()
    return ok & sources_ok & np.where(unsourced, count == 0, count >= 1), claims > 0


def _title_ok(array: pa.Array) -> np.ndarray:
    return (Text.of(array).lengths > 0) & _length_ok(array, TITLE_LENGTH)


def _length_ok(array: pa.Array, limit: int) -> np.ndarray:
    """Per row: whether the cell holds at most `limit` characters."""
    lengths = Text.of(array).lengths  # bytes: at least as many as characters
    ok = np.ones(len(lengths), dtype=bool)
    long = np.flatnonzero(lengths > limit)
    if len(long):
        ok[long] = pc.utf8_length(array.take(pa.array(long))).to_numpy() <= limit
    return ok


def _url_cells(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per row: how many URLs the cell holds, and whether each is an http(s) URL."""
    return _of_filled(array, _text_urls)


def _text_urls(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """`_url_cells` of a column of plain text."""
    text = Text.of(array)
    count = _item_count(array, text)
    return count, _joined_matching(array, _URL_LIST, count > 0) & (text.lengths <= URL_LENGTH)


def _aligned(cell: dict[str, pa.Array], count: np.ndarray, required: tuple[str, ...], optional: str) -> np.ndarray:
    """Per row: each `required` column has `count` items, none blank; the `optional` one none or `count`."""
    ok = np.ones(len(count), dtype=bool)
    for name in required:
        items, none_blank = _items(cell[name])
        ok &= (items == count) & none_blank
    optional_count = by_value(cell[optional], _count)
    return ok & ((optional_count == 0) | (optional_count == count))


def _cited(cell: dict[str, pa.Array], claimed: np.ndarray, quoted: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Per row: whether every claim's source, and the quote's, is one of the event's source URLs.

    Only rows that passed every other check are looked at: their URL cells split at each `;`."""
    ok = ok.copy()
    rows = np.flatnonzero((claimed | quoted) & ok)
    if not len(rows):
        return ok
    take = pa.array(rows)
    own_rows, own = _split(cell["source_urls"].take(take))
    claim_rows, claims = _split(cell["claim_sources"].take(take))
    quote_rows = np.flatnonzero(quoted[rows])
    asked_rows = np.concatenate([claim_rows, quote_rows])
    asked = pa.concat_arrays([claims, cell["quote_source"].take(pa.array(rows[quote_rows]))])
    # Each cited URL against each of its own row's URLs (`own_rows` is in order): a row cites a few, no hashing.
    start = np.searchsorted(own_rows, asked_rows, side="left")
    mine = np.searchsorted(own_rows, asked_rows, side="right") - start
    which = np.repeat(np.arange(len(asked_rows)), mine)
    against = run_rows(start, mine)
    same = pc.equal(asked.take(pa.array(which)), own.take(pa.array(against))).to_numpy(zero_copy_only=False)
    found = np.zeros(len(asked_rows), dtype=bool)
    found[which[same]] = True
    ok[rows[asked_rows[~found]]] = False
    return ok


def _split(array: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """The non-empty items of cells that hold no escaped `;`: each one's row and trimmed text."""
    lists = pc.split_pattern(array, ";")
    items = pc.utf8_trim(pc.list_flatten(lists), WHITESPACE)
    rows = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    filled = pc.not_equal(items, "")
    return rows[filled.to_numpy(zero_copy_only=False)], items.filter(filled)

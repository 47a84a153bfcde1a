"""Cases as CSV: read them for validation, write them in the schema's own format."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from tumorclf.persistence.atomic import atomic_write

#: The index name that makes validation errors say "line N" (the line in the file).
LINE = "line"


def read_cases_csv(path: str | Path) -> pd.DataFrame:
    """Read a cases CSV as text, untouched; rows are labelled by their line in the file.

    Every cell stays a string (empty = not reported), so validation sees what
    the file says. The file is parsed straight from disk (no copy of its text
    in memory). Raises ``ValueError`` for a file that is not UTF-8 text, is
    empty, or has no header.
    """
    return pd.concat(list(iter_cases_csv(path)))


def iter_cases_csv(path: str | Path, chunk_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """:func:`read_cases_csv` in blocks of ``chunk_rows`` rows (all at once if None),
    line labels kept."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            if not first.strip() and not handle.read(1 << 16).strip():
                raise ValueError(f"{path} is empty; expected a header row and one case per line")
        _check_header(path, next(csv.reader(io.StringIO(first)), []))
        reader = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=chunk_rows
        )
        blocks = reader if chunk_rows else [reader]
        start = 2
        for frame in blocks:
            frame.index = pd.RangeIndex(start, start + len(frame), name=LINE)
            start += len(frame)
            yield frame
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path} is not UTF-8 text (byte {error.start}); save it as UTF-8 CSV"
        ) from None
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path} is empty; expected a header row and one case per line") from None


def _check_header(path: Path, header: list[str]) -> None:
    """A missing or repeated header is one clear error, before any row is read as a case."""
    from tumorclf.schema.validation import KNOWN_COLUMNS, normalise_column_name

    names = [normalise_column_name(h) for h in header]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(
            f"{path}, line 1: column(s) {', '.join(map(repr, repeated))} appear more than once"
        )
    if names and not any(n in KNOWN_COLUMNS for n in names):
        raise ValueError(
            f"{path}, line 1: no known column name in {header[:6]}; "
            f"the first line must be a header such as: "
            f"id,age,sex,level,compartment,dumbbell,enhancement,calcification,dural_tail"
        )


def to_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A validated frame with booleans spelled ``true``/``false`` and missing left empty."""
    out = frame.copy()
    for name, dtype in out.dtypes.items():
        if isinstance(dtype, pd.BooleanDtype):
            out[name] = out[name].map({True: "true", False: "false"}).astype(object)
    return out


def as_text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Validated cases as the strings a CSV file holds ('' = not reported): a typed-free example."""
    import io

    buffer = io.StringIO()
    to_csv_frame(frame).to_csv(buffer, index=False, na_rep="", float_format="%g")
    buffer.seek(0)
    return pd.read_csv(buffer, dtype=str, keep_default_na=False)


def write_cases_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write validated cases atomically; readable back by :func:`read_cases_csv` + validate."""
    with atomic_write(path) as handle:
        to_csv_frame(frame).to_csv(handle, index=False, na_rep="", float_format="%g")

"""Reading a dataset of texts in chunks, and the two Parquet tables a batch run writes.

Inputs: CSV, JSON Lines, Parquet, or plain text with one text per line
(chosen by the file's suffix). Every reader yields lists of
:class:`TextRecord` of at most ``chunk_size`` rows, so memory does not grow
with the dataset. Ids are strings; without an id column a text's id is its
row number (0-based) in the file.

Outputs (schemas in docs/batch.md): ``explanations.parquet``, one row per
text, and ``weights.parquet``, one row per text x explained class x feature.
While a run is going they are written as numbered part files under
``parts/`` (each written to a temporary name and renamed, so a killed run
leaves only whole parts); :func:`compact` merges the parts into the two
files, streaming one part at a time.
"""

from __future__ import annotations

import functools
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import LimeCoreError
from ..limits import MAX_TEXT_CHARS, UTF8_MAX_BYTES_PER_CHAR
from ..methods.data import LIME, MethodsReport
from .choices import DEFAULT_CHUNK_SIZE, SUFFIXES

EXPLANATIONS_FILE = "explanations.parquet"
WEIGHTS_FILE = "weights.parquet"
PARTS_DIR = "parts"

EXPLANATIONS_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("row", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("label", pa.string()),
        pa.field("predicted_class", pa.string()),
        pa.field("probabilities", pa.list_(pa.float64())),
        pa.field("class_names", pa.list_(pa.string())),
        pa.field("mean_KL_divergence", pa.float64()),
        pa.field("score", pa.float64()),
        pa.field("verdict", pa.string()),
        pa.field("n_samples", pa.int64()),
        pa.field("n_model_calls", pa.int64()),
        pa.field("seed", pa.int64()),
        pa.field("seconds", pa.float64()),
        pa.field("error", pa.string()),
        pa.field("explanation", pa.string()),
    ]
)



def method_columns(methods: Sequence[str]) -> list[pa.Field]:
    """The optional columns of a run with ``--methods``: per method its top words and comprehensiveness, per
    method beside LIME the top words they share and their rank correlation, and which ranking was most faithful.

    A run without ``--methods`` has none of them, so its files (and runs made before the option) are unchanged.
    """
    if not methods:
        return []
    fields = []
    for method in (LIME, *methods):
        fields += [
            pa.field(f"{method}_top_words", pa.list_(pa.string())),
            pa.field(f"{method}_comprehensiveness", pa.float64()),
        ]
    for method in methods:
        fields += [
            pa.field(f"{LIME}_{method}_top_shared", pa.int64()),
            pa.field(f"{LIME}_{method}_rank_correlation", pa.float64()),
        ]
    return [*fields, pa.field("most_faithful", pa.list_(pa.string())), pa.field("methods_n_model_calls", pa.int64())]


def method_values(report: MethodsReport, methods: Sequence[str]) -> dict[str, Any]:
    """One text's values for :func:`method_columns` (``report``: its explanation's ``methods``)."""
    row: dict[str, Any] = {}
    for method in (LIME, *methods):
        result = report.result(method)
        row[f"{method}_top_words"] = list(result.top)
        row[f"{method}_comprehensiveness"] = (
            None if result.faithfulness is None else result.faithfulness.comprehensiveness
        )
    for method in methods:
        pair = report.pair(LIME, method)
        row[f"{LIME}_{method}_top_shared"] = pair.overlap
        row[f"{LIME}_{method}_rank_correlation"] = pair.rank_correlation
    row["most_faithful"] = list(report.most_faithful)
    row["methods_n_model_calls"] = report.n_model_calls
    return row


def explanations_schema(methods: Sequence[str] = ()) -> pa.Schema:
    """``explanations.parquet``'s schema: :data:`EXPLANATIONS_SCHEMA`, plus :func:`method_columns` with methods."""
    schema = EXPLANATIONS_SCHEMA
    for field in method_columns(methods):
        schema = schema.append(field)
    return schema


WEIGHTS_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("class", pa.string(), nullable=False),
        pa.field("feature", pa.string(), nullable=False),
        pa.field("weight", pa.float64(), nullable=False),
        pa.field("std", pa.float64()),
        pa.field("low", pa.float64()),
        pa.field("high", pa.float64()),
    ]
)


class BatchInputError(LimeCoreError, ValueError):
    """The dataset cannot be read as asked (unknown format, missing column, unreadable file)."""


@dataclass(frozen=True)
class TextRecord:
    """One text of the dataset: its id, its row number, the text and its label (None when not given).

    ``refused`` says why a text is not explained before any model sees it (over the length limit: it was
    not read whole, and its ``text`` is empty, so the refused text is not stored either).
    """

    id: str
    row: int
    text: str
    label: str | None = None
    refused: str | None = None


# Slack for the id, the label and the quoting around a text in one line of CSV or JSON Lines.
LINE_SLACK_BYTES = 64 * 1024


def _too_long(row: int, size: str, max_chars: int) -> str:
    return (f"row {row} holds a text of {size}, over the limit of {max_chars:,} characters; it was not read whole "
            "or explained: split it or shorten it")


@dataclass(frozen=True)
class InputSpec:
    """Where the texts are and which columns hold them."""

    path: Path
    text_column: str = "text"
    id_column: str | None = None
    label_column: str | None = None
    format: str | None = None  # None: from the suffix

    def resolved_format(self) -> str:
        if self.format:
            return self.format
        fmt = SUFFIXES.get(self.path.suffix.lower())
        if fmt is None:
            known = ", ".join(sorted(SUFFIXES))
            raise BatchInputError(f"cannot tell the format of {self.path.name} from its suffix; use one of {known}")
        return fmt


def _cell(value: Any) -> str | None:
    """A cell as text; None for missing values (NaN, None, pandas NA)."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_columns(spec: InputSpec, columns: list[str]) -> None:
    wanted = [("text", spec.text_column), ("id", spec.id_column), ("label", spec.label_column)]
    for role, name in wanted:
        if name is not None and name not in columns:
            shown = ", ".join(map(str, columns[:20])) or "none"
            raise BatchInputError(f"{spec.path.name} has no {role} column {name!r}; its columns are: {shown}")


def _records(spec: InputSpec, frame: Any, start: int, max_chars: int | None) -> list[TextRecord]:
    texts = frame[spec.text_column].tolist()
    ids = frame[spec.id_column].tolist() if spec.id_column else None
    labels = frame[spec.label_column].tolist() if spec.label_column else None
    out = []
    for i, text in enumerate(texts):
        row = start + i
        text_id = _cell(ids[i]) if ids is not None else str(row)
        if text_id is None:
            raise BatchInputError(f"row {row} of {spec.path.name} has no id (column {spec.id_column!r} is empty)")
        label = _cell(labels[i]) if labels is not None else None
        value = _cell(text) or ""
        if max_chars is not None and len(value) > max_chars:
            out.append(TextRecord(text_id, row, "", label, _too_long(row, f"{len(value):,} characters", max_chars)))
        else:
            out.append(TextRecord(text_id, row, value, label))
    return out


def read_records(
    spec: InputSpec, chunk_size: int = DEFAULT_CHUNK_SIZE, max_chars: int | None = MAX_TEXT_CHARS
) -> Iterator[list[TextRecord]]:
    """The dataset's texts, ``chunk_size`` at a time, in file order.

    No text is read whole past ``max_chars``: a longer line of a text file is skipped unread (its record is
    ``refused``), a longer line of CSV or JSON Lines stops the run with a message before it is parsed, and a
    longer cell is refused without being kept.
    """
    if not spec.path.is_file():
        raise BatchInputError(f"cannot read {spec.path}: {'no such file' if not spec.path.exists() else 'not a file'}")
    fmt = spec.resolved_format()
    try:
        if fmt == "text":
            yield from _read_text_lines(spec, chunk_size, max_chars)
        elif fmt == "parquet":
            yield from _read_parquet(spec, chunk_size, max_chars)
        else:
            yield from _read_pandas(spec, fmt, chunk_size, max_chars)
    except BatchInputError:
        raise
    except (OSError, ValueError, UnicodeDecodeError, pa.ArrowException) as exc:
        raise BatchInputError(f"cannot read {spec.path.name} as {fmt}: {_reading_error(exc)}") from exc


def _reading_error(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    if "EOF inside string" in message:
        return (f"{message}: a quote (\") opens a text that is never closed, so every later line would be read "
                "as part of it; close the quote (a quote inside a quoted text is written twice)")
    return message


def _read_text_lines(spec: InputSpec, chunk_size: int, max_chars: int | None) -> Iterator[list[TextRecord]]:
    limit = None if max_chars is None else UTF8_MAX_BYTES_PER_CHAR * max_chars
    chunk: list[TextRecord] = []
    with open(spec.path, "rb") as fh:
        row = 0
        while True:
            data = fh.readline() if limit is None else fh.readline(limit + 2)  # + the line's \r\n
            if not data:
                break
            if limit is not None and len(data) > limit and not data.endswith(b"\n"):
                size = len(data)
                while data and not data.endswith(b"\n"):  # skip the rest of the line, 1 MB at a time
                    data = fh.readline(1 << 20)
                    size += len(data)
                assert max_chars is not None
                chunk.append(TextRecord(str(row), row, "", refused=_too_long(row, f"{size:,} bytes", max_chars)))
            else:
                try:
                    line = data.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError:
                    raise BatchInputError(f"line {row + 1} of {spec.path.name} is not UTF-8 text") from None
                if max_chars is not None and len(line) > max_chars:
                    refused = _too_long(row, f"{len(line):,} characters", max_chars)
                    chunk.append(TextRecord(str(row), row, "", refused=refused))
                else:
                    chunk.append(TextRecord(str(row), row, line))
            row += 1
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


class _BoundedLines(io.RawIOBase):
    """A binary file that raises :class:`BatchInputError` once one line grows past ``limit`` bytes.

    pandas reads a CSV or JSON Lines record whole before anyone can look at it; behind this, a 300 MB line
    stops the read after ``limit`` bytes instead.
    """

    def __init__(self, raw: Any, limit: int, name: str, max_chars: int) -> None:
        self._raw, self._limit, self._name, self._max_chars = raw, limit, name, max_chars
        self._line = 0  # bytes since the last newline
        self._lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        end = data.rfind(b"\n")
        if end < 0:
            longest = self._line + len(data)
        else:
            first = data.find(b"\n")
            inner = max((len(x) for x in data[first + 1 : end].split(b"\n")), default=0) if end > first else 0
            longest = max(self._line + first, inner)
        if longest > self._limit:
            raise BatchInputError(
                f"line {self._lines + 1} of {self._name} or one soon after it "
                f"is longer than {self._limit:,} bytes, more than a text of {self._max_chars:,} characters "
                "(the limit) can take, or a quote is never closed; the run stops before reading it whole"
            )
        if end >= 0:
            self._lines += data.count(b"\n")
            self._line = len(data) - end - 1
        else:
            self._line += len(data)
        buffer[: len(data)] = data
        return len(data)


def _read_parquet(spec: InputSpec, chunk_size: int, max_chars: int | None) -> Iterator[list[TextRecord]]:
    file = pq.ParquetFile(spec.path)
    _check_columns(spec, file.schema_arrow.names)
    columns = [c for c in (spec.text_column, spec.id_column, spec.label_column) if c]
    start = 0
    for batch in file.iter_batches(batch_size=chunk_size, columns=list(dict.fromkeys(columns))):
        text = batch.column(spec.text_column)
        if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type) or pa.types.is_null(text.type)):
            raise BatchInputError(
                f"column {spec.text_column!r} of {spec.path.name} holds {text.type}, not text; "
                "choose a text column with --text-column"
            )
        frame = batch.to_pandas()
        yield _records(spec, frame, start, max_chars)
        start += len(frame)


def _read_pandas(spec: InputSpec, fmt: str, chunk_size: int, max_chars: int | None) -> Iterator[list[TextRecord]]:
    import pandas as pd

    with open(spec.path, "rb") as raw:
        source: Any = raw
        if max_chars is not None:
            limit = UTF8_MAX_BYTES_PER_CHAR * max_chars + LINE_SLACK_BYTES
            source = io.BufferedReader(_BoundedLines(raw, limit, spec.path.name, max_chars))
        if fmt == "jsonl":
            reader = pd.read_json(source, lines=True, chunksize=chunk_size, dtype=False, encoding="utf-8")
        else:
            # Ids and labels stay text: "007" must not become 7.
            reader = pd.read_csv(
                source, sep="\t" if fmt == "tsv" else ",", chunksize=chunk_size, dtype=str, keep_default_na=False,
                encoding="utf-8",
            )
        start = 0
        with reader:
            for frame in reader:
                _check_columns(spec, [str(c) for c in frame.columns])
                yield _records(spec, frame, start, max_chars)
                start += len(frame)


def count_records(spec: InputSpec, max_chars: int | None = MAX_TEXT_CHARS) -> int | None:
    """How many texts the dataset holds (a cheap pass; None when it cannot be told without parsing everything)."""
    fmt = spec.resolved_format()
    if fmt == "parquet":
        return int(pq.ParquetFile(spec.path).metadata.num_rows)
    if fmt == "text":  # newlines counted in 1 MB blocks: one endless line is never held whole
        lines, last = 0, b"\n"
        with open(spec.path, "rb") as fh:
            while block := fh.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
        return lines + (last != b"\n")
    return sum(len(chunk) for chunk in read_records(spec, chunk_size=4096, max_chars=max_chars))


# -- output ---------------------------------------------------------------------------------------------------------


FILE_MODE = 0o644  # mkstemp makes 0600 files; outputs are ordinary files


def _temp_beside(path: Path) -> str:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(tmp, FILE_MODE)
    return tmp


def _atomic_parquet(table: pa.Table, path: Path) -> None:
    tmp = _temp_beside(path)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_part(
    output: Path,
    index: int,
    rows: list[dict[str, Any]],
    weights: list[dict[str, Any]],
    methods: Sequence[str] = (),
) -> None:
    """Write one part: the weights first, then the explanations, whose presence marks the part as done.

    ``methods``: the run's ``--methods``, whose optional columns the explanations part has.
    """
    parts = output / PARTS_DIR
    parts.mkdir(parents=True, exist_ok=True)
    _atomic_parquet(pa.Table.from_pylist(weights, schema=WEIGHTS_SCHEMA), parts / f"weights-{index:06d}.parquet")
    table = pa.Table.from_pylist(rows, schema=explanations_schema(methods))
    _atomic_parquet(table, parts / f"explanations-{index:06d}.parquet")


def part_files(output: Path, kind: str = "explanations") -> list[Path]:
    """The finished parts of one kind (``explanations`` or ``weights``), in order."""
    parts = output / PARTS_DIR
    if not parts.is_dir():
        return []
    return sorted(parts.glob(f"{kind}-[0-9]*.parquet"))


def next_part_index(output: Path) -> int:
    files = part_files(output) + part_files(output, "weights")
    return 1 + max((int(f.stem.rsplit("-", 1)[1]) for f in files), default=-1)


def done_ids(output: Path) -> set[str]:
    """Ids already explained in ``output`` (the merged file and the finished parts), read one column at a time."""
    ids: set[str] = set()
    for path in explanation_sources(output):
        try:
            ids.update(pq.read_table(path, columns=["id"]).column("id").to_pylist())
        except (OSError, pa.ArrowException, KeyError) as exc:
            raise damaged(output, path, exc) from None
    return ids


def damaged(output: Path, path: Path, exc: BaseException) -> BatchInputError:
    """The error for a result file of ``output`` that cannot be read, saying what to do about it."""
    what = " ".join(str(exc).split())[:160] or type(exc).__name__
    if path.parent.name == PARTS_DIR:
        twin = path.name.replace("explanations-", "weights-") if path.name.startswith("explanations-") else (
            path.name.replace("weights-", "explanations-"))
        return BatchInputError(
            f"{path.relative_to(output)} in {output} is damaged ({what}); delete it and {PARTS_DIR}/{twin}, then "
            "run again with --resume: the texts it held are explained again"
        )
    return BatchInputError(f"{path.name} in {output} is damaged ({what}); the run cannot be resumed from it")


def explanation_sources(output: Path, kind: str = "explanations") -> list[Path]:
    """The merged file (if any) followed by the finished parts not yet merged."""
    merged = output / (EXPLANATIONS_FILE if kind == "explanations" else WEIGHTS_FILE)
    files = part_files(output, kind)
    if kind == "weights":  # a weights part counts only once its explanations part is written
        done = {f.name.replace("explanations-", "weights-") for f in part_files(output)}
        files = [f for f in files if f.name in done]
    return ([merged] if merged.is_file() else []) + files


_P = ParamSpec("_P")
_R = TypeVar("_R")
# How many times a reader starts again when a part vanished under it (each time, a compaction had just finished).
READ_ATTEMPTS = 5


def read_while_compacting(read: Callable[_P, _R]) -> Callable[_P, _R]:
    """Let ``read`` (which lists :func:`explanation_sources` and reads them) run while the run compacts its parts.

    :func:`compact` writes the merged files first and only then removes the parts, so a part that vanished between
    the listing and its reading has its rows in the merged file: reading again from a fresh listing sees them once.
    """

    @functools.wraps(read)
    def again_if_a_part_vanished(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        for _ in range(READ_ATTEMPTS - 1):
            try:
                return read(*args, **kwargs)
            except FileNotFoundError:
                continue
        return read(*args, **kwargs)

    return again_if_a_part_vanished


def compact(output: Path, methods: Sequence[str] = ()) -> None:
    """Merge the finished parts into explanations.parquet and weights.parquet (streaming), then drop the parts.

    ``methods``: the run's ``--methods``, whose optional columns the explanations have.

    Rows of an id already copied from an earlier source are skipped, so a run killed in the middle of
    compacting and compacted again never duplicates a text.
    """
    explanation_parts = part_files(output)
    if not explanation_parts:
        return
    for kind, name, schema in (
        ("weights", WEIGHTS_FILE, WEIGHTS_SCHEMA),
        ("explanations", EXPLANATIONS_FILE, explanations_schema(methods)),
    ):
        sources = explanation_sources(output, kind)
        tmp = _temp_beside(output / name)
        try:
            seen: set[str] = set()
            with pq.ParquetWriter(tmp, schema) as writer:
                for source in sources:
                    copied: set[str] = set()
                    try:
                        file = pq.ParquetFile(source)
                        for group in range(file.num_row_groups):
                            table = file.read_row_group(group).cast(schema)
                            if seen:
                                table = table.filter(pc.invert(pc.is_in(table.column("id"), pa.array(list(seen)))))
                            copied.update(table.column("id").to_pylist())
                            writer.write_table(table)
                    except (OSError, pa.ArrowException, KeyError) as exc:
                        raise damaged(output, source, exc) from None
                    seen |= copied
            os.replace(tmp, output / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    # Only now that both merged files hold them are the parts removed.
    for path in part_files(output, "weights") + explanation_parts:
        path.unlink(missing_ok=True)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON atomically (readers such as the dashboard never see half a file)."""
    tmp = _temp_beside(path)
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None

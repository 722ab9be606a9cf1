"""Which batch run folder the Dataset page may open from a typed path: only one inside ``LIME_BATCH_DIR``.

The dashboard may be reachable by others (docs/security.md, "Who can reach the dashboard"); a typed path must not let
them read any folder of the server machine that happens to hold a ``run.json``. Plain Python, so a test reaches
it without Streamlit.
"""

from __future__ import annotations

from pathlib import Path

from lime_core.terminal import printable

MAX_PATH_CHARS = 1024  # longer than any real path here; a 5,000-character one crashed the page's file checks


def resolve_run_folder(typed: str, root: Path) -> Path:
    """The run folder ``typed`` names (absolute, or relative to ``root``), inside ``root``; else ValueError."""
    text = typed.strip()
    shown = printable(text[:120]) + ("..." if len(text) > 120 else "")
    if len(text) > MAX_PATH_CHARS:
        raise ValueError(f"that path is {len(text):,} characters long; a run folder's path has at most "
                         f"{MAX_PATH_CHARS:,}")
    if "\x00" in text:
        raise ValueError("that path holds a NUL character; type the folder's path")
    try:
        candidate = Path(text).expanduser()
        folder = (candidate if candidate.is_absolute() else root / candidate).resolve()
        inside = folder.is_relative_to(root.expanduser().resolve())
        is_run = inside and (folder / "run.json").is_file()
    except (OSError, RuntimeError, ValueError) as exc:
        raise ValueError(f"cannot open {shown}: {getattr(exc, 'strerror', None) or type(exc).__name__}") from None
    if not inside:
        raise ValueError(
            f"{shown} is outside the folder of batch runs ({printable(str(root))}); the page opens runs there "
            "only: copy the run folder into it, or set LIME_BATCH_DIR to the folder that holds it"
        )
    if not is_run:
        raise ValueError(f"{shown} is not the output folder of a batch run (it holds no run.json)")
    return folder

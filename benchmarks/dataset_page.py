"""The Dataset page on a large run: how long the page takes to draw, cold and on later interactions.

A finished run of N texts is written straight to Parquet (tests/batch_models.write_synthetic_run: four classes,
ten weights per text), opened on the page with Streamlit's AppTest, then the page is turned, a verdict filter set
and the number of SP-LIME picks changed. Printed: the seconds of each step (the server side of the page: reading
the folder, the summary, the frames; the browser's drawing is not included) and the rows sent for the table.

    python benchmarks/dataset_page.py               # 10,000 texts
    python benchmarks/dataset_page.py --texts 100000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=10_000)
    args = parser.parse_args()
    from streamlit.testing.v1 import AppTest

    import ui.dataset
    from tests.batch_models import write_synthetic_run

    with tempfile.TemporaryDirectory(prefix="lime-dataset-page-") as tmp:
        folder = Path(tmp) / "run"
        started = time.perf_counter()
        write_synthetic_run(folder, args.texts)
        print(f"{args.texts:,} texts written in {time.perf_counter() - started:.1f} s; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.run()
        at.switch_page("app_pages/dataset.py")
        at.session_state[ui.dataset.FOLDER] = str(folder)
        steps = [
            ("open the run (cold: rows and summary computed)", lambda: at.run()),
            ("rerun, nothing changed", lambda: at.run()),
            ("turn to page 50", lambda: at.number_input(key="dataset.page").set_value(50).run()),
            ("filter: Trustworthy only",
             lambda: at.multiselect(key="dataset.verdicts").set_value(["Trustworthy"]).run()),
            ("SP-LIME picks 5 -> 12", lambda: at.number_input(key="dataset.pick").set_value(12).run()),
        ]
        print("| step | seconds | table rows sent |")
        print("|---|---|---|")
        for name, step in steps:
            t0 = time.perf_counter()
            try:
                step()
            except KeyError:  # an older page without this widget (for a before/after comparison)
                print(f"| {name} | - | - |")
                continue
            seconds = time.perf_counter() - t0
            assert not at.exception, at.exception
            table = next(d.value for d in at.dataframe if "mean_KL_divergence" in d.value.columns)
            print(f"| {name} | {seconds:.2f} | {len(table):,} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

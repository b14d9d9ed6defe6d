"""The project of the report tests that run notebooks with the real papermill (kernel "jkit"), a tiny
valid study for the real notebooks, and a leak finder.

A test module that binds ``project = kernel_runs.project`` gets this project instead of the
fake-papermill ``project`` of tests/reports/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.reports import write_notebook

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SMALL_SAMPLE = ROOT / "data" / "sample-small"


def make_tiny_data(folder: Path, n_customers: int = 40, seed: int = 1) -> Path:
    """A tiny valid study (customers, events, feedback) for running the real notebooks quickly."""
    import numpy as np

    from jkit.stages import load_stage_model

    rng = np.random.default_rng(seed)
    model = load_stage_model("five_stage")
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"C{i:04d}" for i in range(n_customers)]
    pd.DataFrame({"customer_id": ids, "signup_date": "2025-01-01", "region": rng.choice(["North", "South"], n_customers)}
                 ).to_csv(folder / "customers.csv", index=False)
    rows = []
    for cid in ids:
        depth = int(rng.integers(1, len(model.names) + 1))
        for s, stage in enumerate(model.names[:depth]):
            for _ in range(int(rng.integers(1, 4))):
                day = int(rng.integers(0, 90)) + s
                rows.append({"customer_id": cid,
                             "timestamp": (pd.Timestamp("2025-03-01", tz="UTC") + pd.Timedelta(days=day)).isoformat(),
                             "event": rng.choice(model[stage].events),
                             "touchpoint": rng.choice(["web", "mobile_app", "email"])})
    pd.DataFrame(rows).to_csv(folder / "events.csv", index=False)
    pd.DataFrame({"feedback_id": [f"F{i}" for i in range(5)], "customer_id": ids[:5],
                  "timestamp": "2025-04-01T10:00:00Z", "text": ["Great, thanks", "Too slow", "ok", "Fine", "Bad app"],
                  "source": "survey"}).to_csv(folder / "feedback.csv", index=False)
    return folder


def leaks(folder: Path, *needles: str) -> list[str]:
    """Files below ``folder`` whose text contains any of ``needles``."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".json", ".log"):
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path.relative_to(folder)}: {n}" for n in needles if n and n in text]
    return found


@pytest.fixture
def project(tmp_path):
    """A project folder with notebooks/ (a good and a failing notebook) and data/."""
    nbdir = tmp_path / "proj" / "notebooks"
    write_notebook(nbdir / "01-good.ipynb",
                   'n = 3  # how many points; range: 1..10\n'
                   'label = "a"  # series label; one of: a, b, <c>\n'
                   'data_dir = "../data/sample"  # data folder',
                   ["import os\nprint('n =', n, 'label =', label, 'files =', sorted(os.listdir(data_dir)))",
                    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(3, 2))\n"
                    "ax.plot(range(n)); ax.set_title(f'{n} points'); plt.show()",
                    "print('data_dir is', data_dir)"],
                   title="Good report")
    write_notebook(nbdir / "02-bad.ipynb",
                   'boom = True  # raise in the second cell\ndata_dir = "../data/sample"  # data folder',
                   ["x = 1", "if boom:\n    raise ValueError('planned failure <b>here</b>')", "print('after')"],
                   title="Bad report")
    data = tmp_path / "proj" / "data" / "sample"
    data.mkdir(parents=True)
    (data / "customers.csv").write_text('customer_id,signup_date\nC1,2025-01-01\nC2,"2025-01-02"\n')
    return tmp_path / "proj"

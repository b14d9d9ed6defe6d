"""environment.yml and pyproject.toml declare the same dependencies; the CLI behaves."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import yaml

from jkit.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~ ;\[]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_and_pyproject_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        pip_reqs += extra
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_reqs = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            conda_reqs += dep["pip"]
        elif not dep.startswith(("python=", "pip")) or dep.startswith("pip:"):
            conda_reqs.append(dep)
    conda = {_name(r): r[len(_name(r)):] for r in conda_reqs if _name(r) != "pip"}
    pip = {_name(r): r[len(_name(r)):] for r in pip_reqs}
    assert set(conda) == set(pip), f"only in environment.yml: {set(conda) - set(pip)}; only in pyproject: {set(pip) - set(conda)}"
    for name in pip:
        assert conda[name].strip() == pip[name].strip(), f"{name}: environment.yml {conda[name]!r} != pyproject {pip[name]!r}"


def test_console_script_help():
    out = subprocess.run([sys.executable, "-m", "jkit.cli", "--help"], capture_output=True, text=True, check=True)
    assert "sample-data" in out.stdout and "validate" in out.stdout
    out = subprocess.run([sys.executable, "-m", "jkit.cli", "sample-data", "--help"], capture_output=True, text=True,
                         check=True)
    assert "--customers" in out.stdout and "--seed" in out.stdout


def test_validate_command_ok_and_invalid(tmp_path, capsys):
    from tests.io.test_loader import write_study

    good = write_study(tmp_path / "good")
    bad = write_study(tmp_path / "bad")
    fb = pd.read_csv(bad / "feedback.csv", dtype=str)
    fb.loc[0, "nps"] = "11"
    fb.to_csv(bad / "feedback.csv", index=False)
    assert main(["validate", str(good)]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["validate", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "INVALID" in err and "column 'nps' row 1: value '11'" in err
    assert main(["validate", "--lenient", str(bad)]) == 0
    assert "set aside 1 rows" in capsys.readouterr().out

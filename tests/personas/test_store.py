"""Model files: save/load round trip, the file checks, and files that cannot run code."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pytest

from jkit.errors import DataValidationError, JkitWarning, MissingResourceError
from jkit.personas import PersonaModel


def test_predict_assigns_new_customers_and_save_load_round_trip(planted, tmp_path):
    _, features, truth, model = planted
    assert (model.predict(features) == model.labels_).all()
    path = model.save(tmp_path / "personas.jkpm")
    loaded = PersonaModel.load(path)
    new = features.sample(50, random_state=1)
    assign = loaded.assign(new)
    assert list(assign.columns) == ["customer_id", "persona", "persona_name"]
    assert (assign["persona"].to_numpy() == model.predict(new)).all()
    assert assign["persona_name"].iloc[0] == model.names_[assign["persona"].iloc[0]]
    # an unseen category level and a gap in a column that had none at fit are assigned, not crashed on
    odd = new.copy()
    odd["acquisition_channel"] = "carrier_pigeon"
    odd.loc[odd.index[0], "age"] = np.nan
    assert len(loaded.predict(odd)) == 50


def test_load_checks_the_file(planted, tmp_path):
    import zipfile

    _, _, _, model = planted
    with pytest.raises(MissingResourceError, match="no such file"):
        PersonaModel.load(tmp_path / "nope.jkpm")
    (tmp_path / "other.jkpm").write_text("hello", encoding="utf-8")
    with pytest.raises(DataValidationError, match="not a saved jkit PersonaModel"):
        PersonaModel.load(tmp_path / "other.jkpm")
    path = model.save(tmp_path / "good.jkpm")

    def rewrite(name, change):
        with zipfile.ZipFile(path) as z:
            members = {n: z.read(n) for n in z.namelist()}
        change(members)
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            for n, data in members.items():
                z.writestr(n, data)
        return tmp_path / name

    def manifest(**changes):
        def change(members):
            m = json.loads(members["manifest.json"])
            m.update(changes)
            members["manifest.json"] = json.dumps(m)
        return change

    with pytest.raises(DataValidationError, match="saved with file format 99 by jkit 9.0"):
        PersonaModel.load(rewrite("newer.jkpm", manifest(format_version=99, jkit_version="9.0")))
    with pytest.warns(JkitWarning, match="saved with scikit-learn 0.1"):
        PersonaModel.load(rewrite("old.jkpm", manifest(sklearn_version="0.1")))


def test_a_crafted_model_file_cannot_run_code(planted, tmp_path):
    """Issue 16.4: a pickled file ran a command before jkit's format check; nothing is unpickled now."""
    import os
    import pickle
    import zipfile

    import skops.io as sio

    _, _, _, model = planted
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    (tmp_path / "evil.joblib").write_bytes(pickle.dumps({"format": "jkit.PersonaModel", "model": Exploit()}))
    joblib.dump({"format": "jkit.PersonaModel", "model": Exploit()}, tmp_path / "evil2.joblib")
    for name in ("evil.joblib", "evil2.joblib"):
        with pytest.raises(DataValidationError, match="old pickle/joblib format, which can run code"):
            PersonaModel.load(tmp_path / name)
    # a model file whose scikit-learn part references a function outside the trusted list
    path = model.save(tmp_path / "good.jkpm")
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["sklearn.skops"] = sio.dumps({"preprocessor_": os.system})
    with zipfile.ZipFile(tmp_path / "evil.jkpm", "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    with pytest.raises(DataValidationError, match="holds types a persona model never holds.*system"):
        PersonaModel.load(tmp_path / "evil.jkpm")
    assert not marker.exists()

"""Reading a study into validated tables: :func:`load` returns a :class:`JourneyData`.

A study is a folder (``customers``, ``events``, ``feedback`` files and an optional
``stages.yaml``) or a ``study.yaml`` that says where each table is and how to read it
(:mod:`jkit.io.study`). Files are read as they are (:mod:`jkit.io.readers`: separators,
encodings, headers; :mod:`jkit.io.infer` types extra columns), vendor exports through
:mod:`jkit.io.importers`, and then checked against the contract in :mod:`jkit.schema`.
"""

from jkit.io.journey_data import JourneyData, SourceInfo, fingerprint
from jkit.io.loader import find_table_file, load, read_table
from jkit.io.study import StudySpec, read_study

__all__ = ["JourneyData", "SourceInfo", "StudySpec", "load", "read_study", "read_table", "find_table_file", "fingerprint"]

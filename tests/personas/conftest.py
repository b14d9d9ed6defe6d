"""Fixtures of the persona tests: the planted study, its features and a fitted model."""

from __future__ import annotations

import pytest

import jkit
from jkit.personas import PersonaModel, customer_features
from tests.personas.planted import make_planted


@pytest.fixture(scope="package")  # one fit for every test module of the package
def planted():
    customers, events, truth = make_planted()
    data = jkit.load(customers=customers, events=events)
    features = customer_features(data)
    model = PersonaModel(n_personas=4, n_bootstrap=5, random_state=0).fit(features)
    return data, features, truth, model

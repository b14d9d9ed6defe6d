"""jkit — a Jupyter research kit for customer-journey analytics.

Load a study with :func:`jkit.load`, then use the analyses: :mod:`jkit.funnels`,
:mod:`jkit.kpis`, :mod:`jkit.sentiment`, :mod:`jkit.personas` and :mod:`jkit.journey_map`.
Nothing runs at import: no downloads, no global options.
"""

from jkit.errors import (
    DataValidationError,
    JkitError,
    JkitWarning,
    MissingResourceError,
    NotFittedError,
    ParameterError,
)
from jkit.io import JourneyData, load
from jkit.stages import StageModel, load_stage_model

__version__ = "0.1.0"

__all__ = [
    "DataValidationError",
    "JkitError",
    "JkitWarning",
    "JourneyData",
    "MissingResourceError",
    "NotFittedError",
    "ParameterError",
    "StageModel",
    "load",
    "load_stage_model",
    "__version__",
]

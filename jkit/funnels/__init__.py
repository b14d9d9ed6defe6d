"""Stage funnels (see :mod:`jkit.funnels.api`)."""

from jkit.funnels.api import *  # noqa: F401,F403
from jkit.funnels.api import __all__  # noqa: F401

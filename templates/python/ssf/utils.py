"""Old import path (SSF 1.0): `from ssf.utils import get_ipu_count`."""
from ssf.application_interface.utils import *  # noqa: F401,F403

"""Old import path (SSF 1.0): `from ssf.results import *`."""
from ssf.application_interface.results import *  # noqa: F401,F403

"""Old import path (SSF 1.0): `from ssf.application import SSFApplicationInterface`."""
from ssf.application_interface.application import *  # noqa: F401,F403
from ssf.application_interface.application import (SSFApplicationInterface,  # noqa: F401
                                                   SSFApplicationTestInterface)

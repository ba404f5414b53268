"""The interfaces an application implements: upstream SSF's, unchanged."""
from abc import ABCMeta, abstractmethod
from functools import wraps
from types import FunctionType
from typing import Tuple, Union

from ssf.application_interface.results import (RESULT_OK, SSFException,
                                               SSFExceptionApplicationError, SSFRequestRejected)


def _contain(method):
    """Turns any non-SSF exception of an application method into an application error (32);
    a rejected request (SSFRequestRejected) passes through, to be answered 400."""

    @wraps(method)
    def call(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (SSFException, SSFRequestRejected):
            raise
        except Exception as e:
            raise SSFExceptionApplicationError(
                f"Application `{method.__name__}` api call failed.") from e

    return call


class _ContainingMeta(ABCMeta):
    def __new__(mcs, name, bases, namespace):
        wrapped = {k: _contain(v) if isinstance(v, FunctionType) else v
                   for k, v in namespace.items()}
        return super().__new__(mcs, name, bases, wrapped)


class SSFApplicationInterface(metaclass=_ContainingMeta):
    """One instance per replica. Every method runs with the module's directory as working dir."""

    @abstractmethod
    def build(self) -> int:
        """Prepares what the application needs (called by `gc-ssf build`); 0 on success."""

    @abstractmethod
    def startup(self) -> int:
        """Readies this instance before it serves (called by `gc-ssf run`); 0 on success."""

    @abstractmethod
    def request(self, params: Union[dict, list], meta: Union[dict, list]) -> Union[dict, list]:
        """Serves one request (a dict), or a batch (a list of dicts) when max_batch_size > 1."""

    @abstractmethod
    def shutdown(self) -> int:
        """Releases what startup took; 0 on success."""

    def watchdog(self) -> int:
        """Polled when idle; non-zero makes the server restart this replica."""
        return RESULT_OK


class SSFApplicationTestInterface(metaclass=_ContainingMeta):
    """The application's own tests, run by `gc-ssf test` against the served application."""

    @abstractmethod
    def begin(self, session, ipaddr: str) -> int:
        """Before the first subtest; `session` is a requests.Session, `ipaddr` 'http://host:port'."""

    @abstractmethod
    def subtest(self, session, ipaddr: str, index: int) -> Tuple[bool, str, bool]:
        """Runs subtest `index`; returns (passed, description, more subtests follow)."""

    @abstractmethod
    def end(self, session, ipaddr: str) -> int:
        """After the last subtest."""

"""Session authentication's user check (python3 -m ssf._user_check), for gc-ssf's server.

The server starts this with one end of a socket pair as $SSF_WORKER_FD, like a replica
(ssf._worker), and speaks the same framing (ssf._protocol):
  server -> here   {"op":"init","module":"/abs/auth.py","log_level":10}
                   {"op":"check","id":N,"username":"...","password":"..."}
                   {"op":"stop"}
  here -> server   {"op":"log",...} as a replica's
                   {"op":"started"}        the module loaded and defines authenticate_user
                   {"op":"failed","code":35,"message":"..."}   it did not; the process exits
                   {"op":"checked","id":N,"user_id":"1"|null}
                   {"op":"error","id":N,"message":"..."}   authenticate_user raised
The module's authenticate_user(username, password) is upstream's contract: None refuses, a user
id (made a string) lets the user in. A password never leaves this process in a log record: the
one being checked is blanked out of every record the module logs while checking it.
"""
import logging
import os
import signal
import socket
import sys

from ssf._protocol import Channel, Closed
from ssf._worker import ForwardingHandler, describe
from ssf.application_interface.results import (RESULT_APPLICATION_MODULE_ERROR,
                                               SSFExceptionApplicationModuleError)
from ssf.application_interface.utils import load_module

logger = logging.getLogger("ssf")

MODULE_NAME = "authenticate_user"
FUNCTION_NAME = "authenticate_user"
REDACTED = "********"


class RedactingHandler(ForwardingHandler):
    """Forwards records as a replica does, with the password being checked blanked out."""

    secret = None

    def redact(self, message):
        # The whole record, its traceback included: an exception may carry the password.
        secret = self.secret
        return message.replace(secret, REDACTED) if secret else message


def load_authenticator(path):
    module = load_module(path, MODULE_NAME)
    function = getattr(module, FUNCTION_NAME, None)
    if not callable(function):
        raise SSFExceptionApplicationModuleError(f"Failure finding {FUNCTION_NAME} in {path}.")
    return function


def main():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fd = int(os.environ["SSF_WORKER_FD"])
    os.set_inheritable(fd, False)
    channel = Channel(socket.socket(fileno=fd))
    try:
        init = channel.receive()
    except (Closed, OSError):
        return 0
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = RedactingHandler(channel, int(init.get("log_level", logging.DEBUG)))
    root.addHandler(handler)
    root.setLevel(handler.level)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path.pop(0)
    path = init["module"]
    sys.path.insert(0, os.path.dirname(path))

    try:
        authenticate = load_authenticator(path)
    except Exception as e:
        logger.error(describe(e), exc_info=e)
        channel.send({"op": "failed", "code": RESULT_APPLICATION_MODULE_ERROR,
                      "message": describe(e)})
        return RESULT_APPLICATION_MODULE_ERROR
    channel.send({"op": "started"})

    while True:
        try:
            frame = channel.receive()
        except (Closed, OSError):
            return 0
        if frame.get("op") != "check":
            return 0  # "stop", or a message this version does not know
        handler.secret = frame.get("password") or None
        try:
            user_id = authenticate(frame["username"], frame["password"])
            reply = {"op": "checked", "id": frame["id"],
                     "user_id": None if user_id is None else str(user_id)}
        except Exception as e:
            logger.error(f"{FUNCTION_NAME} raised: {describe(e)}")  # redacted by the handler
            reply = {"op": "error", "id": frame["id"], "message": type(e).__name__}
        finally:
            handler.secret = None
        channel.send(reply)


if __name__ == "__main__":
    sys.exit(main())

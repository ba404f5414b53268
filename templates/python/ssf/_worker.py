"""A replica: hosts one application instance for gc-ssf's server (python3 -m ssf._worker).

The server starts this with one end of a socket pair as file descriptor $SSF_WORKER_FD and sends
an "init" frame: the mode (build or run), the config, the options. Then:
  build: instantiate the application, build(), shutdown(); the exit status is build()'s result.
  run:   instantiate, startup(), say "started", then serve "request" and "watchdog" frames in
         order until "stop" or the socket closes. Frames may arrive while one is being served
         (the server pipelines them); they queue here and are served one at a time.
An application failure ends the process with upstream's code (32 application, 35 module,
255 unmet requirement) after a frame that says why, so that the server can restart the replica.
"""
import copy
import inspect
import logging
import os
import queue
import socket
import sys
import threading
import time
import traceback
import types
from argparse import Namespace

from ssf._protocol import Channel, Closed
from ssf.application_interface.application import SSFApplicationInterface
from ssf.application_interface.config import SSFConfig
from ssf.application_interface.results import (RESULT_APPLICATION_ERROR,
                                               RESULT_APPLICATION_MODULE_ERROR, RESULT_OK,
                                               SSFException, SSFExceptionApplicationError,
                                               SSFExceptionApplicationModuleError,
                                               SSFExceptionUnmetRequirement)
from ssf.application_interface.utils import load_module

logger = logging.getLogger("ssf")
INTERFACE_METHODS = ("build", "startup", "request", "shutdown", "watchdog")


class ForwardingHandler(logging.Handler):
    """Sends every log record to the server, which writes it to ssf.log and the terminal."""

    def __init__(self, channel):
        super().__init__(logging.DEBUG)
        self.channel = channel

    def emit(self, record):
        try:
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
            self.channel.send({"op": "log", "level": record.levelno, "msg": message,
                               "file": record.filename, "line": record.lineno})
        except Exception:  # the server is gone: nothing left to tell
            pass


class Failure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def make_ssf_config(init):
    application = Namespace(**init["application"])
    application.interface = None
    return SSFConfig(config_dict=init["config"], args=Namespace(**init["args"]),
                     unknown_args=init.get("unknown_args", []), application=application)


def find_factory(module, name):
    fn = getattr(module, name, None)
    return fn if inspect.isfunction(fn) else None


def call_with_config(fn, ssf_config):
    """Passes ssf_config when the callable asks for it by name as its only parameter."""
    params = [p for p in inspect.signature(fn).parameters if p != "self"]
    if params == ["ssf_config"]:
        return fn(ssf_config=copy.deepcopy(ssf_config))
    return fn()


def instantiate(ssf_config, interface, factory_name, debug_name):
    """Upstream's rules: the factory if the module defines it, else its one interface class."""
    app = ssf_config.application
    module_id = app.id
    logger.info(f"Loading {app.id} application {debug_name} from {app.file} with module id {module_id}")
    try:
        module = load_module(app.file, module_id)
    except SSFExceptionUnmetRequirement:
        raise
    except Exception as e:
        raise SSFExceptionApplicationModuleError(
            f"Could not load {app.id} application module from {app.file}") from e
    error = f"Could not create {app.id} application {debug_name} from {app.file} with module id {module_id}"

    factory = find_factory(module, factory_name)
    if factory:
        logger.debug(f"Application instantiated by user-defined function`{factory_name}`.")
        try:
            return call_with_config(factory, ssf_config)
        except SSFExceptionUnmetRequirement:
            raise
        except Exception as e:
            raise SSFExceptionApplicationModuleError(f"{error}  using {factory_name}.") from e

    classes = [obj for _, obj in inspect.getmembers(module, inspect.isclass)
               if obj is not interface and issubclass(obj, interface)]
    for cls in classes:
        logger.info(f"Found {cls}, {cls.__name__}")
    if len(classes) > 1:
        raise SSFExceptionApplicationModuleError(
            f"{error}. Only one application {debug_name} should be defined. Found {len(classes)}. "
            f"To make it unambiguous, please define the function `{factory_name}` in your application file.")
    if not classes:
        return None
    try:
        return call_with_config(classes[0].__init__, ssf_config) if _wants_config(classes[0]) \
            else classes[0]()
    except SSFExceptionUnmetRequirement:
        raise
    except Exception as e:
        raise SSFExceptionApplicationModuleError(
            f"{error}. If {classes[0]} needs a non-trivial initialisation you can define "
            f"`{factory_name}` in your application file.") from e


def _wants_config(cls):
    params = list(inspect.signature(cls.__init__).parameters)
    return params == ["self", "ssf_config"]


def application_instance(ssf_config):
    instance = instantiate(ssf_config, SSFApplicationInterface,
                           "create_ssf_application_instance", "main interface")
    if instance is None:
        raise SSFExceptionApplicationModuleError(
            "Failure creating application instance. Make sure that you implemented "
            "`SSFApplicationInterface` in your application file")
    if callable(getattr(instance, "is_healthy", None)):
        logger.warning("Application interface 'is_healthy' has been renamed to 'watchdog'")
        logger.warning("Using application interface 'is_healthy' as 'watchdog'")
        instance.watchdog = types.MethodType(
            lambda self: RESULT_OK if self.is_healthy() else RESULT_APPLICATION_ERROR, instance)
    missing = [m for m in INTERFACE_METHODS if not callable(getattr(instance, m, None))]
    for m in missing:
        logger.error(f"Interface '{m}' missing or not callable")
    if missing:
        raise SSFExceptionApplicationModuleError("Application module has missing interfaces")
    return instance


def check_results(results, batch_size, batched):
    """Upstream's result contract: a dict per request; a list of them, in order, for a batch."""
    if not batched:
        if not isinstance(results, dict):
            raise SSFExceptionApplicationError("Expected result as dict for unbatched request")
        return [results]
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise SSFExceptionApplicationError("Expected result as list of dict for batched request")
    if len(results) != batch_size:
        raise SSFExceptionApplicationError(
            f"Expected {batch_size} results for a batch of {batch_size} requests, got {len(results)}")
    return results


class Replica:
    def __init__(self, channel, init):
        self.channel = channel
        self.index = init.get("replica", 0)
        self.batched = init["application"].get("max_batch_size", 1) > 1
        self.ssf_config = make_ssf_config(init)
        self.app = None

    def serve(self):
        """Reads frames on a thread of their own, so that pipelined frames wait here, not in
        the socket, and serves them in order on this thread (applications are not thread-safe)."""
        frames = queue.Queue()

        def read():
            try:
                while True:
                    frames.put(self.channel.receive())
            except (Closed, OSError):
                frames.put(None)

        threading.Thread(target=read, daemon=True).start()
        while True:
            frame = frames.get()
            if frame is None or frame["op"] == "stop":
                return
            if frame["op"] == "request":
                self.request(frame)
            elif frame["op"] == "watchdog":
                logger.debug(f"[{self.index}] Dispatcher polling application replica watchdog")
                code = self.app.watchdog()
                self.channel.send({"op": "watchdog", "id": frame["id"], "code": code})
                if code != RESULT_OK:
                    raise Failure(RESULT_APPLICATION_ERROR,
                                  f"Application watchdog failed with {code}")

    def request(self, frame):
        params, meta = frame["params"], frame["meta"]
        for m in meta:
            m["replica"] = self.index
        start = time.perf_counter()
        try:
            if self.batched:
                results = self.app.request(params, meta)
            else:
                results = self.app.request(params[0], meta[0])
            results = check_results(results, len(params), self.batched)
        except Exception as e:
            message = str(e.args[1]) if isinstance(e, SSFException) and len(e.args) > 1 else str(e)
            logger.error(f"Request failed: {message}", exc_info=not isinstance(e, SSFException)
                         or e.__cause__ is not None)
            self.channel.send({"op": "error", "id": frame["id"], "message": message})
            raise Failure(RESULT_APPLICATION_ERROR, message)
        latency = time.perf_counter() - start
        self.channel.send({"op": "result", "id": frame["id"], "results": results,
                           "latency": latency})


def code_of(e):
    return e.result_code if isinstance(e, SSFException) else RESULT_APPLICATION_ERROR


def main():
    sock = socket.socket(fileno=int(os.environ["SSF_WORKER_FD"]))
    channel = Channel(sock)
    root = logging.getLogger()
    root.handlers[:] = [ForwardingHandler(channel)]
    root.setLevel(logging.DEBUG)

    init = channel.receive()
    for path in init.get("syspaths", []):
        if path not in sys.path:
            sys.path.insert(0, path)
    replica = Replica(channel, init)
    os.chdir(replica.ssf_config.application.file_dir)
    mode = init["mode"]
    code = RESULT_OK
    try:
        replica.app = application_instance(replica.ssf_config)
        if mode == "build":
            code = replica.app.build()
            code = RESULT_OK if code is None else int(code)
            replica.app.shutdown()
            channel.send({"op": "done", "code": code})
            return code
        code = replica.app.startup()
        if code not in (None, RESULT_OK):
            raise Failure(RESULT_APPLICATION_ERROR, f"Application startup returned {code}")
        channel.send({"op": "started"})
        replica.serve()
        code = replica.app.shutdown() or RESULT_OK
        return RESULT_OK
    except Failure as f:
        code = f.code
        message = str(f)
    except Exception as e:
        code = code_of(e)
        message = str(e.args[1]) if isinstance(e, SSFException) and len(e.args) > 1 else str(e)
        level = logging.WARNING if code == 255 else logging.ERROR
        logger.log(level, message, exc_info=e.__cause__ is not None or not isinstance(e, SSFException))
    if replica.app is not None and mode == "run":
        try:
            replica.app.shutdown()
        except Exception:
            logger.exception("Application shutdown failed")
    try:
        channel.send({"op": "failed", "code": code, "message": message})
    except OSError:
        pass
    return code


if __name__ == "__main__":
    sys.exit(main())

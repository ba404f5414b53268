"""A replica: hosts one application instance for gc-ssf's server (python3 -m ssf._worker).

The server starts this with one end of a socket pair as file descriptor $SSF_WORKER_FD and sends
an "init" frame: the mode (build or run), the config, the options (lib/apphost/frames.h lists
every message). Then:
  build: instantiate the application, build(), shutdown(); the exit status is build()'s result.
  run:   instantiate, startup(), say "started", then serve "request" and "watchdog" frames in
         order until "stop" or the socket closes, then shutdown(). Frames may arrive while one is
         being served (the server pipelines them); they queue here and are served one at a time.
An application failure ends the process with upstream's code (32 application, 35 module,
255 unmet requirement) after a "failed" frame that says why, so that the server can restart the
replica. Instantiation follows upstream's application.py rules exactly, messages included.
"""
import copy
import inspect
import logging
import os
import queue
import signal
import socket
import sys
import threading
import time
import traceback
import types
from argparse import Namespace

from ssf._protocol import Channel, Closed
from ssf.application_interface.config import SSFConfig
from ssf.application_interface.results import (RESULT_APPLICATION_ERROR, RESULT_OK,
                                               SSFException, SSFExceptionApplicationError,
                                               SSFExceptionApplicationModuleError,
                                               SSFExceptionUnmetRequirement, SSFRequestRejected)
from ssf.application_interface.utils import load_module

logger = logging.getLogger("ssf")

APP_INTERFACE = "SSFApplicationInterface"
APP_FACTORY = "create_ssf_application_instance"
INTERFACE_METHODS = ("build", "startup", "request", "shutdown", "watchdog")
# Once we are done, how long threads the application left running may hold the process.
EXIT_GRACE = 10


class ForwardingHandler(logging.Handler):
    """Sends every log record to the server, which writes it to ssf.log and the terminal with
    this process's pid. Installed on the root logger, so any logger of the application counts."""

    def __init__(self, channel, level):
        super().__init__(level)
        self.channel = channel

    def redact(self, message):
        """The message as it may leave this process (ssf._user_check blanks passwords out)."""
        return message

    def emit(self, record):
        try:
            message = record.getMessage()
            if record.exc_info:
                # The whole chain: "Can't instantiate abstract class ..." is a cause, not the
                # exception that ended the worker.
                message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
            if record.stack_info:
                message += "\n" + record.stack_info
            message = self.redact(message)
            self.channel.send({"op": "log", "level": record.levelno, "msg": message,
                               "file": record.filename, "line": record.lineno})
        except Exception:  # the server is gone: nothing left to tell
            pass


def describe(e):
    """One line for an exception: an SSFException's own words without its banner and footer,
    plus the application's exception it wraps, if any."""
    if isinstance(e, SSFException) and len(e.args) > 2:
        text = " ".join(str(a) for a in e.args[1:-1])
    else:
        text = f"{type(e).__name__}: {e}"
    cause = e.__cause__
    if cause is not None:
        text += f" ({type(cause).__name__}: {cause})"
    return text


def make_ssf_config(init):
    application = Namespace(**init["application"])
    application.interface = None
    ssf_config = SSFConfig(config_dict=init.get("config") or {},
                           args=Namespace(**(init.get("args") or {})),
                           unknown_args=init.get("unknown_args") or [],
                           application=application)
    ssf_config.config_file = init.get("config_file")
    ssf_config.api = init.get("api", "fastapi")
    return ssf_config


def instantiate_application(ssf_config, app_cls, factory_fn, debug_name):
    """Upstream's instantiate_application: the factory if the module defines one, else its one
    class deriving from `app_cls`; None when there is neither."""
    app = ssf_config.application
    logger.info(f"Creating application {debug_name}")
    logger.info(f"Loading {app.id} application {debug_name} from {app.file} with module id {app.id}")
    module = load_module(app.file, app.id)
    logger.info(module)
    error_message = (f"Could not create {app.id} application {debug_name} from {app.file} "
                     f"with module id {app.id}")

    factory = next((obj for _, obj in inspect.getmembers(module)
                    if inspect.isfunction(obj) and obj.__name__ == factory_fn), None)
    if factory:
        logger.debug(f"Application instantiated by user-defined function`{factory_fn}`.")
        try:
            os.chdir(app.file_dir)
            argspec = inspect.getfullargspec(factory)
            logger.debug(f"Application factory argspec {argspec}")
            if len(argspec.args) == 1 and argspec.args[0] == "ssf_config":
                return factory(ssf_config=copy.deepcopy(ssf_config))
            return factory()
        except SSFExceptionUnmetRequirement:
            raise
        except Exception as e:
            raise SSFExceptionApplicationModuleError(f"{error_message}  using {factory_fn}.") from e

    logger.debug(f"Function `{factory_fn}` was not defined. Using default builder.")
    found = []
    for name, obj in inspect.getmembers(module):
        # By name, as upstream: an app may derive through its own base classes.
        if inspect.isclass(obj) and app_cls in [c.__name__ for c in inspect.getmro(obj) if c != obj]:
            logger.info(f"Found {obj}, {name}")
            found.append(obj)
    if len(found) > 1:
        raise SSFExceptionApplicationModuleError(
            f"{error_message}. Only one application {debug_name} should be defined. "
            f"Found {len(found)}. To make it unambiguous, please define the function "
            f"`{factory_fn}` in your application file.")
    if not found:
        logger.debug(f"No application {app_cls} class was found.")
        return None
    cls = found[0]
    try:
        os.chdir(app.file_dir)
        signature = inspect.signature(cls.__init__).parameters
        logger.debug(f"Application interface signature {signature}")
        if len(signature) == 2 and "self" in signature and "ssf_config" in signature:
            return cls(ssf_config=copy.deepcopy(ssf_config))
        return cls()
    except SSFExceptionUnmetRequirement:
        raise
    except Exception as e:
        raise SSFExceptionApplicationModuleError(
            f"{error_message}. If {cls} needs a non-trivial initialisation you can define "
            f"`{factory_fn}` in your application file.") from e


def check_interface(instance, name, log=True):
    if callable(getattr(instance, name, None)):
        return True
    if log:
        logger.error(f"Interface '{name}' missing or not callable")
    return False


def watchdog_from_is_healthy(self):
    return RESULT_OK if self.is_healthy() else RESULT_APPLICATION_ERROR


def get_application(ssf_config):
    """Upstream's get_application: the instance, with every interface method checked."""
    instance = instantiate_application(ssf_config, APP_INTERFACE, APP_FACTORY, "main interface")
    if instance is None:
        raise SSFExceptionApplicationModuleError(
            "Failure creating application instance. Make sure that you implemented "
            "`SSFApplicationInterface` in your application file")
    if check_interface(instance, "is_healthy", log=False):
        logger.warning("Application interface 'is_healthy' has been renamed to 'watchdog'")
        logger.warning("Using application interface 'is_healthy' as 'watchdog'")
        instance.watchdog = types.MethodType(watchdog_from_is_healthy, instance)
    missing = [m for m in INTERFACE_METHODS if not check_interface(instance, m)]
    if missing:
        raise SSFExceptionApplicationModuleError("Application module has missing interfaces")
    return instance


class Replica:
    def __init__(self, channel, init):
        self.channel = channel
        self.index = init.get("replica", 0)
        self.ssf_config = make_ssf_config(init)
        self.file_dir = self.ssf_config.application.file_dir
        self.max_batch_size = int(getattr(self.ssf_config.application, "max_batch_size", 1) or 1)
        self.app = None

    def call(self, name, *args):
        # Every entry point runs in the module's directory (upstream's temporary_cwd), even when
        # an earlier call changed it.
        os.chdir(self.file_dir)
        return getattr(self.app, name)(*args)

    def serve(self):
        """Reads frames on a thread of their own, so that pipelined frames wait here, not in
        the socket, and serves them in order on this thread (applications are not thread-safe)."""
        frames = queue.SimpleQueue()

        def read():
            try:
                while True:
                    frames.put(self.channel.receive())
            except Exception:  # closed, or a frame we cannot read: stop either way
                frames.put(None)

        threading.Thread(target=read, name="ssf-worker-reader", daemon=True).start()
        logger.debug(f"[{self.index}] Dispatcher queue processing begin")
        while True:
            frame = frames.get()
            op = frame.get("op") if frame is not None else "stop"
            if op == "stop":
                break
            if op == "request":
                self.request(frame)
            elif op == "watchdog":
                self.watchdog(frame)
        logger.debug(f"[{self.index}] Dispatcher queue processing end")

    def watchdog(self, frame):
        logger.info(f"[{self.index}] Dispatcher polling application replica watchdog")
        try:
            code = self.call("watchdog")
        except Exception:
            self.channel.send({"op": "watchdog", "id": frame["id"], "code": RESULT_APPLICATION_ERROR})
            raise
        wire = code if isinstance(code, int) else RESULT_APPLICATION_ERROR
        self.channel.send({"op": "watchdog", "id": frame["id"], "code": int(wire)})
        if code != RESULT_OK:
            raise SSFExceptionApplicationError(f"[{self.index}] Application `watchdog` call failed.")

    def request(self, frame):
        params, meta = frame["params"], frame["meta"]
        for m in meta:
            m["replica"] = self.index
        if logger.isEnabledFor(logging.DEBUG):
            # Held, not sent: it goes out with the result (see Channel.hold).
            self.channel.hold({"op": "log", "level": logging.DEBUG, "file": "_worker.py",
                               "line": sys._getframe().f_lineno,
                               "msg": f"[{self.index}] Dispatcher issuing request with params={params} meta={meta}"})
        rejected = {}  # index in the frame -> the reason the app gave the client
        try:
            start = time.perf_counter()
            if self.max_batch_size > 1:
                try:
                    results = self.batch_results(self.call("request", params, meta), len(params))
                except SSFRequestRejected as e:
                    results = [{}] * len(params)
                    rejected = {str(i): str(e) for i in range(len(params))}
            else:
                # One request at a time, as the application expects, even if sent several.
                results = []
                for i, (p, m) in enumerate(zip(params, meta)):
                    try:
                        results.append(self.single_result(self.call("request", p, m)))
                    except SSFRequestRejected as e:
                        results.append({})
                        rejected[str(i)] = str(e)
            latency = time.perf_counter() - start
        except Exception as e:
            self.channel.send({"op": "error", "id": frame["id"], "message": describe(e)})
            raise
        reply = {"op": "result", "id": frame["id"], "results": results, "latency": latency}
        if rejected:
            reply["rejected"] = rejected
        self.channel.send(reply)

    def single_result(self, result):
        if not isinstance(result, dict):
            raise SSFExceptionApplicationError(
                f"[{self.index}] Expected result as dict for unbatched request")
        return result

    def batch_results(self, results, count):
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise SSFExceptionApplicationError(
                f"[{self.index}] Expected result as list of dict for batched request "
                f"(size {self.max_batch_size})")
        if len(results) != count:
            # Upstream pads with {} (and drops extras): those requests then fail on their own.
            logger.warning(f"[{self.index}] Expected {count} results for a batch of {count} "
                           f"requests, got {len(results)}")
            results = (results + [{}] * count)[:count]
        return results


def log_failure(e):
    """Logs why the worker ends: expected conditions (an unmet requirement: WARNING) in a line,
    anything else with its traceback and causes."""
    level = getattr(e, "log_with_level", None) if isinstance(e, SSFException) else None
    logger.log(level or logging.ERROR, describe(e), exc_info=None if level else e)


def isolate_sys_path(init):
    """-m put the working directory first on sys.path; take it out so that imports resolve as
    upstream's worker did, then add the config's paths (frames.h: each at the front, in order)."""
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path.pop(0)
    for path in init.get("syspaths", []):
        if path not in sys.path:
            sys.path.insert(0, path)


def main():
    # The server drains and stops its workers itself; a terminal's Ctrl-C is not for us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fd = int(os.environ["SSF_WORKER_FD"])
    os.set_inheritable(fd, False)  # the application's own children must not hold our socket
    channel = Channel(socket.socket(fileno=fd))
    try:
        init = channel.receive()
    except (Closed, OSError):
        return RESULT_OK  # the server went away before saying anything

    level = int(init.get("log_level", logging.DEBUG))
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(ForwardingHandler(channel, level))
    root.setLevel(level)

    isolate_sys_path(init)
    replica = Replica(channel, init)
    index = replica.index
    app_id = replica.ssf_config.application.id
    build = init.get("mode") == "build"
    os.chdir(replica.file_dir)
    if build:
        logger.info(f">  Builder process started for {app_id} [{os.getpid()}]")
    else:
        logger.info(f"> [{index}] Worker started for {app_id}, [{os.getppid()}->{os.getpid()}]")

    try:
        logger.info(f"> [{index}] Getting user application instance")
        replica.app = get_application(replica.ssf_config)
        logger.info(f"instance={replica.app}")
        logger.info(f"> [{index}] Running app from {replica.file_dir}")
        if build:
            logger.info("> Build application")
            code = replica.call("build")
            replica.call("shutdown")
            # As sys.exit(build()): None is success, a non-int a failure.
            code = RESULT_OK if code is None else int(code) if isinstance(code, int) else 1
            channel.send({"op": "done", "code": code & 0xFF})
            return code
        logger.info(f"> [{index}] Startup user application instance")
        code = replica.call("startup")
        if code != RESULT_OK:
            raise SSFExceptionApplicationError(code, f"[{index}] Application `startup` call failed.")
        channel.send({"op": "started"})
        replica.serve()
        code, reason = RESULT_OK, None
    except Exception as e:
        log_failure(e)
        code = e.result_code if isinstance(e, SSFException) else RESULT_APPLICATION_ERROR
        reason = describe(e)

    if not build and replica.app is not None:
        logger.info(f"> [{index}] Shutdown user application instance")
        try:
            replica.call("shutdown")
        except Exception as e:  # upstream logs it; the exit code stays the first failure's
            logger.exception(e)
    if reason is not None:
        try:
            channel.send({"op": "failed", "code": code, "message": reason})
        except OSError:
            pass
    return code


if __name__ == "__main__":
    exit_code = main()
    # Threads the application left running must not keep a finished worker alive.
    killer = threading.Timer(EXIT_GRACE, os._exit, (exit_code & 0xFF,))
    killer.daemon = True
    killer.start()
    sys.exit(exit_code)

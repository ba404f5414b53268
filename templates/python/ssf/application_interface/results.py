"""Result codes and exceptions, with upstream SSF's names and numbers (they are exit statuses)."""
from logging import ERROR, WARNING

RESULT_OK = 0
RESULT_ARGUMENT_ERROR = 1
RESULT_FAIL = 2
RESULT_INTERNAL_ERROR = 3
RESULT_FRAMEWORK_RESOURCE_ERROR = 4
RESULT_SSH_ERROR = 5
RESULT_DOCKER_BUILD_ERROR = 6
RESULT_DOCKER_SERVER_ERROR = 7
RESULT_DOCKER_STATUS_ERROR = 8
RESULT_NETWORK_ERROR = 9
RESULT_INSTALLATION_ERROR = 10
RESULT_DEPLOYMENT_ERROR = 11
RESULT_NOT_IMPLEMENTED_ERROR = 12
RESULT_GIT_REPO_ERROR = 13
RESULT_APPLICATION_ERROR = 32
RESULT_APPLICATION_TEST_ERROR = 33
RESULT_APPLICATION_CONFIG_ERROR = 34
RESULT_APPLICATION_MODULE_ERROR = 35
RESULT_PACKAGING_ERROR = 36
RESULT_UVICORN_ERROR = 128
RESULT_GRPC_SERVER_ERROR = 152
RESULT_GRPC_SSF_ERROR = 153
RESULT_GRPC_REQUEST_ERROR = 154
RESULT_GRPC_APP_CONFIG_ERROR = 155
RESULT_PAPERSPACE_DEPLOYMENT_ERROR = 176
RESULT_GCORE_DEPLOYMENT_ERROR = 177
RESULT_UNMET_REQUIREMENT = 255
RESULT_SKIPPED = RESULT_UNMET_REQUIREMENT

result_strings = {
    value: name
    for name, value in dict(globals()).items()
    if name.startswith("RESULT_") and name != "RESULT_SKIPPED"
}


def result_to_string(result_code):
    return result_strings.get(result_code, f"RESULT_{result_code}")


class SSFException(Exception):
    """An error that carries the result code it ends the process with."""

    result_code = RESULT_INTERNAL_ERROR
    log_with_level = None  # None: logged with its traceback

    def __init__(self, *args):
        super().__init__(
            f"SSF Exception {result_to_string(self.result_code)} ({self.result_code})",
            *args,
            "ssf.log may contain additional debug information.",
        )


def _exception(name, code, level=None):
    cls = type(name, (SSFException,), {"result_code": code, "log_with_level": level})
    globals()[name] = cls
    return cls


_exception("SSFExceptionInternalError", RESULT_INTERNAL_ERROR)
_exception("SSFExceptionSshError", RESULT_SSH_ERROR)
_exception("SSFExceptionDockerBuildError", RESULT_DOCKER_BUILD_ERROR)
_exception("SSFExceptionDockerServerError", RESULT_DOCKER_SERVER_ERROR)
_exception("SSFExceptionDockerStatusError", RESULT_DOCKER_STATUS_ERROR)
_exception("SSFExceptionNetworkError", RESULT_NETWORK_ERROR)
_exception("SSFExceptionInstallationError", RESULT_INSTALLATION_ERROR)
_exception("SSFExceptionDeploymentError", RESULT_DEPLOYMENT_ERROR)
_exception("SSFExceptionNotImplementedError", RESULT_NOT_IMPLEMENTED_ERROR)
_exception("SSFExceptionGitRepoError", RESULT_GIT_REPO_ERROR)
_exception("SSFExceptionApplicationError", RESULT_APPLICATION_ERROR)
_exception("SSFExceptionApplicationConfigError", RESULT_APPLICATION_CONFIG_ERROR)
_exception("SSFExceptionApplicationModuleError", RESULT_APPLICATION_MODULE_ERROR)
_exception("SSFExceptionPackagingError", RESULT_PACKAGING_ERROR)
_exception("SSFExceptionUvicornError", RESULT_UVICORN_ERROR)
_exception("SSFExceptionGRPCServerError", RESULT_GRPC_SERVER_ERROR)
_exception("SSFExceptionGRPCSSFError", RESULT_GRPC_SSF_ERROR)
_exception("SSFExceptionGRPCRequestError", RESULT_GRPC_REQUEST_ERROR)
_exception("SSFExceptionGRPCAppConfigError", RESULT_GRPC_APP_CONFIG_ERROR)
_exception("SSFExceptionPaperspaceDeploymentError", RESULT_PAPERSPACE_DEPLOYMENT_ERROR)
_exception("SSFExceptionGcoreDeploymentError", RESULT_GCORE_DEPLOYMENT_ERROR)
_exception("SSFExceptionArgumentsError", RESULT_ARGUMENT_ERROR, ERROR)
_exception("SSFExceptionFrameworkResourceError", RESULT_FRAMEWORK_RESOURCE_ERROR, ERROR)
_exception("SSFExceptionApplicationTestError", RESULT_APPLICATION_TEST_ERROR, ERROR)
_exception("SSFExceptionUnmetRequirement", RESULT_UNMET_REQUIREMENT, WARNING)


class SSFRequestRejected(Exception):
    """Raised by `request()` for input it cannot use, with a reason for the client.

    The request is answered 400 {"detail": "<reason>"} and the replica goes on serving. In a
    batched call (max_batch_size > 1) every request of the batch is rejected. Not upstream's:
    under upstream SSF any exception from request() ends the replica, and the client gets 400
    with the fixed body {"detail": "There was an error processing inputs"}.
    """

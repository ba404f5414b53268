#include "core/result_code.h"

namespace ssf {

std::string_view result_name(ResultCode code) {
  switch (code) {
    case ResultCode::Ok: return "RESULT_OK";
    case ResultCode::ArgumentError: return "RESULT_ARGUMENT_ERROR";
    case ResultCode::Fail: return "RESULT_FAIL";
    case ResultCode::InternalError: return "RESULT_INTERNAL_ERROR";
    case ResultCode::FrameworkResourceError: return "RESULT_FRAMEWORK_RESOURCE_ERROR";
    case ResultCode::SshError: return "RESULT_SSH_ERROR";
    case ResultCode::DockerBuildError: return "RESULT_DOCKER_BUILD_ERROR";
    case ResultCode::DockerServerError: return "RESULT_DOCKER_SERVER_ERROR";
    case ResultCode::DockerStatusError: return "RESULT_DOCKER_STATUS_ERROR";
    case ResultCode::NetworkError: return "RESULT_NETWORK_ERROR";
    case ResultCode::InstallationError: return "RESULT_INSTALLATION_ERROR";
    case ResultCode::DeploymentError: return "RESULT_DEPLOYMENT_ERROR";
    case ResultCode::NotImplementedError: return "RESULT_NOT_IMPLEMENTED_ERROR";
    case ResultCode::GitRepoError: return "RESULT_GIT_REPO_ERROR";
    case ResultCode::ApplicationError: return "RESULT_APPLICATION_ERROR";
    case ResultCode::ApplicationTestError: return "RESULT_APPLICATION_TEST_ERROR";
    case ResultCode::ApplicationConfigError: return "RESULT_APPLICATION_CONFIG_ERROR";
    case ResultCode::ApplicationModuleError: return "RESULT_APPLICATION_MODULE_ERROR";
    case ResultCode::PackagingError: return "RESULT_PACKAGING_ERROR";
    case ResultCode::UvicornError: return "RESULT_UVICORN_ERROR";
    case ResultCode::GrpcServerError: return "RESULT_GRPC_SERVER_ERROR";
    case ResultCode::GrpcSsfError: return "RESULT_GRPC_SSF_ERROR";
    case ResultCode::GrpcRequestError: return "RESULT_GRPC_REQUEST_ERROR";
    case ResultCode::GrpcAppConfigError: return "RESULT_GRPC_APP_CONFIG_ERROR";
    case ResultCode::PaperspaceDeploymentError: return "RESULT_PAPERSPACE_DEPLOYMENT_ERROR";
    case ResultCode::GcoreDeploymentError: return "RESULT_GCORE_DEPLOYMENT_ERROR";
    case ResultCode::UnmetRequirement: return "RESULT_UNMET_REQUIREMENT";
  }
  return "RESULT_UNKNOWN";
}

}  // namespace ssf

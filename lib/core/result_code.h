#pragma once
// Result codes: upstream SSF's public numbers (ssf-behaviour.md §4.4). The process exit status of
// gc-ssf is one of these, so the numbers and names are a compatibility contract: never renumber.

#include <string_view>

namespace ssf {

enum class ResultCode : int {
  Ok = 0,
  ArgumentError = 1,
  Fail = 2,
  InternalError = 3,
  FrameworkResourceError = 4,
  SshError = 5,
  DockerBuildError = 6,
  DockerServerError = 7,
  DockerStatusError = 8,
  NetworkError = 9,
  InstallationError = 10,
  DeploymentError = 11,
  NotImplementedError = 12,
  GitRepoError = 13,
  ApplicationError = 32,
  ApplicationTestError = 33,
  ApplicationConfigError = 34,
  ApplicationModuleError = 35,
  PackagingError = 36,
  UvicornError = 128,
  GrpcServerError = 152,
  GrpcSsfError = 153,
  GrpcRequestError = 154,
  GrpcAppConfigError = 155,
  PaperspaceDeploymentError = 176,
  GcoreDeploymentError = 177,
  UnmetRequirement = 255,  // upstream's RESULT_SKIPPED is the same number
};

// Upstream's constant name, e.g. "RESULT_APPLICATION_CONFIG_ERROR"; "RESULT_UNKNOWN" for a number
// that is not in the table (an application may return any int).
std::string_view result_name(ResultCode code);

constexpr int to_int(ResultCode code) { return static_cast<int>(code); }

}  // namespace ssf

// Commands that later steps implement. Until then each one fails clearly with
// RESULT_NOT_IMPLEMENTED_ERROR (12): a CI script must never mistake them for a success.

#include "commands.h"

namespace ssf::cli {
namespace {

Status not_implemented(std::string_view command) {
  return Error(ResultCode::NotImplementedError,
               fmt::format("'{}' is not implemented yet in this version of gc-ssf", command));
}

}  // namespace

Status run_package(Context&) { return not_implemented("package"); }
Status run_test(Context&) { return not_implemented("test"); }
Status run_publish(Context&) { return not_implemented("publish"); }
Status run_deploy(Context&) { return not_implemented("deploy"); }

}  // namespace ssf::cli

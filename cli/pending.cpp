// Commands that later steps implement call not_implemented() until then: a CI script must never
// mistake an unimplemented command for a success.

#include "commands.h"

namespace ssf::cli {

Status not_implemented(std::string_view command) {
  return Error(ResultCode::NotImplementedError,
               fmt::format("'{}' is not implemented yet in this version of gc-ssf", command));
}

}  // namespace ssf::cli

// `package`: not implemented yet (its step replaces this file's body).

#include "commands.h"

namespace ssf::cli {

Status run_package(Context&) { return not_implemented("package"); }

}  // namespace ssf::cli

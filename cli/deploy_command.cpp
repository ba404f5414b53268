// `deploy`: not implemented yet (its step replaces this file's body).

#include "commands.h"

namespace ssf::cli {

Status run_deploy(Context&) { return not_implemented("deploy"); }

}  // namespace ssf::cli

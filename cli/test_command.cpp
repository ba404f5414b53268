// `test`: not implemented yet (its step replaces this file's body).

#include "commands.h"

namespace ssf::cli {

Status run_test(Context&) { return not_implemented("test"); }

}  // namespace ssf::cli

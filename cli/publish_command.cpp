// `publish`: not implemented yet (its step replaces this file's body).

#include "commands.h"

namespace ssf::cli {

Status run_publish(Context&) { return not_implemented("publish"); }

}  // namespace ssf::cli

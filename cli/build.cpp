// build (upstream's ssf/build.py): the app's venv and dependencies, then its build() in a worker.
// The result of build() is the command's result.

#include "apphost/apphost.h"
#include "commands.h"

namespace ssf::cli {

Status run_build(Context& context) {
  const config::Config& config = context.config;
  if (config.self_package) return {};
  SSF_TRY(apphost::ensure_venv(config));
  auto shim = apphost::find_shim_dir();
  if (!shim) return std::move(shim).error();

  apphost::WorkerSpec spec;
  spec.mode = apphost::WorkerSpec::Mode::Build;
  spec.config = &config;
  spec.options = &context.options;
  spec.python = apphost::python_for(config);
  spec.shim_dir = *shim;
  auto code = apphost::run_build(spec);
  if (!code) return std::move(code).error();
  if (*code != 0) {
    return Error(static_cast<ResultCode>(*code),
                 fmt::format("Application {} build failed ({})", config.application.id, *code));
  }
  return {};
}

}  // namespace ssf::cli

#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "apphost/apphost.h"
#include "commands.h"
#include "entry_modes.h"
#include "package_recipe.h"

int main(int argc, char** argv) {
  // A native application's replica: apphost re-executes gc-ssf with this flag.
  if (argc > 1 && std::string_view(argv[1]) == "--ssf-native-worker") {
    return ssf::apphost::native_worker_main();
  }
  // An image's HEALTHCHECK and entry point (entry_modes.h).
  if (argc > 1 && std::string_view(argv[1]) == "--ssf-health-check") {
    return ssf::cli::health_check_main();
  }
  // The build's step after linking: this binary's runtime layer, made once (package_recipe.h).
  if (argc == 3 && std::string_view(argv[1]) == "--ssf-runtime-layer") {
    return ssf::cli::package::prebuild_runtime_layer_main(argv[2]);
  }
  // A peer that closes a pipe or socket must give an error to handle, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  auto args = ssf::cli::apply_options_from_env(std::vector<std::string>(argv + 1, argv + argc));
  if (!args) {
    std::fprintf(stderr, "gc-ssf: %s\n", args.error().message().c_str());
    return static_cast<int>(ssf::ResultCode::ArgumentError);
  }
  return ssf::cli::run_cli(*args);
}

#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "apphost/apphost.h"
#include "commands.h"
#include "entry_modes.h"

int main(int argc, char** argv) {
  // A native application's replica: apphost re-executes gc-ssf with this flag.
  if (argc > 1 && std::string_view(argv[1]) == "--ssf-native-worker") {
    return ssf::apphost::native_worker_main();
  }
  // An image's HEALTHCHECK and entry point (entry_modes.h).
  if (argc > 1 && std::string_view(argv[1]) == "--ssf-health-check") {
    return ssf::cli::health_check_main();
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

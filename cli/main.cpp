#include <csignal>
#include <string>
#include <string_view>
#include <vector>

#include "apphost/apphost.h"
#include "commands.h"

int main(int argc, char** argv) {
  // A native application's replica: apphost re-executes gc-ssf with this flag.
  if (argc > 1 && std::string_view(argv[1]) == "--ssf-native-worker") {
    return ssf::apphost::native_worker_main();
  }
  // A peer that closes a pipe or socket must give an error to handle, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  return ssf::cli::run_cli(args);
}

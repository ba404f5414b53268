#include <csignal>
#include <string>
#include <vector>

#include "commands.h"

int main(int argc, char** argv) {
  // A peer that closes a pipe or socket must give an error to handle, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  return ssf::cli::run_cli(args);
}

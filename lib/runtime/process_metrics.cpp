// prometheus_client's ProcessCollector (0.9.0), which upstream exposes through the default
// registry: the same families, help texts and order, read from /proc/self. A family whose source
// cannot be read is left out, as the Python collector does.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/http.h"
#include "runtime/metrics.h"

namespace ssf::runtime {

namespace {

void gauge(std::string& out, const std::string& name, const std::string& help, double value,
           const char* type = "gauge") {
  out += "# HELP " + name + " " + help + "\n";
  out += "# TYPE " + name + " " + type + "\n";
  out += name + " " + go_float(value) + "\n";
}

double boot_time() {
  std::ifstream stat("/proc/stat");
  std::string line;
  while (std::getline(stat, line)) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return 0;
}

}  // namespace

std::string process_metrics() {
  static const double btime = boot_time();
  static const double ticks = [] {
    long t = sysconf(_SC_CLK_TCK);
    return t > 0 ? static_cast<double>(t) : 100.0;
  }();
  static const double page_size = [] {
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? static_cast<double>(p) : 4096.0;
  }();
  std::string out;
  if (btime == 0) return out;

  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold spaces.
  auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream rest(stat.substr(close + 1));
    std::vector<std::string> parts;
    for (std::string part; rest >> part;) parts.push_back(part);
    if (parts.size() > 21) {
      gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
            std::stod(parts[20]));
      gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
            std::stod(parts[21]) * page_size);
      gauge(out, "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            std::stod(parts[19]) / ticks + btime);
      gauge(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
            (std::stod(parts[11]) + std::stod(parts[12])) / ticks, "counter");
    }
  }

  std::ifstream limits("/proc/self/limits");
  double max_fds = -1;
  for (std::string line; std::getline(limits, line);) {
    if (line.rfind("Max open file", 0) == 0) {
      std::istringstream words(line);
      std::string word;
      for (int i = 0; i < 4 && words >> word; ++i) {
      }
      if (word != "unlimited") max_fds = std::stod(word);
      break;
    }
  }
  std::error_code ec;
  double open_fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    open_fds += 1;
  }
  if (!ec && max_fds >= 0) {
    gauge(out, "process_open_fds", "Number of open file descriptors.", open_fds);
    gauge(out, "process_max_fds", "Maximum number of open file descriptors.", max_fds);
  }
  return out;
}

}  // namespace ssf::runtime

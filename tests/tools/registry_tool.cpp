// ssf-registry-tool: lib/registry's push and pull on the command line, for the integration tests
// and bench/registry (gc-ssf itself only publishes). One JSON line per blob, then one result line.
//
//   ssf-registry-tool push <layout> <name in layout> <reference> [options]
//   ssf-registry-tool pull <reference> <layout> [options]
// options: --parallel N, --chunk-size BYTES, --ca FILE, --insecure HOST, --mount-from REPO,
//          --user NAME (the password in $SSF_DOCKER_PASSWORD), --attempts N, --docker-config DIR

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/core.h"
#include "registry/registry.h"

namespace {

using namespace ssf;

std::string_view outcome(registry::BlobEvent::Outcome o) {
  using O = registry::BlobEvent::Outcome;
  switch (o) {
    case O::Present: return "present";
    case O::Mounted: return "mounted";
    case O::Uploaded: return "uploaded";
    case O::Downloaded: return "downloaded";
    case O::Cached: return "cached";
  }
  return "";
}

int fail(const Error& e) {
  std::fprintf(stderr, "error: %s\n", e.message().c_str());
  return to_int(e.code());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> positional;
  registry::ClientOptions options;
  std::string user;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&]() -> std::string { return i + 1 < args.size() ? args[++i] : std::string(); };
    if (a == "--parallel") options.parallel = std::stoi(next());
    else if (a == "--chunk-size") options.chunk_size = std::stoll(next());
    else if (a == "--ca") options.ca_file = next();
    else if (a == "--insecure") options.insecure_registries.push_back(next());
    else if (a == "--mount-from") options.mount_from.push_back(next());
    else if (a == "--user") user = next();
    else if (a == "--attempts") options.max_attempts = std::stoi(next());
    else if (a == "--docker-config") options.docker_config_dir = next();
    else positional.push_back(a);
  }
  log::Options log_options;
  log_options.file.clear();
  log_options.stdout_level = std::getenv("SSF_REGISTRY_DEBUG") ? log::Level::Debug : log::Level::Warning;
  log::init(log_options);
  if (!user.empty()) {
    const char* password = std::getenv("SSF_DOCKER_PASSWORD");
    options.credentials = registry::Credentials{user, Secret(password ? password : "")};
  }
  options.on_blob = [](const registry::BlobEvent& e) {
    std::printf(
        "{\"blob\":\"%s\",\"size\":%lld,\"outcome\":\"%s\",\"bytes\":%lld,\"seconds\":%.6f,"
        "\"attempts\":%d}\n",
        e.digest.str().c_str(), static_cast<long long>(e.size), std::string(outcome(e.outcome)).c_str(),
        static_cast<long long>(e.bytes_transferred), e.seconds, e.attempts);
    std::fflush(stdout);
  };

  if (positional.size() == 4 && positional[0] == "push") {
    auto layout = image::OciLayout::open(positional[1]);
    if (!layout) return fail(layout.error());
    auto manifest = layout->resolve(positional[2]);
    if (!manifest) return fail(manifest.error());
    auto ref = registry::Reference::parse(positional[3]);
    if (!ref) return fail(ref.error());
    auto result = registry::push(*layout, *manifest, *ref, options);
    if (!result) return fail(result.error());
    std::printf("{\"digest\":\"%s\",\"bytes_sent\":%lld}\n", result->manifest.digest.str().c_str(),
                static_cast<long long>(result->bytes_sent));
    return 0;
  }
  if (positional.size() == 3 && positional[0] == "pull") {
    auto ref = registry::Reference::parse(positional[1]);
    if (!ref) return fail(ref.error());
    auto layout = image::OciLayout::open_or_create(positional[2]);
    if (!layout) return fail(layout.error());
    auto result = registry::pull(*ref, *layout, options);
    if (!result) return fail(result.error());
    std::printf("{\"digest\":\"%s\",\"media_type\":\"%s\"}\n", result->digest.str().c_str(),
                result->media_type.c_str());
    return 0;
  }
  std::fprintf(stderr, "usage: ssf-registry-tool push <layout> <name> <ref> | pull <ref> <layout>\n");
  return 1;
}

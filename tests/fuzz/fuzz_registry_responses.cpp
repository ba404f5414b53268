// libFuzzer target for what a registry (or a config file) hands the registry client: challenges,
// token answers, error bodies, config.json, credential-helper answers and image references. None
// may crash, hang or throw; whatever parses must hold what its contract says.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/challenge.h"
#include "registry/registry.h"
#include "registry/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ssf::registry;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& c : parse_challenges(text)) {
    if (c.scheme.empty()) std::abort();
  }
  if (auto t = parse_token_response(text); t && (t->token.empty() || t->expires_in <= 0)) {
    std::abort();
  }
  (void)parse_error_body(text);
  (void)parse_docker_config(text);
  (void)parse_helper_answer(text);
  if (auto r = Reference::parse(text)) {
    // A parsed reference prints as a reference that parses to the same thing.
    auto again = Reference::parse(r->str());
    if (!again || again->str() != r->str()) std::abort();
  }
  return 0;
}

// The JSON format: the input is the request body.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ssf::config::Endpoint endpoint =
      ssf::fuzz::all_types(ssf::config::ParamFormat::Json);
  std::string_view body(reinterpret_cast<const char*>(data), size);
  ssf::fuzz::check(ssf::types::decode_inputs(endpoint, {"application/json", "", body}, {}));
  // The decoder behind it, as used for application results.
  auto value = ssf::types::parse_json(body);
  if (value && !ssf::types::parse_json(value->to_json())) std::abort();
  return 0;
}

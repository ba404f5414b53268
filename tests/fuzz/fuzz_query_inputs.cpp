// The query format without uploads: the input is the query string.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ssf::config::Endpoint endpoint =
      ssf::fuzz::all_types(ssf::config::ParamFormat::Query);
  std::string_view query(reinterpret_cast<const char*>(data), size);
  ssf::fuzz::check(ssf::types::decode_inputs(endpoint, {"", query, ""}, {}));
  return 0;
}

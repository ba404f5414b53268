// The query format with uploads: the input is a multipart/form-data body. Its first byte picks
// the Content-Type, so that the header's parameters are fuzzed too: one of a few fixed ones, or
// (for '#') the text up to the first newline.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/core.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ssf::config::DataType;
  static const ssf::config::Endpoint endpoint = [] {
    ssf::config::Endpoint e;
    e.id = "fuzz";
    e.param_format = ssf::config::ParamFormat::Query;
    e.inputs = {ssf::fuzz::param("x", DataType::Integer),
                ssf::fuzz::param("file", DataType::TempFile),
                ssf::fuzz::param("file2", DataType::TempFile)};
    return e;
  }();
  static auto dir = ssf::TempDir::create("gc-ssf-fuzz-");
  if (!dir) std::abort();

  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view content_type = "multipart/form-data; boundary=XyZ";
  if (!input.empty()) {
    char selector = input[0];
    input.remove_prefix(1);
    if (selector == '#') {
      size_t newline = input.find('\n');
      content_type = input.substr(0, newline);
      input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    } else if (selector == '"') {
      content_type = "multipart/form-data; boundary=\"XyZ\"; charset=latin-1";
    } else if (selector == 'u') {
      content_type = "application/x-www-form-urlencoded";
    }
  }
  ssf::types::DecodeOptions options{dir->path(), "fuzz_"};
  ssf::fuzz::check(ssf::types::decode_inputs(endpoint, {content_type, "x=1", input}, options));
  return 0;
}

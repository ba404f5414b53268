#include "types/internal.h"

namespace ssf::types {

Result<DecodeResult> decode_inputs(const config::Endpoint& endpoint, const HttpInput& request,
                                   const DecodeOptions& options) {
  // Without parameters FastAPI reads neither the query nor the body. (Upstream could not
  // generate such an endpoint at all; gc-ssf serves it with empty params.)
  if (endpoint.inputs.empty()) {
    DecodeResult result;
    result.inputs = DecodedInputs{"{}", {}};
    return result;
  }
  bool query = endpoint.param_format == config::ParamFormat::Query;
  for (const auto& input : endpoint.inputs) query |= input.type == config::DataType::TempFile;
  return query ? internal::decode_query_inputs(endpoint, request, options)
               : internal::decode_json_inputs(endpoint, request);
}

}  // namespace ssf::types

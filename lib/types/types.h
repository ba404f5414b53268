#pragma once
// types: SSF data types on the wire (ssf-behaviour.md §3). The only header of this module that
// others include.
//
// Requests: an endpoint's inputs arrive as a JSON body (http_param_format json) or as query
// parameters plus a multipart/form-data body (query, or any TempFile input). Decoding validates
// and coerces each input as FastAPI 0.99 / pydantic v1 did for upstream, and yields the params
// object handed to the application, as compact JSON text, so that the dispatcher can splice it
// into a worker frame without re-encoding it. TempFile uploads are streamed to temporary files
// whose paths are the input values; the caller owns (and removes) them.
//
// Responses: the application's result (a JSON object of outputs, plus raw bytes for a
// PngImageBytes output) is cast to the declared output types and encoded as upstream does:
// `{"<id>": value, ...}` in config order, or the PNG bytes as the body with every other output
// as a response header.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/core.h"

namespace ssf::types {

// A request as the runtime received it; views into the connection's buffers.
struct HttpInput {
  std::string_view content_type;  // the Content-Type header, as sent
  std::string_view query;         // the query string without '?', percent-encoded
  std::string_view body;
};

// Inputs that did not validate: answered with `status` and FastAPI's body, e.g. 422
// {"detail":[{"loc":["body","x"],"msg":"field required","type":"value_error.missing"}]}.
// Bodies upstream could not even parse get its 400s instead: {"detail":"There was an error
// parsing the body"} (a body that is not UTF-8, JSON nested too deep, a malformed multipart
// body), {"detail":"Missing boundary in multipart."} and the like.
struct InvalidInput {
  int status = 422;
  std::string body;  // the whole JSON response body
};

struct DecodedInputs {
  std::string params_json;                        // {"x":1,"file":"/tmp/app_abc.wav"}
  std::vector<std::filesystem::path> temp_files;  // the caller removes them after the request
};

struct DecodeOptions {
  std::filesystem::path temp_dir;  // where TempFile uploads go; default: $TMPDIR or /tmp
  std::string temp_prefix;         // "<application id>_", as upstream's NamedTemporaryFile
};

// Decodes the inputs of `endpoint` from a request. Never throws; a malformed body, a missing or
// mistyped field, a bad multipart body all give InvalidInput (422, or upstream's 400 where it
// gave one). An endpoint without inputs reads neither query nor body: params "{}". An I/O
// failure writing a temporary file gives an Error (InternalError), and leaves no file behind.
struct DecodeResult {
  std::optional<DecodedInputs> inputs;  // set on success
  std::optional<InvalidInput> invalid;  // set when the client sent bad input
};
Result<DecodeResult> decode_inputs(const config::Endpoint& endpoint, const HttpInput& request,
                                   const DecodeOptions& options);

// What the application returned for one request.
struct AppResult {
  config::Value outputs;                      // a map: output id → value
  std::map<std::string, std::string> bytes;   // output id → raw bytes (PngImageBytes)
  // Set when the application rejected this request's input (Python: SSFRequestRejected), with
  // the reason it gave for the client: answered 400 {"detail": <reason>}, outputs unused.
  std::optional<std::string> rejected = std::nullopt;
};

struct EncodedResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, in order
};

// Casts and encodes the outputs of `endpoint`. A missing output, or a value that cannot be cast
// to its declared type, is an Error (ApplicationError): the runtime answers it with upstream's
// 400 {"detail":"There was an error processing inputs"} and logs the message.
Result<EncodedResponse> encode_outputs(const config::Endpoint& endpoint, const AppResult& result);

// The OpenAPI 3.1 document served at /openapi.json: every endpoint with its inputs (a JSON body,
// or query parameters plus a multipart body for TempFile inputs) and outputs (a JSON object, or
// a PNG body with the other outputs as headers), their types (JSON Schema, plus "x-ssf-type"
// naming the SSF type), examples and descriptions; the built-in routes; the security schemes in
// force. Titled as upstream: application.name, plus " (unsecure)" when neither an API key nor
// session authentication is on.
struct OpenApiOptions {
  bool api_key = false;                 // --key
  bool session_authentication = false;  // --enable-session-authentication
};
std::string openapi_document(const config::Config& config, const OpenApiOptions& options);

// Parses a JSON text into a Value (used for application results). Errors: InternalError.
Result<config::Value> parse_json(std::string_view text);

}  // namespace ssf::types

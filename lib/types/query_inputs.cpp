// The query format (ssf-behaviour.md §3): each basic or list input is a required query parameter
// (`x: int = Query(...)`, lists as repeated keys), each TempFile a required file field of a
// multipart/form-data body (`x: UploadFile = File(...)`). As FastAPI 0.99 does it:
//   - the form is read first, so a malformed body is a 400 before any field is looked at;
//   - query parameters are validated in declared order, then the file fields: every error is
//     reported, query ones first;
//   - a parameter given twice takes its last value; a list takes them all, in order;
//   - only then, with everything valid, the uploads are written (the generated endpoint's
//     preprocessing), each to a new temporary file named with the upload's extension.

#include <cstdlib>

#include "types/internal.h"
#include "types/multipart.h"

namespace ssf::types::internal {

namespace {

using config::DataType;
using config::Value;

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

// unquote(text.replace('+', ' ')) of a latin-1 decoded text: runs of ASCII are %-decoded to bytes
// and read as UTF-8 with replacement; other characters (raw bytes from the request line) stay the
// latin-1 characters they were decoded as.
std::string unquote_plus(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) {
    if (static_cast<unsigned char>(raw[i]) >= 0x80) {
      append_utf8(static_cast<unsigned char>(raw[i++]), out);
      continue;
    }
    size_t end = i;
    while (end < raw.size() && static_cast<unsigned char>(raw[end]) < 0x80) ++end;
    std::string bytes;
    for (size_t k = i; k < end;) {
      if (raw[k] == '+') {
        bytes += ' ';
        ++k;
      } else if (raw[k] == '%' && k + 2 < end && is_hex(raw[k + 1]) && is_hex(raw[k + 2])) {
        bytes += static_cast<char>(hex(raw[k + 1]) * 16 + hex(raw[k + 2]));
        k += 3;
      } else {
        bytes += raw[k++];
      }
    }
    out += utf8_replace(bytes);
    i = end;
  }
  return out;
}

std::filesystem::path temp_dir(const DecodeOptions& options) {
  if (!options.temp_dir.empty()) return options.temp_dir;
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

void remove_all(const std::vector<std::filesystem::path>& files) {
  for (const auto& file : files) {
    std::error_code ec;
    std::filesystem::remove(file, ec);
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view field = query.substr(start, end - start);
    start = end + 1;
    if (field.empty()) continue;
    size_t eq = field.find('=');
    std::string_view name = field.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : field.substr(eq + 1);
    out.emplace_back(unquote_plus(name), unquote_plus(value));
  }
  return out;
}

std::string_view file_extension(std::string_view name) {
  size_t sep = name.rfind('/');
  size_t dot = name.rfind('.');
  size_t file_start = sep == std::string_view::npos ? 0 : sep + 1;
  if (dot == std::string_view::npos || (sep != std::string_view::npos && dot < sep)) return {};
  // Leading dots do not start an extension: ".bashrc" and "..x" have none.
  for (size_t i = file_start; i < dot; ++i) {
    if (name[i] != '.') return name.substr(dot);
  }
  return {};
}

Result<DecodeResult> decode_query_inputs(const config::Endpoint& endpoint, const HttpInput& request,
                                         const DecodeOptions& options) {
  bool has_files = false;
  for (const auto& input : endpoint.inputs) has_files |= input.type == DataType::TempFile;
  Form form;
  if (has_files) {
    form = parse_form(request.content_type, request.body);
    if (form.error) {
      log::debug("{}: {}", endpoint.route(), form.reason);
      return invalid(std::move(*form.error));
    }
  }

  auto query = parse_query(request.query);
  Issues issues;
  std::vector<std::optional<Value>> values(endpoint.inputs.size());
  for (size_t i = 0; i < endpoint.inputs.size(); ++i) {
    const config::Param& input = endpoint.inputs[i];
    if (input.type == DataType::TempFile) continue;
    Value::List given;
    for (const auto& [name, value] : query) {
      if (name == input.id) given.push_back(Value::string(value));
    }
    Value at = loc("query", input.id);
    if (given.empty()) {
      issues.push_back(missing(std::move(at)));
    } else if (config::is_list(input.type)) {
      values[i] = coerce(input.type, Value::list(std::move(given)), at, issues);
    } else {
      values[i] = coerce(input.type, given.back(), at, issues);
    }
  }
  std::vector<const FormItem*> uploads(endpoint.inputs.size());
  for (size_t i = 0; i < endpoint.inputs.size(); ++i) {
    const config::Param& input = endpoint.inputs[i];
    if (input.type != DataType::TempFile) continue;
    Value at = loc("body", input.id);
    const FormItem* item = form.find(input.id);
    if (!item || (!item->is_file && item->text.empty())) {
      issues.push_back(missing(std::move(at)));
    } else if (!item->is_file) {
      // FastAPI's UploadFile validator, given a plain form field.
      issues.push_back(
          Issue{std::move(at), "Expected UploadFile, received: <class 'str'>", "value_error", {}});
    } else {
      uploads[i] = item;
    }
  }
  if (!issues.empty()) return invalid(unprocessable(issues));

  DecodedInputs decoded;
  std::filesystem::path dir = temp_dir(options);
  for (size_t i = 0; i < endpoint.inputs.size(); ++i) {
    if (!uploads[i]) continue;
    auto written = write_upload(dir, options.temp_prefix, file_extension(uploads[i]->filename),
                                uploads[i]->data);
    if (!written || !*written) {
      remove_all(decoded.temp_files);
      if (!written) return std::move(written).error();
      log::debug("{}: cannot name a temporary file after upload '{}'", endpoint.route(),
                 uploads[i]->filename);
      return invalid(http_error(400, kProcessingError));
    }
    decoded.temp_files.push_back(**written);
    values[i] = Value::string((*written)->string());
  }
  Value::Map params;
  for (size_t i = 0; i < endpoint.inputs.size(); ++i) {
    params.emplace_back(endpoint.inputs[i].id, std::move(*values[i]));
  }
  decoded.params_json = Value::map(std::move(params)).to_json();
  DecodeResult result;
  result.inputs = std::move(decoded);
  return result;
}

}  // namespace ssf::types::internal

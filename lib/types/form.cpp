// request.form() of Starlette 0.27: which parser a Content-Type gets, and FormData.get().

#include "types/internal.h"
#include "types/multipart.h"

namespace ssf::types::internal {

namespace {

// Python's codec lookup for the names that mean UTF-8; any other charset decodes as latin-1
// here (upstream fell back to latin-1 only when decoding failed; no client sends another).
bool is_utf8_charset(std::string_view charset) {
  std::string c;
  for (char ch : charset) c += ch == '_' ? '-' : static_cast<char>(ch | 0x20);
  return c == "utf-8" || c == "utf8" || c == "u8" || c == "utf";
}

}  // namespace

const FormItem* Form::find(std::string_view name) const {
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    if (it->name == name) return &*it;
  }
  return nullptr;
}

Form parse_form(std::string_view content_type, std::string_view body) {
  OptionsHeader type = parse_options_header(content_type);
  if (type.value == "multipart/form-data") {
    const std::string* boundary = type.find("boundary");
    if (!boundary) {
      Form form;
      form.error = http_error(400, "Missing boundary in multipart.");
      form.reason = "multipart/form-data without a boundary";
      return form;
    }
    const std::string* charset = type.find("charset");
    return read_multipart(body, *boundary, !charset || is_utf8_charset(*charset));
  }
  Form form;
  if (type.value == "application/x-www-form-urlencoded") {
    for (auto& [name, value] : parse_query(body)) {
      FormItem item;
      item.name = std::move(name);
      item.text = std::move(value);
      form.items.push_back(std::move(item));
    }
  }
  return form;
}

}  // namespace ssf::types::internal

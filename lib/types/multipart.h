#pragma once
// The form body of a query-format endpoint, read as Starlette 0.27's request.form() read it with
// python-multipart 0.0.6 (RFC 7578 multipart/form-data, or a urlencoded form). Private to the
// types module.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "types/types.h"

namespace ssf::types::internal {

// python-multipart's parse_options_header(): `Content-Type: multipart/form-data; boundary=x`.
struct OptionsHeader {
  // Before the first ';'; lowercased and stripped only when there is no ';' (so
  // "Multipart/Form-Data; boundary=x" is not multipart to Starlette).
  std::string value;
  // Lowercased names, unquoted values, in order; the last of a name is the one that counts.
  std::vector<std::pair<std::string, std::string>> params;

  const std::string* find(std::string_view name) const;
};
OptionsHeader parse_options_header(std::string_view header);

struct FormItem {
  std::string name;
  bool is_file = false;  // the part had a filename parameter (possibly empty)
  std::string filename;  // files: as sent, decoded
  // files: the content; a view into the body, or (for the garbage python-multipart mixes into
  // some malformed parts) into the form's storage.
  std::string_view data;
  std::string text;  // fields: the value, decoded
};

struct Form {
  std::vector<FormItem> items;  // in body order
  // Set when upstream answered 400 instead (a malformed multipart body, no boundary, ...).
  std::optional<InvalidInput> error;
  std::string reason;                                 // why, for the log
  std::vector<std::unique_ptr<std::string>> storage;  // for data that is not a view of the body

  // FormData.get(name): the last item of that name.
  const FormItem* find(std::string_view name) const;
};

// A multipart/form-data body, as python-multipart's MultipartParser and Starlette's callbacks
// read it (multipart.cpp). `utf8`: names, filenames and field values are UTF-8 when they can be
// (the request's charset is UTF-8), else latin-1.
Form read_multipart(std::string_view body, std::string_view boundary, bool utf8);

// Reads the body as Starlette did for a form parameter: multipart/form-data, an urlencoded form,
// or, for any other Content-Type, an empty form. A part whose closing delimiter never comes (a
// truncated body) is left out, without error, as python-multipart leaves it out.
Form parse_form(std::string_view content_type, std::string_view body);

}  // namespace ssf::types::internal

// Starlette 0.27's request.form() over python-multipart 0.0.6, for a body held whole.
//
// MultipartReader is python-multipart's MultipartParser state machine, state for state, with
// Starlette's callbacks folded in, because its quirks decide what a request gets:
//   - CR and LF before the first delimiter are skipped; then "--<boundary>\r\n" must follow
//     exactly (no preamble, no transport padding), else the parse fails;
//   - header names are letters and '-' only, a header line ends in CRLF, spaces after the colon
//     are dropped; a line without a colon ends the headers (and leaves its length in the match
//     index, which then mixes stale bytes into the data or swallows the rest of the body);
//   - a part's data ends at "\r\n--<boundary>" followed by "\r\n" (another part) or "--" (the
//     end; anything after is ignored); any other occurrence is data;
//   - the body may end anywhere without error: the part in progress is then dropped.
// A parse failure was a MultipartParseError (or an IndexError), which FastAPI answered with 400
// "There was an error parsing the body"; Starlette's own checks (no boundary, no name, too many
// parts) give 400s with their messages. Data stays a view of the body except for those stale
// bytes.

#include <array>

#include "types/internal.h"
#include "types/multipart.h"

namespace ssf::types::internal {

namespace {

// Starlette's limits (request.form()'s max_files and max_fields defaults).
constexpr size_t kMaxFiles = 1000;
constexpr size_t kMaxFields = 1000;

Form failed(InvalidInput error, std::string reason) {
  Form form;
  form.error = std::move(error);
  form.reason = std::move(reason);
  return form;
}

Form malformed(std::string reason) {
  return failed(http_error(400, kBodyParseError), "malformed multipart body: " + reason);
}

bool is_letter(unsigned char c) {
  unsigned char lower = c | 0x20;
  return lower >= 'a' && lower <= 'z';
}

// The data of the part being read: a range of the body while it is one, else a copy.
class PartData {
 public:
  void append(std::string_view body, size_t from, size_t to) {
    if (from == to) return;
    if (!owned_ && (!has_range_ || end_ == from)) {
      if (!has_range_) begin_ = from;
      has_range_ = true;
      end_ = to;
      return;
    }
    own(body);
    copy_->append(body.substr(from, to - from));
  }

  // Bytes from the lookbehind buffer, normally the body's bytes at `at`.
  void append_bytes(std::string_view body, std::string_view bytes, size_t at) {
    if (bytes.empty()) return;
    if (!owned_ && at <= body.size() && bytes.size() <= body.size() - at &&
        body.substr(at, bytes.size()) == bytes) {
      append(body, at, at + bytes.size());
      return;
    }
    own(body);
    copy_->append(bytes);
  }

  std::string_view finish(std::string_view body, Form& form) {
    if (!owned_) return has_range_ ? body.substr(begin_, end_ - begin_) : std::string_view();
    form.storage.push_back(std::move(copy_));
    return *form.storage.back();
  }

 private:
  void own(std::string_view body) {
    if (owned_) return;
    owned_ = true;
    copy_ = std::make_unique<std::string>();
    if (has_range_) copy_->assign(body.substr(begin_, end_ - begin_));
  }

  bool has_range_ = false;
  size_t begin_ = 0, end_ = 0;
  bool owned_ = false;
  std::unique_ptr<std::string> copy_;
};

class MultipartReader {
 public:
  MultipartReader(std::string_view body, std::string_view boundary, bool utf8)
      : s_(body),
        boundary_("\r\n--" + std::string(boundary)),
        lookbehind_(boundary.size() + 8, '\0'),
        utf8_(utf8) {
    for (unsigned char c : boundary_) in_boundary_[c] = true;
  }

  Form read();

 private:
  enum class State {
    Start,
    StartBoundary,
    HeaderFieldStart,
    HeaderField,
    HeaderValueStart,
    HeaderValue,
    HeaderValueAlmostDone,
    HeadersAlmostDone,
    PartDataStart,
    PartData,
    End,
  };
  static constexpr unsigned kPartBoundary = 1, kLastBoundary = 2;

  std::string decode(std::string_view bytes) const {
    return utf8_ ? utf8_or_latin1(bytes) : latin1_to_utf8(bytes);
  }

  void part_begin() {
    current_ = FormItem{};
    disposition_.reset();
    data_ = PartData();
  }

  void header_end() {
    bool is_disposition = header_name_.size() == 19;
    for (size_t k = 0; is_disposition && k < 19; ++k) {
      is_disposition = (header_name_[k] | 0x20) == "content-disposition"[k];
    }
    if (is_disposition) disposition_ = header_value_;
    header_name_.clear();
    header_value_.clear();
  }

  // Starlette's on_headers_finished.
  std::optional<Form> headers_finished() {
    OptionsHeader options = parse_options_header(disposition_.value_or(""));
    const std::string* name = options.find("name");
    if (!name) {
      return failed(
          http_error(400, "The Content-Disposition header field \"name\" must be provided."),
          "a multipart part without a name");
    }
    current_.name = decode(*name);
    if (const std::string* filename = options.find("filename")) {
      current_.is_file = true;
      current_.filename = decode(*filename);
      if (++files_ > kMaxFiles) {
        return failed(http_error(400, "Too many files. Maximum number of files is 1000."),
                      "too many files in a multipart body");
      }
    } else if (++fields_ > kMaxFields) {
      return failed(http_error(400, "Too many fields. Maximum number of fields is 1000."),
                    "too many fields in a multipart body");
    }
    return std::nullopt;
  }

  void part_end() {
    std::string_view data = data_.finish(s_, form_);
    if (current_.is_file) {
      current_.data = data;
    } else {
      current_.text = decode(data);
    }
    form_.items.push_back(std::move(current_));
  }

  std::string_view s_;
  std::string boundary_;  // "\r\n--<boundary>"
  std::string lookbehind_;
  std::array<bool, 256> in_boundary_{};
  bool utf8_;
  Form form_;
  FormItem current_;
  std::optional<std::string> disposition_;
  std::string header_name_, header_value_;
  PartData data_;
  size_t files_ = 0;
  size_t fields_ = 0;
};

// MultipartParser._internal_write for the whole body; `--i; continue` re-reads a byte as the
// original's `i -= 1` does (unsigned wrap-around included).
Form MultipartReader::read() {
  const size_t n = s_.size(), length = boundary_.size();
  State state = State::Start;
  size_t index = 0;
  unsigned flags = 0;
  // Where python-multipart's marks stand; kNone when unset.
  constexpr size_t kNone = std::string_view::npos;
  size_t field_mark = kNone, value_mark = kNone, data_mark = kNone;
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(s_[i]);
    switch (state) {
      case State::Start:
        if (c == '\r' || c == '\n') continue;
        index = 0;
        state = State::StartBoundary;
        --i;
        continue;
      case State::StartBoundary:
        if (index == length - 2) {
          if (c != '\r') return malformed("no CR after the first boundary");
          ++index;
        } else if (index == length - 1) {
          if (c != '\n') return malformed("no LF after the first boundary");
          index = 0;
          part_begin();
          state = State::HeaderFieldStart;
        } else {
          if (c != static_cast<unsigned char>(boundary_[index + 2])) {
            return malformed("no boundary at the start of the body");
          }
          ++index;
        }
        continue;
      case State::HeaderFieldStart:
        index = 0;
        field_mark = i;
        state = State::HeaderField;
        --i;
        continue;
      case State::HeaderField:
        if (c == '\r') {
          field_mark = kNone;
          state = State::HeadersAlmostDone;
          continue;
        }
        ++index;
        if (c == ':') {
          if (index == 1) return malformed("a header with an empty name");
          header_name_.append(s_.substr(field_mark, i - field_mark));
          field_mark = kNone;
          state = State::HeaderValueStart;
        } else if (c != '-' && !is_letter(c)) {
          return malformed("a header name with a character other than a letter or '-'");
        }
        continue;
      case State::HeaderValueStart:
        if (c == ' ') continue;
        value_mark = i;
        state = State::HeaderValue;
        --i;
        continue;
      case State::HeaderValue:
        if (c == '\r') {
          header_value_.append(s_.substr(value_mark, i - value_mark));
          value_mark = kNone;
          header_end();
          state = State::HeaderValueAlmostDone;
        }
        continue;
      case State::HeaderValueAlmostDone:
        if (c != '\n') return malformed("no LF at the end of a header");
        state = State::HeaderFieldStart;
        continue;
      case State::HeadersAlmostDone:
        if (c != '\n') return malformed("no LF at the end of the headers");
        if (auto error = headers_finished()) return std::move(*error);
        state = State::PartDataStart;
        continue;
      case State::PartDataStart:
        data_mark = i;
        state = State::PartData;
        --i;
        continue;
      case State::PartData: {
        size_t prev_index = index;
        if (index == 0) {
          // The original's skip: no delimiter can span a byte that is not in it.
          i += length - 1;
          while (i < n - 1 && !in_boundary_[static_cast<unsigned char>(s_[i])]) i += length;
          i -= length - 1;
          c = static_cast<unsigned char>(s_[i]);
        }
        if (index < length) {
          if (static_cast<unsigned char>(boundary_[index]) == c) {
            if (index == 0 && data_mark != kNone) {
              data_.append(s_, data_mark, i);
              data_mark = kNone;
            }
            ++index;
          } else {
            index = 0;
          }
        } else if (index == length) {
          ++index;
          if (c == '\r') {
            flags |= kPartBoundary;
          } else if (c == '-') {
            flags |= kLastBoundary;
          } else {
            index = 0;
          }
        } else if (index == length + 1) {
          if (flags & kPartBoundary) {
            if (c == '\n') {
              flags &= ~kPartBoundary;
              part_end();
              part_begin();
              index = 0;
              state = State::HeaderFieldStart;
              continue;
            }
            index = 0;
            flags &= ~kPartBoundary;
          } else if (flags & kLastBoundary) {
            if (c == '-') {
              part_end();
              state = State::End;
            } else {
              index = 0;
            }
          }
        }
        if (index > 0) {
          // Only a stale index from the headers gets this far; Python raised IndexError.
          if (index - 1 >= lookbehind_.size()) return malformed("the match index overran");
          lookbehind_[index - 1] = static_cast<char>(c);
        } else if (prev_index > 0) {
          data_.append_bytes(s_, std::string_view(lookbehind_).substr(0, prev_index),
                             i - prev_index);
          data_mark = i;
          --i;
        }
        continue;
      }
      case State::End: continue;
    }
  }
  // At the end of its input the original hands Starlette whatever is marked. Data still marked
  // after the final delimiter (a stale index got there without popping the mark) lands in the
  // file of the part that just ended.
  if (state == State::End && data_mark != kNone && !form_.items.empty() &&
      form_.items.back().is_file) {
    FormItem& last = form_.items.back();
    std::string_view rest = s_.substr(data_mark);
    if (last.data.empty()) {
      last.data = rest;
    } else if (!rest.empty()) {
      auto joined = std::make_unique<std::string>(last.data);
      joined->append(rest);
      last.data = *joined;
      form_.storage.push_back(std::move(joined));
    }
  }
  return std::move(form_);
}

}  // namespace

Form read_multipart(std::string_view body, std::string_view boundary, bool utf8) {
  return MultipartReader(body, boundary, utf8).read();
}

}  // namespace ssf::types::internal

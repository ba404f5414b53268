// A small scanner for RFC 7235 challenges. A new challenge starts at a token that is not followed
// by '=' (the scheme); parameters are token=token or token="quoted \"string\"".

#include "registry/challenge.h"

#include <cctype>

namespace ssf::registry {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void skip_space_and_commas() {
    while (pos_ < text_.size() && (std::isspace(uc(text_[pos_])) || text_[pos_] == ',')) ++pos_;
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(uc(text_[pos_]))) ++pos_;
  }
  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  void advance() { ++pos_; }
  size_t pos() const { return pos_; }
  void rewind(size_t pos) { pos_ = pos; }

  // RFC 7230 tchar, plus '/' and '=' inside token68 is not needed here.
  std::string token() {
    size_t start = pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (std::isalnum(uc(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos) {
        ++pos_;
      } else {
        break;
      }
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string quoted() {  // after the opening quote
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      out += text_[pos_++];
    }
    if (pos_ < text_.size()) ++pos_;  // the closing quote
    return out;
  }

 private:
  static unsigned char uc(char c) { return static_cast<unsigned char>(c); }
  std::string_view text_;
  size_t pos_ = 0;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::vector<Challenge> parse_challenges(std::string_view header) {
  std::vector<Challenge> out;
  Scanner s(header);
  while (true) {
    s.skip_space_and_commas();
    if (s.done()) break;
    size_t before = s.pos();
    std::string word = s.token();
    if (word.empty()) {  // garbage: skip one character
      s.advance();
      continue;
    }
    s.skip_space();
    if (s.peek() == '=' && !out.empty()) {
      // A parameter of the current challenge.
      s.advance();
      s.skip_space();
      std::string value;
      if (s.peek() == '"') {
        s.advance();
        value = s.quoted();
      } else {
        value = s.token();
      }
      out.back().params[lower(word)] = value;
      continue;
    }
    if (s.peek() == '=') {  // a parameter before any scheme: malformed, skip it
      s.rewind(before);
      while (!s.done() && s.peek() != ',') s.advance();
      continue;
    }
    out.push_back(Challenge{lower(word), {}});
  }
  return out;
}

}  // namespace ssf::registry

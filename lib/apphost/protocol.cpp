#include "apphost/protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ssf::apphost::protocol {
namespace {

void put_u32(std::string& out, uint32_t v) {
  char b[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
               static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 24) & 0xff)};
  out.append(b, 4);
}

uint32_t get_u32(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24);
}

Error protocol_error(std::string message) {
  return Error(ResultCode::InternalError, "worker protocol: " + std::move(message));
}

}  // namespace

std::optional<std::string_view> Frame::blob(const Json& value) const {
  if (!value.is_object() || value.size() != 1) return std::nullopt;
  auto ref = value.find("$blob");
  if (ref == value.end() || !ref->is_array() || ref->size() != 2) return std::nullopt;
  const Json& offset = (*ref)[0];
  const Json& length = (*ref)[1];
  if (!offset.is_number_unsigned() || !length.is_number_unsigned()) return std::nullopt;
  uint64_t o = offset.get<uint64_t>();
  uint64_t n = length.get<uint64_t>();
  uint64_t area = body.size() - blob_offset;
  if (o > area || n > area - o) return std::nullopt;
  return std::string_view(body).substr(blob_offset + o, n);
}

std::string_view Frame::op() const {
  auto it = header.find("op");
  if (it == header.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string encode_frame(std::string_view header_json, std::string_view blob_area) {
  std::string out;
  size_t body = 4 + header_json.size() + blob_area.size();
  out.reserve(4 + body);
  put_u32(out, static_cast<uint32_t>(body));
  put_u32(out, static_cast<uint32_t>(header_json.size()));
  out.append(header_json);
  out.append(blob_area);
  return out;
}

std::string encode_message(const Json& header, std::string_view blob_area) {
  return encode_frame(dump(header), blob_area);
}

Json BlobArea::add(std::string_view bytes) {
  Json ref = {{"$blob", Json::array({data_.size(), bytes.size()})}};
  data_.append(bytes);
  return ref;
}

Result<Frame> decode_body(std::string body) {
  if (body.size() < 4) return protocol_error("frame shorter than its header length");
  uint64_t header_len = get_u32(body.data());
  if (header_len > body.size() - 4) return protocol_error("header length beyond the frame");
  Frame frame;
  try {
    frame.header = Json::parse(std::string_view(body).substr(4, header_len));
  } catch (const Json::exception& e) {
    return protocol_error(std::string("malformed header: ") + e.what());
  }
  if (!frame.header.is_object()) return protocol_error("header is not a JSON object");
  frame.blob_offset = 4 + header_len;
  frame.body = std::move(body);
  return frame;
}

long FrameBuffer::fill(int fd, bool dont_wait) {
  // Compact before growing, so that a long-lived connection does not keep every byte it read.
  if (pos_ > 0 && (pos_ == data_.size() || pos_ > (1u << 20))) {
    data_.erase(0, pos_);
    pos_ = 0;
  }
  constexpr size_t kChunk = 1 << 16;
  size_t old = data_.size();
  data_.resize(old + kChunk);
  ssize_t n;
  do {
    n = recv(fd, data_.data() + old, kChunk, dont_wait ? MSG_DONTWAIT : 0);
  } while (n < 0 && errno == EINTR);
  data_.resize(old + (n > 0 ? static_cast<size_t>(n) : 0));
  return static_cast<long>(n);
}

void FrameBuffer::append(std::string_view bytes) {
  if (pos_ > 0 && pos_ == data_.size()) {
    data_.clear();
    pos_ = 0;
  }
  data_.append(bytes);
}

Result<std::optional<std::string>> FrameBuffer::next_body() {
  if (data_.size() - pos_ < 4) return std::optional<std::string>();
  uint64_t length = get_u32(data_.data() + pos_);
  if (length > kMaxFrame) return protocol_error("frame length " + std::to_string(length));
  if (data_.size() - pos_ - 4 < length) return std::optional<std::string>();
  std::string body = data_.substr(pos_ + 4, length);
  pos_ += 4 + length;
  return std::optional<std::string>(std::move(body));
}

Result<std::optional<Frame>> read_frame(int fd, FrameBuffer& buffer) {
  while (true) {
    auto body = buffer.next_body();
    if (!body) return std::move(body).error();
    if (*body) {
      auto frame = decode_body(std::move(**body));
      if (!frame) return std::move(frame).error();
      return std::optional<Frame>(std::move(*frame));
    }
    long n = buffer.fill(fd);
    if (n == 0) {
      if (buffer.empty()) return std::optional<Frame>();
      return protocol_error("stream ended inside a frame");
    }
    if (n < 0) return protocol_error(std::string("read: ") + strerror(errno));
  }
}

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return protocol_error(std::string("send: ") + strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

config::Value to_value(const Json& json, const Frame* frame) {
  using config::Value;
  switch (json.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded: return Value();
    case Json::value_t::boolean: return Value::boolean(json.get<bool>());
    case Json::value_t::number_integer: return Value::integer(json.get<int64_t>());
    case Json::value_t::number_unsigned: {
      uint64_t u = json.get<uint64_t>();
      // Python ints are unbounded; past int64 a float is the closest a Value can hold.
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value::floating(static_cast<double>(u));
      return Value::integer(static_cast<int64_t>(u));
    }
    case Json::value_t::number_float: return Value::floating(json.get<double>());
    case Json::value_t::string: return Value::string(json.get<std::string>());
    case Json::value_t::binary:
      return Value::string(std::string(json.get_binary().begin(), json.get_binary().end()));
    case Json::value_t::array: {
      Value::List items;
      items.reserve(json.size());
      for (const auto& item : json) items.push_back(to_value(item, frame));
      return Value::list(std::move(items));
    }
    case Json::value_t::object: {
      if (frame) {
        if (auto bytes = frame->blob(json)) return Value::string(std::string(*bytes));
      }
      Value::Map entries;
      entries.reserve(json.size());
      for (const auto& [key, item] : json.items()) entries.emplace_back(key, to_value(item, frame));
      return Value::map(std::move(entries));
    }
  }
  return Value();
}

}  // namespace ssf::apphost::protocol

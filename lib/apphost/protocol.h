#pragma once
// The worker protocol's framing, both directions (templates/python/ssf/_protocol.py is the Python
// side; keep them in step).
//
// A frame is a 4-byte little-endian length N, then N bytes of body: a 4-byte little-endian length
// H of a JSON header, the H bytes of the header (UTF-8), then the frame's blob area. A JSON value
// {"$blob": [offset, length]} (an object with that one key) stands for `length` bytes at `offset`
// of the blob area, so that images and audio cross the socket as they are, not as base64.
//
// Messages (the header's "op"):
//   server → worker: init, request, watchdog, stop
//   worker → server: log, started, result, error, watchdog, failed, done
// worker_process.cpp and native_worker.cpp say what each carries.
//
// Internal to apphost: nlohmann::json appears here on purpose, since every file of the module
// speaks it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "core/core.h"

namespace ssf::apphost::protocol {

using Json = nlohmann::ordered_json;

// As _protocol.MAX_FRAME: a length beyond this is a broken peer, not a big message.
inline constexpr uint64_t kMaxFrame = uint64_t{1} << 31;

// A decoded frame: its header, and the body that holds its blob area.
struct Frame {
  Json header;
  std::string body;
  size_t blob_offset = 0;  // where the blob area starts in `body`

  // The bytes a {"$blob": [offset, length]} value stands for; nullopt when `value` is not such a
  // reference or points outside the blob area.
  std::optional<std::string_view> blob(const Json& value) const;
  std::string_view op() const;  // header["op"], or "" when absent
};

// Compact JSON; invalid UTF-8 is replaced rather than thrown on, since text from applications
// is not ours to trust.
std::string dump(const Json& value);

// A whole frame (length prefixes included) around a JSON header text and a blob area.
std::string encode_frame(std::string_view header_json, std::string_view blob_area = {});
// The same around a header given as JSON.
std::string encode_message(const Json& header, std::string_view blob_area = {});

// Collects the blobs of one frame being built.
class BlobArea {
 public:
  // Appends `bytes` and returns the {"$blob": [offset, length]} value that refers to them.
  Json add(std::string_view bytes);
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

// Parses a body (the bytes after the outer length). Errors: InternalError for a body too short
// for its header length, or a header that is not a JSON object.
Result<Frame> decode_body(std::string body);

// Bytes read from a stream socket, cut into frame bodies. Not thread-safe: one reader.
class FrameBuffer {
 public:
  // One read(2) of what `fd` has into the buffer. Returns the bytes read, 0 at end of stream, -1
  // on error (errno set; EAGAIN/EWOULDBLOCK when `fd` is non-blocking and has nothing).
  long fill(int fd, bool dont_wait = false);
  // Bytes handed over in memory (an in-process replica's frames), as if read.
  void append(std::string_view bytes);
  // The next whole body when the buffer holds one. Errors: InternalError for a length beyond
  // kMaxFrame (the stream cannot be trusted after that).
  Result<std::optional<std::string>> next_body();
  bool empty() const { return pos_ == data_.size(); }

 private:
  std::string data_;
  size_t pos_ = 0;  // data_[pos_..] is unread
};

// Blocks until a whole frame arrives. nullopt at end of stream between frames. Errors:
// InternalError for a read error, a stream that ends inside a frame, or a malformed frame.
Result<std::optional<Frame>> read_frame(int fd, FrameBuffer& buffer);

// Writes all of `data` to a socket (MSG_NOSIGNAL: a closed peer is an error, not a signal).
// Errors: InternalError naming the cause (EPIPE when the peer has gone, EAGAIN on a send timeout).
Status write_all(int fd, std::string_view data);

// JSON as a config::Value (ints stay ints, floats floats, key order kept). A blob reference
// becomes a string holding its bytes when `frame` is given.
config::Value to_value(const Json& json, const Frame* frame = nullptr);

}  // namespace ssf::apphost::protocol

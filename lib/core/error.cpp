#include "core/error.h"

namespace ssf {

Error Error::with_context(std::string_view context) && {
  if (!context.empty()) {
    message_ = std::string(context) + ": " + message_;
  }
  return std::move(*this);
}

}  // namespace ssf

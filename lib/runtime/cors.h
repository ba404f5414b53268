#pragma once
// Internal to runtime: CORS, as Starlette's CORSMiddleware (0.27, what upstream's FastAPI 0.99
// uses) with upstream's settings: origins are allowed by a regular expression matched against
// the whole Origin header; a preflight (OPTIONS with Access-Control-Request-Method) is answered
// here, 200 "OK" or 400 "Disallowed CORS origin, method, headers"; any other request with an
// Origin goes on, and its answer gets the CORS headers. Requests without Origin are untouched.
// One difference: an empty --cors-expose-headers sends no Access-Control-Expose-Headers header
// (Starlette sends an empty one, since upstream splits "" into [""]).

#include <memory>

#include "core/core.h"
#include "runtime/http.h"
#include "runtime/runtime.h"

namespace ssf::runtime {

// Errors: ArgumentError (1) for an origin regex that does not compile, naming the option.
Result<std::unique_ptr<Middleware>> make_cors_middleware(const CorsSettings& settings);

}  // namespace ssf::runtime

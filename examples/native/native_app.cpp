// The simple example's contract (Test1: x → x_times_1000 and a request count) as a native C++
// application built against include/ssf/app.h.

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "ssf/app.h"

using nlohmann::json;

struct ssf_app {
  const ssf_host* host;
  long served = 0;
};

extern "C" {

int ssf_app_abi_version(void) { return SSF_APP_ABI_VERSION; }

ssf_app* ssf_app_create(const char*, size_t, const ssf_host* host, char*, size_t) {
  host->log(host->context, SSF_LOG_INFO, "native simple: created");
  return new ssf_app{host};
}

int ssf_app_build(ssf_app*) { return SSF_RESULT_OK; }
int ssf_app_startup(ssf_app*) { return SSF_RESULT_OK; }
int ssf_app_watchdog(ssf_app*) { return SSF_RESULT_OK; }

int ssf_app_request(ssf_app* app, const char* batch_json, size_t batch_size, size_t count,
                    const ssf_results* results) {
  try {
    json batch = json::parse(batch_json, batch_json + batch_size);
    for (size_t i = 0; i < count; ++i) {
      long x = batch[i]["params"].value("x", 0L);
      std::string out = json{{"requests", ++app->served}, {"x_times_1000", x * 1000}}.dump();
      if (results->set_json(results->context, i, out.data(), out.size()) != 0) {
        return SSF_RESULT_FAIL;
      }
    }
    return SSF_RESULT_OK;
  } catch (const std::exception& e) {
    results->set_error(results->context, e.what());
    return SSF_RESULT_APPLICATION_ERROR;
  }
}

int ssf_app_shutdown(ssf_app* app) {
  std::string line = "native simple: shutdown after " + std::to_string(app->served) + " requests";
  app->host->log(app->host->context, SSF_LOG_INFO, line.c_str());
  return SSF_RESULT_OK;
}

void ssf_app_destroy(ssf_app* app) { delete app; }

}  // extern "C"

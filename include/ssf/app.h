/* gc-ssf native applications: the C ABI.
 *
 * A native application is a shared library named by `application.module: libapp.so` in the SSF
 * config. It exports the functions below (C linkage, no C++ exception may leave them). gc-ssf
 * loads it in a worker process of its own per replica, so that a crash in the application never
 * takes the server down: the replica is restarted as a Python one would be.
 *
 * Lifecycle, per replica:
 *   ssf_app_create → ssf_app_build (gc-ssf build) or ssf_app_startup (gc-ssf run)
 *   → ssf_app_request (any number of times, one call at a time) and ssf_app_watchdog (when idle)
 *   → ssf_app_shutdown → ssf_app_destroy
 * Every function returns an SSF result code (0 = SSF_RESULT_OK); see the SSF_RESULT_* constants.
 * The worker's working directory is the module's directory from before ssf_app_create on; an
 * application that changes it keeps its change (the worker does not set it again per call).
 *
 * Data: the config and the requests cross as JSON text (UTF-8). A request batch is a JSON array
 * of {"params": {<input id>: value}, "meta": {"endpoint_id": ..., "endpoint_version": ...,
 * "endpoint_index": ..., "replica": ...}} objects; a TempFile input is the path of a temporary
 * file; unbatched applications (max_batch_size 1) always get a batch of one. Results are written
 * through the ssf_results functions, one JSON object per request, plus raw bytes for a
 * PngImageBytes output. The host copies everything it is given: the application keeps ownership
 * of its memory.
 */
#ifndef SSF_APP_H
#define SSF_APP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSF_APP_ABI_VERSION 1

enum {
  SSF_RESULT_OK = 0,
  SSF_RESULT_FAIL = 2,
  SSF_RESULT_APPLICATION_ERROR = 32,
  SSF_RESULT_APPLICATION_MODULE_ERROR = 35,
  SSF_RESULT_UNMET_REQUIREMENT = 255
};

enum { SSF_LOG_DEBUG = 10, SSF_LOG_INFO = 20, SSF_LOG_WARNING = 30, SSF_LOG_ERROR = 40 };

/* The application's own state; gc-ssf never looks inside. */
typedef struct ssf_app ssf_app;

/* Services of the host, valid for the lifetime of the application. */
typedef struct ssf_host {
  void* context;
  /* Writes one line to ssf.log and the terminal, in gc-ssf's format, with this worker's pid. */
  void (*log)(void* context, int level, const char* message);
} ssf_host;

/* Where ssf_app_request writes its results; valid during that call only. */
typedef struct ssf_results {
  void* context;
  /* The result of request `index` of the batch: a JSON object of outputs. Returns 0, or
   * non-zero when index is out of range or the text is not a JSON object. */
  int (*set_json)(void* context, size_t index, const char* json, size_t size);
  /* Raw bytes of output `output_id` (a PngImageBytes output) of request `index`. */
  int (*set_bytes)(void* context, size_t index, const char* output_id, const void* data,
                   size_t size);
  /* Why the request failed, shown in ssf.log (the HTTP client sees upstream's generic 400). */
  void (*set_error)(void* context, const char* message);
} ssf_results;

/* Returns SSF_APP_ABI_VERSION as the library was built; gc-ssf refuses other versions. */
int ssf_app_abi_version(void);

/* Creates an instance from the expanded config (`config_json`: {"config": <the YAML as JSON>,
 * "args": <options>, "application": {...}}). On failure returns NULL and writes a message of at
 * most error_size bytes (NUL included) into `error`. */
ssf_app* ssf_app_create(const char* config_json, size_t config_size, const ssf_host* host,
                        char* error, size_t error_size);

int ssf_app_build(ssf_app* app);
int ssf_app_startup(ssf_app* app);
int ssf_app_request(ssf_app* app, const char* batch_json, size_t batch_size, size_t count,
                    const ssf_results* results);
int ssf_app_watchdog(ssf_app* app);
int ssf_app_shutdown(ssf_app* app);
void ssf_app_destroy(ssf_app* app);

#ifdef __cplusplus
}
#endif

#endif /* SSF_APP_H */

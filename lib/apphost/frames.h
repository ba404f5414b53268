#pragma once
// The messages of the worker protocol (protocol.h frames them). Internal to apphost.
//
// server → worker
//   init      {"op":"init","mode":"run"|"build","replica":i,"log_level":10,"config":{...},
//              "args":{...},"unknown_args":[...],"config_file":"...","api":"fastapi",
//              "application":{id,name,desc,version,file,dir,file_dir,venv_dir,ipus,...},
//              "syspaths":[...]}   (syspaths: insert each at the front of sys.path, in order)
//   request   {"op":"request","id":N,"params":[{...},...],"meta":[{...},...]}
//   watchdog  {"op":"watchdog","id":N}
//   stop      {"op":"stop"}
// worker → server
//   log       {"op":"log","level":20,"msg":"...","file":"app.py","line":12}
//   started   {"op":"started"}                       startup() succeeded
//   result    {"op":"result","id":N,"results":[{...},...],"latency":0.01}   blobs for bytes
//   error     {"op":"error","id":N,"message":"..."}  the request failed; "failed" follows
//   watchdog  {"op":"watchdog","id":N,"code":0}
//   failed    {"op":"failed","code":32,"message":"..."}  why the worker is about to exit
//   done      {"op":"done","code":0}                 build mode: build()'s result

#include <cstdint>
#include <string>
#include <vector>

#include "apphost/apphost.h"
#include "apphost/protocol.h"

namespace ssf::apphost::frames {

// The init frame's header for `spec` (JSON text).
std::string init_header(const WorkerSpec& spec);

// Whole frames, ready to send. `params` and `meta` are JSON object texts, spliced as they are.
std::string request_frame(uint64_t id, const std::vector<std::string>& params,
                          const std::vector<std::string>& meta);
std::string watchdog_frame(uint64_t id);
std::string stop_frame();

// A result frame's results: top-level blob references become AppResult::bytes (and are left out
// of `outputs`); anything else that is not an object gives an empty outputs map. The frame's
// "rejected" object ({"<index>": "<reason>"}) sets AppResult::rejected of those requests.
std::vector<types::AppResult> app_results(const protocol::Frame& frame);

// Hands one frame from a worker to `events` (log records to the log, tagged with `pid`); a
// "failed" frame's message goes to `reason`. `name` ("<app id>:<replica>") is for log lines.
// Errors: InternalError for a frame that does not say what it should.
Status deliver(const protocol::Frame& frame, WorkerEvents& events, std::string& reason,
               const std::string& name, int pid);

// Python logging's level numbers to ours: each number to the nearest level at or below it.
log::Level level_from_python(int64_t levelno);

}  // namespace ssf::apphost::frames

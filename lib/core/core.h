#pragma once
// core: what every other module stands on. The only header of this module that others include.
//
//   result_code.h  upstream's result codes (the exit status contract)
//   error.h        Error, Status, Result<T>, SSF_TRY
//   log.h          the logging facade (ssf.log + terminal, upstream's line format, redaction)
//   secret.h       Secret: a value never shown
//   process.h      run_process: a local program, no shell
//   progress.h     Progress: a live status line on a terminal, one line per finished item
//   files.h        read_file, write_file_atomic, glob_files, TempDir
//   text.h         small string helpers

#include "core/error.h"
#include "core/files.h"
#include "core/log.h"
#include "core/process.h"
#include "core/progress.h"
#include "core/result_code.h"
#include "core/secret.h"
#include "core/text.h"

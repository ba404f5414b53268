#pragma once
// config: the SSF config file and the command-line options, typed. The only header of this module
// that others include.
//
//   value.h    Value: the YAML tree with positions, Python-compatible scalar typing
//   model.h    Config, Application, Endpoint, Param, DataType: the typed, validated config
//   options.h  Options and the option table (every upstream option and default)
//   load.h     load_config, modify_config, expand_string, check_ssf_version
//
// yaml-cpp is used only inside this module; no YAML type leaves it.

#include "config/load.h"
#include "config/model.h"
#include "config/options.h"
#include "config/value.h"

#include <catch2/catch.hpp>

#include "config/config.h"
#include "log_capture.h"

using ssf::config::modify_config;
using ssf::config::parse_yaml;
using ssf::config::Value;
using ssf::config::test::LogCapture;

namespace {

// upstream's tests/app_usecases/modify_config.yaml, the fixture of its test_modify_config.py.
constexpr const char* kConfig = R"(ssf_version: 0.0.1

application:
  id: modify-config-test
  name: Test API
  desc: A very simple test API
  version: 1.0
  module: modify_config.py
  ipus: 0
  trace: True
  artifacts: []
  nothing: ~

testtypes:
  t_int: 1
  t_float: 1.0
  t_str: "1.0"
  t_bool: False

testlist:
  - X
  - Y
  - Z

testlist_dict:
  - id: X
    desc: X
  - id: Y
    desc: Y
  - id: Z
    desc: Z

endpoints:
  - id: Test1
    version: 1
)";

Value fixture() {
  auto parsed = parse_yaml(kConfig, "modify_config.yaml");
  REQUIRE(parsed.has_value());
  return std::move(parsed).value();
}

std::string field(const Value& dict, const std::string& name) {
  const Value* v = dict.find(name);
  return v ? v->python_str() : "<missing>";
}

}  // namespace

TEST_CASE("modify_config sets fields with upstream's typing") {
  struct Case {
    const char* spec;
    const char* key;  // top-level field to compare
    const char* expected;
  };
  const Case cases[] = {
      {"testtypes.t_int=2;testtypes.t_float=2.0;testtypes.t_bool=True;testtypes.t_str=ok",
       "testtypes", "{'t_int': 2, 't_float': 2.0, 't_str': 'ok', 't_bool': True}"},
      {"testtypes.t_int= -1_000 ;testtypes.t_float=3;testtypes.t_str=2", "testtypes",
       "{'t_int': -1000, 't_float': 3.0, 't_str': '2', 't_bool': False}"},
      {"testtypes.t_float=1e-5;testtypes.t_bool=False", "testtypes",
       "{'t_int': 1, 't_float': 1e-05, 't_str': '1.0', 't_bool': False}"},
      {"testtypes.t_float=-inf", "testtypes",
       "{'t_int': 1, 't_float': -inf, 't_str': '1.0', 't_bool': False}"},
      {"application.trace=False;application.custom=my custom field", "application",
       "{'id': 'modify-config-test', 'name': 'Test API', 'desc': 'A very simple test API', "
       "'version': 1.0, 'module': 'modify_config.py', 'ipus': 0, 'trace': False, "
       "'artifacts': [], 'nothing': None, 'custom': 'my custom field'}"},
      {"application.ipus=4", "application",
       "{'id': 'modify-config-test', 'name': 'Test API', 'desc': 'A very simple test API', "
       "'version': 1.0, 'module': 'modify_config.py', 'ipus': 4, 'trace': True, "
       "'artifacts': [], 'nothing': None}"},
      // A null field becomes a string (upstream fails here).
      {"application.nothing=something", "application",
       "{'id': 'modify-config-test', 'name': 'Test API', 'desc': 'A very simple test API', "
       "'version': 1.0, 'module': 'modify_config.py', 'ipus': 0, 'trace': True, "
       "'artifacts': [], 'nothing': 'something'}"},
      {"newfield=1", "newfield", "1"},
      {"new.nested.field=1.5", "new", "{'nested': {'field': '1.5'}}"},
      {"testlist[1]=modified", "testlist", "['X', 'modified', 'Z']"},
      {"testlist[4]=B;newlist[3]=3;newlist[0]=0", "testlist", "['X', 'Y', 'Z', None, 'B']"},
      {"testlist[4]=B;newlist[3]=3;newlist[0]=0", "newlist", "['0', None, None, '3']"},
      {"testlist_dict[1].desc=modified", "testlist_dict",
       "[{'id': 'X', 'desc': 'X'}, {'id': 'Y', 'desc': 'modified'}, {'id': 'Z', 'desc': 'Z'}]"},
      {"testlist_dict[1].extra=new", "testlist_dict",
       "[{'id': 'X', 'desc': 'X'}, {'id': 'Y', 'desc': 'Y', 'extra': 'new'}, "
       "{'id': 'Z', 'desc': 'Z'}]"},
      {"newdicts[1].id=a", "newdicts", "[None, {'id': 'a'}]"},
      // A final ';' ends the list, as upstream's help spells the syntax.
      {"newfield=x;", "newfield", "x"},
      {"application.custom={{application.module}}", "application",
       "{'id': 'modify-config-test', 'name': 'Test API', 'desc': 'A very simple test API', "
       "'version': 1.0, 'module': 'modify_config.py', 'ipus': 0, 'trace': True, "
       "'artifacts': [], 'nothing': None, 'custom': '{{application.module}}'}"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.spec);
    Value dict = fixture();
    LogCapture logs;
    REQUIRE(modify_config(dict, c.spec).ok());
    CHECK(field(dict, c.key) == c.expected);
    CHECK(logs.contains("Modify config: "));
  }
}

TEST_CASE("modify_config leaves other fields as they were") {
  Value dict = fixture();
  Value before = dict;
  REQUIRE(modify_config(dict, "testlist[1]=modified").ok());
  CHECK(field(dict, "testtypes") == field(before, "testtypes"));
  CHECK(field(dict, "testlist_dict") == field(before, "testlist_dict"));
  CHECK(dict.find("newlist") == nullptr);
}

TEST_CASE("modify_config failures name the items and log the reason") {
  struct Case {
    const char* spec;
    const char* error;
    std::vector<std::string> logged;
  };
  const Case cases[] = {
      {"testtypes.t_int=2.0;testtypes.t_float=ko;testtypes.t_bool=2;testtypes.t_str=2",
       "Failed to modify config with `['testtypes.t_int=2.0', 'testtypes.t_float=ko', "
       "'testtypes.t_bool=2', 'testtypes.t_str=2']`",
       {"Config field can not be set with `testtypes.t_int=2.0`",
        "Config field can not be set with `testtypes.t_float=ko`",
        "Config field can not be set with `testtypes.t_bool=2`",
        "set dict: failed to set existing field value 't_int' = int(2.0)"}},
      {"testtypes.t_bool=true",
       "Failed to modify config with `['testtypes.t_bool=true']`",
       {"set dict: failed to set existing field value 't_bool' = bool(true)"}},
      {"application=test",
       "Failed to modify config with `['application=test']`",
       {"set dict: 'application' references an existing non-leaf field"}},
      {"testlist=modified",
       "Failed to modify config with `['testlist=modified']`",
       {"set dict: 'testlist' is a list; index required `testlist[<idx>]`"}},
      {"testtypes[0]=x",
       "Failed to modify config with `['testtypes[0]=x']`",
       {"set dict: 'testtypes[0]' is not valid for non-list field"}},
      {"testtypes.t_int.deeper=1",
       "Failed to modify config with `['testtypes.t_int.deeper=1']`",
       {"set dict: 'testtypes.t_int.deeper' includes an existing leaf field 't_int'"}},
      {"testlist[x]=1",
       "Failed to modify config with `['testlist[x]=1']`",
       {"set dict: 'testlist[x]' is not a valid list index"}},
      {"testlist[-1]=1",
       "Failed to modify config with `['testlist[-1]=1']`",
       {"set dict: 'testlist[-1]' is not a valid list index"}},
      {"testlist_dict[0]=x",
       "Failed to modify config with `['testlist_dict[0]=x']`",
       {"set dict: 'testlist_dict[0]' references an existing non-leaf field"}},
      {"novalue",
       "Failed to modify config with `['novalue']`",
       {"Modify config failure with 'novalue', requires '<field>=<value>'"}},
      {"a=b=c;ok=1",
       "Failed to modify config with `['a=b=c', 'ok=1']`",
       {"Modify config failure with 'a=b=c', requires '<field>=<value>'"}},
      {"a=1;;b=2",
       "Failed to modify config with `['a=1', '', 'b=2']`",
       {"Modify config failure with '', requires '<field>=<value>'"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.spec);
    Value dict = fixture();
    LogCapture logs;
    auto status = modify_config(dict, c.spec);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code() == ssf::ResultCode::ApplicationConfigError);
    CHECK(status.error().message() == c.error);
    for (const auto& line : c.logged) {
      CAPTURE(line);
      CHECK(logs.contains(line));
    }
  }
}

TEST_CASE("modify_config on a config that is not a map fails") {
  Value dict;
  LogCapture logs;
  auto status = modify_config(dict, "a=1");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message() == "Failed to modify config with `['a=1']`");
}

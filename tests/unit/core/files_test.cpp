#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/core.h"

namespace ssf {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

void touch(const fs::path& file, const std::string& content = "x") {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << content;
}

// A small application tree:
//   a.txt b.py .hidden.txt dir.txt/ (a directory) sub/{c.txt,.e.txt,deep/{d.txt,x.py}}
//   .hid/f.txt
class Tree {
 public:
  Tree() {
    Result<TempDir> dir = TempDir::create("files-test-");
    REQUIRE(dir.has_value());
    dir_.emplace(std::move(dir).value());
    for (const char* file : {"a.txt", "b.py", ".hidden.txt", "sub/c.txt", "sub/.e.txt",
                             "sub/deep/d.txt", "sub/deep/x.py", ".hid/f.txt"}) {
      touch(root() / file);
    }
    fs::create_directories(root() / "dir.txt");
  }
  const fs::path& root() const { return dir_->path(); }

 private:
  std::optional<TempDir> dir_;
};

Strings glob(const fs::path& base, std::string_view pattern, bool recursive = true) {
  return glob_files(base, pattern, GlobOptions{recursive});
}

}  // namespace

TEST_CASE("glob_files: `*` matches regular files in one directory, not hidden ones", "[files]") {
  Tree tree;
  CHECK(glob(tree.root(), "*") == Strings{"a.txt", "b.py"});
  CHECK(glob(tree.root(), "*.txt") == Strings{"a.txt"});  // not dir.txt, not .hidden.txt
  CHECK(glob(tree.root(), "sub/*") == Strings{"sub/c.txt"});
  CHECK(glob(tree.root(), "*/*.txt") == Strings{"sub/c.txt"});  // not .hid/f.txt
}

TEST_CASE("glob_files: a leading '.' in the pattern matches hidden names", "[files]") {
  Tree tree;
  CHECK(glob(tree.root(), ".*") == Strings{".hidden.txt"});
  CHECK(glob(tree.root(), ".hid/*") == Strings{".hid/f.txt"});
  CHECK(glob(tree.root(), "sub/.*") == Strings{"sub/.e.txt"});
}

TEST_CASE("glob_files: `?` and `[...]`", "[files]") {
  Tree tree;
  CHECK(glob(tree.root(), "?.txt") == Strings{"a.txt"});
  CHECK(glob(tree.root(), "[ab].*") == Strings{"a.txt", "b.py"});
  CHECK(glob(tree.root(), "[!a].*") == Strings{"b.py"});
}

TEST_CASE("glob_files: `**` is recursive, as Python's glob(recursive=True)", "[files]") {
  Tree tree;
  CHECK(glob(tree.root(), "**/*.txt") == Strings{"a.txt", "sub/c.txt", "sub/deep/d.txt"});
  CHECK(glob(tree.root(), "**") ==
        Strings{"a.txt", "b.py", "sub/c.txt", "sub/deep/d.txt", "sub/deep/x.py"});
  CHECK(glob(tree.root(), "sub/**") == Strings{"sub/c.txt", "sub/deep/d.txt", "sub/deep/x.py"});
  CHECK(glob(tree.root(), "sub/**/*.py") == Strings{"sub/deep/x.py"});
  CHECK(glob(tree.root(), "**/deep/*") == Strings{"sub/deep/d.txt", "sub/deep/x.py"});
}

TEST_CASE("glob_files: `**` without recursive is `*`", "[files]") {
  Tree tree;
  CHECK(glob(tree.root(), "**/*.txt", false) == Strings{"sub/c.txt"});
  CHECK(glob(tree.root(), "**", false) == Strings{"a.txt", "b.py"});
  CHECK(glob(tree.root(), "sub/**", false) == Strings{"sub/c.txt"});
}

TEST_CASE("glob_files: a `./` prefix is kept in the results", "[files]") {
  Tree tree;
  CHECK(glob(tree.root(), "./*.txt") == Strings{"./a.txt"});
  CHECK(glob(tree.root(), "./sub/*.txt") == Strings{"./sub/c.txt"});
  CHECK(glob(tree.root(), "./**/*.py") == Strings{"./b.py", "./sub/deep/x.py"});
  CHECK(glob(tree.root(), "./a.txt") == Strings{"./a.txt"});
}

TEST_CASE("glob_files: `../` patterns leave base and are spelled as written", "[files]") {
  Tree tree;
  const fs::path base = tree.root() / "sub";
  CHECK(glob(base, "../*.txt") == Strings{"../a.txt"});
  CHECK(glob(base, "../sub/deep/*.txt") == Strings{"../sub/deep/d.txt"});
  CHECK(glob(base / "deep", "../../*.py") == Strings{"../../b.py"});
  CHECK(glob(base, "../**/*.py") == Strings{"../b.py", "../sub/deep/x.py"});
}

TEST_CASE("glob_files: a pattern without wildcards names one regular file", "[files]") {
  Tree tree;
  CHECK(glob(tree.root(), "sub/c.txt") == Strings{"sub/c.txt"});
  CHECK(glob(tree.root(), ".hidden.txt") == Strings{".hidden.txt"});
  CHECK(glob(tree.root(), "missing.txt").empty());
  CHECK(glob(tree.root(), "sub").empty());      // a directory
  CHECK(glob(tree.root(), "dir.txt").empty());  // a directory
  CHECK(glob(tree.root(), "").empty());
}

TEST_CASE("glob_files: an absolute pattern ignores base", "[files]") {
  Tree tree;
  const std::string root = tree.root().string();
  CHECK(glob("/nonexistent", root + "/*.py") == Strings{root + "/b.py"});
  CHECK(glob("/nonexistent", root + "/sub/c.txt") == Strings{root + "/sub/c.txt"});
}

TEST_CASE("glob_files: a missing base matches nothing", "[files]") {
  CHECK(glob("/nonexistent/gc-ssf", "**/*").empty());
}

TEST_CASE("read_file returns the whole file, binary included", "[files]") {
  Tree tree;
  const std::string binary("a\0b\r\n\xff", 6);
  touch(tree.root() / "bin", binary);
  Result<std::string> text = read_file(tree.root() / "bin");
  REQUIRE(text.has_value());
  CHECK(text.value() == binary);

  Result<std::string> missing = read_file(tree.root() / "missing");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code() == ResultCode::InternalError);
  CHECK_THAT(missing.error().message(), Catch::Contains((tree.root() / "missing").string()));
}

TEST_CASE("write_file_atomic writes, replaces, and leaves no temporary file", "[files]") {
  Tree tree;
  const fs::path file = tree.root() / "sub" / "out.json";
  REQUIRE(write_file_atomic(file, "first").ok());
  CHECK(read_file(file).value() == "first");
  REQUIRE(write_file_atomic(file, "second, longer").ok());
  CHECK(read_file(file).value() == "second, longer");
  REQUIRE(write_file_atomic(file, "").ok());
  CHECK(read_file(file).value().empty());

  Strings names;
  for (const auto& entry : fs::directory_iterator(file.parent_path())) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  CHECK(names == Strings{".e.txt", "c.txt", "deep", "out.json"});
}

TEST_CASE("write_file_atomic fails cleanly", "[files]") {
  Tree tree;
  SECTION("in a missing directory") {
    Status s = write_file_atomic(tree.root() / "missing" / "f", "x");
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code() == ResultCode::InternalError);
    CHECK_THAT(s.error().message(), Catch::Contains("missing/f"));
  }
  SECTION("over a directory, which is left as it was") {
    Status s = write_file_atomic(tree.root() / "sub", "x");
    REQUIRE_FALSE(s.ok());
    CHECK(fs::is_directory(tree.root() / "sub"));
    CHECK(fs::exists(tree.root() / "sub" / "c.txt"));
    Strings leftovers;
    for (const auto& entry : fs::directory_iterator(tree.root())) {
      if (entry.path().filename().string().find(".tmp") != std::string::npos) {
        leftovers.push_back(entry.path().string());
      }
    }
    CHECK(leftovers.empty());
  }
}

TEST_CASE("TempDir creates a directory and removes it with its contents", "[files]") {
  fs::path path;
  {
    Result<TempDir> dir = TempDir::create("temp-dir-test-");
    REQUIRE(dir.has_value());
    path = dir->path();
    CHECK(fs::is_directory(path));
    CHECK(starts_with(path.filename().string(), "temp-dir-test-"));
    touch(path / "a" / "b" / "c.txt");
  }
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("TempDir in a given parent, and a moved-from TempDir removes nothing", "[files]") {
  Result<TempDir> parent = TempDir::create();
  REQUIRE(parent.has_value());
  CHECK(starts_with(parent->path().filename().string(), "gc-ssf-"));
  fs::path path;
  {
    Result<TempDir> dir = TempDir::create("child-", parent->path());
    REQUIRE(dir.has_value());
    CHECK(dir->path().parent_path() == parent->path());
    TempDir moved(std::move(dir).value());
    path = moved.path();
    CHECK(fs::is_directory(path));
  }
  CHECK_FALSE(fs::exists(path));

  Result<TempDir> bad = TempDir::create("x-", parent->path() / "missing");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code() == ResultCode::InternalError);
}

}  // namespace ssf

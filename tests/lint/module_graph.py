#!/usr/bin/python3
"""The module graph of architecture.md, checked on every include (style.md section 6, item 1).

Usage: module_graph.py <source root>     run the self-test, then check <source root>/lib
       module_graph.py --self-test       run the self-test only

Every .h/.cpp under lib/<module>/ may include, from another gc-ssf module, only that module's
public header <module>/<module>.h, and only when architecture.md lets its module depend on that
one. Nothing in lib/ may include anything from cli/. A directory under lib/ that is not in
ALLOWED below is a violation: a new module is added here, with its place in the graph.
System and third-party includes (<...>) are ignored, unless they name a file of lib/ or cli/.

One line per violation, then exit status 1:
  lib/config/foo.cpp:12: includes "runtime/runtime.h": config may not depend on runtime
"""

import os
import re
import sys
import tempfile

# Who may depend on whom, transitively closed: core <- config <- types <- {runtime, dispatch,
# apphost}; core <- image <- registry; core <- remote <- deploy. On the serving path calls go
# runtime -> dispatch -> apphost, never back (callbacks handed down are not includes).
ALLOWED = {
    "core": set(),
    "config": {"core"},
    "types": {"config", "core"},
    "apphost": {"types", "config", "core"},
    "dispatch": {"apphost", "types", "config", "core"},
    "runtime": {"dispatch", "apphost", "types", "config", "core"},
    "image": {"core"},
    "registry": {"image", "core"},
    "remote": {"core"},
    "deploy": {"remote", "core"},
}

SOURCE_SUFFIXES = (".h", ".hpp", ".hh", ".cpp", ".cc", ".cxx", ".inc")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def strip_block_comments(lines):
    """Yields (line number, text) with /* ... */ comments blanked, so that a commented-out
    include is not read as one. Line comments need no care: an include starts its line."""
    in_comment = False
    for number, line in enumerate(lines, 1):
        out = []
        i = 0
        while i < len(line):
            if in_comment:
                end = line.find("*/", i)
                if end < 0:
                    i = len(line)
                else:
                    in_comment = False
                    i = end + 2
            else:
                start = line.find("/*", i)
                slash = line.find("//", i)
                if start < 0 or (0 <= slash < start):
                    out.append(line[i:])
                    i = len(line)
                else:
                    out.append(line[i:start])
                    in_comment = True
                    i = start + 2
        yield number, "".join(out)


def classify(root, including_file, spelling, quoted):
    """Returns (area, module, path relative to lib/) for an include: area is "lib", "cli" or
    None (something else, ignored). `module` may be a name missing from ALLOWED."""
    lib = os.path.join(root, "lib")
    cli = os.path.join(root, "cli")
    candidates = []
    if quoted:  # the compiler looks beside the including file first
        candidates.append(os.path.join(os.path.dirname(including_file), spelling))
    candidates += [os.path.join(lib, spelling), os.path.join(root, spelling)]
    for candidate in candidates:
        if not os.path.isfile(candidate):
            continue
        real = os.path.normpath(os.path.abspath(candidate))
        for area, top in (("lib", lib), ("cli", cli)):
            top = os.path.normpath(os.path.abspath(top))
            if real.startswith(top + os.sep):
                rel = os.path.relpath(real, top).replace(os.sep, "/")
                module = rel.split("/")[0] if "/" in rel else None
                return area, module, rel
        return None, None, None  # an existing file outside lib/ and cli/ (include/ssf/app.h)
    if not quoted:
        return None, None, None  # system or third-party
    # A header that does not exist (yet): judged by how it is spelled.
    parts = os.path.normpath(spelling).replace(os.sep, "/").split("/")
    if parts[0] == "cli":
        return "cli", None, "/".join(parts[1:])
    if parts[0] == "lib" and len(parts) > 2:
        parts = parts[1:]
    if len(parts) > 1 and (parts[0] in ALLOWED or os.path.isdir(os.path.join(lib, parts[0]))):
        return "lib", parts[0], "/".join(parts)
    return None, None, None


def check(root):
    """Returns (number of files checked, list of violation lines)."""
    lib = os.path.join(root, "lib")
    violations = []
    checked = 0
    if not os.path.isdir(lib):
        return 0, [f"{lib}: no lib/ directory"]
    for entry in sorted(os.listdir(lib)):
        path = os.path.join(lib, entry)
        if os.path.isdir(path) and entry not in ALLOWED:
            violations.append(f"lib/{entry}: unknown module {entry}: add it to ALLOWED in "
                              f"tests/lint/module_graph.py with its place in architecture.md")
        elif os.path.isfile(path) and entry.endswith(SOURCE_SUFFIXES):
            violations.append(f"lib/{entry}: a source file outside every module")
    for dirpath, dirnames, filenames in os.walk(lib):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, lib).replace(os.sep, "/")
        if rel_dir == ".":
            continue
        module = rel_dir.split("/")[0]
        for name in sorted(filenames):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            file = os.path.join(dirpath, name)
            shown = f"lib/{rel_dir}/{name}"
            checked += 1
            with open(file, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
            for number, line in strip_block_comments(lines):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                quoted = m.group(1) == '"'
                spelling = m.group(2).strip()
                written = f'"{spelling}"' if quoted else f"<{spelling}>"
                area, target, rel = classify(root, file, spelling, quoted)
                where = f"{shown}:{number}: includes {written}"
                if area == "cli":
                    violations.append(f"{where}: lib/ may not depend on cli/")
                    continue
                if area != "lib":
                    continue
                if target is None:
                    violations.append(f"{where}: a header outside every module")
                    continue
                if target == module:
                    continue
                if module not in ALLOWED:
                    continue  # its directory is reported once above
                if target not in ALLOWED:
                    violations.append(f"{where}: {module} may not depend on {target} "
                                      f"(unknown module)")
                elif target not in ALLOWED[module]:
                    violations.append(f"{where}: {module} may not depend on {target}")
                elif rel != f"{target}/{target}.h":
                    violations.append(f"{where}: only {target}/{target}.h is public; "
                                      f"{rel} is private to {target}")
    return checked, violations


# The self-test: a tree with one of each kind of violation, and includes that must pass.
# Each file: (path, text); EXPECTED: (file:line, words the report must contain).
SELF_TEST_FILES = {
    "lib/core/core.h": '#pragma once\n#include "core/log.h"\n#include <vector>\n',
    "lib/core/log.h": "#pragma once\n",
    "lib/core/up.cpp": '#include "core/core.h"\n#include "config/config.h"\n',
    "lib/config/config.h": '#pragma once\n#include "config/value.h"\n#include "core/core.h"\n',
    "lib/config/value.h": "#pragma once\n",
    "lib/config/foo.cpp": ('#include "config/config.h"\n'
                           '#include "value.h"\n'
                           "// #include \"runtime/runtime.h\"\n"
                           "/* #include \"runtime/runtime.h\"\n"
                           '#include "runtime/runtime.h"\n'
                           "*/\n" + "\n" * 5 +
                           '#include "runtime/runtime.h"\n'),
    "lib/config/bar.cpp": '#include "core/log.h"\n',
    "lib/types/types.h": '#pragma once\n#include "config/value.h"\n',
    "lib/runtime/runtime.h": '#pragma once\n#include "dispatch/dispatch.h"\n',
    "lib/runtime/server.cpp": ('#include "runtime/runtime.h"\n#include "types/types.h"\n'
                               '#include "core/core.h"\n#include <boost/beast.hpp>\n'
                               '#include "../cli/context.h"\n'),
    "lib/dispatch/dispatch.h": '#pragma once\n#include "apphost/apphost.h"\n',
    "lib/apphost/apphost.h": '#pragma once\n#include <ssf/app.h>\n',
    "lib/apphost/back.cpp": '#include "dispatch/dispatch.h"\n',
    "lib/image/image.h": "#pragma once\n",
    "lib/image/layer/tar.cpp": '#include "../image.h"\n#include <registry/registry.h>\n',
    "lib/registry/registry.h": '#pragma once\n#include "image/image.h"\n',
    "lib/remote/remote.h": '#pragma once\n#include "cli/context.h"\n',
    "lib/deploy/deploy.h": ('#pragma once\n#include "remote/remote.h"\n'
                            '#include "image/image.h"\n#include "gadget/gadget.h"\n'),
    "lib/gadget/gadget.h": "#pragma once\n",
    "lib/stray.cpp": "\n",
    "cli/context.h": "#pragma once\n",
    "include/ssf/app.h": "#pragma once\n",
}
SELF_TEST_EXPECTED = [
    ("lib/core/up.cpp:2:", 'includes "config/config.h": core may not depend on config'),
    ("lib/config/foo.cpp:12:", 'includes "runtime/runtime.h": config may not depend on runtime'),
    ("lib/config/bar.cpp:1:", "only core/core.h is public"),
    ("lib/types/types.h:2:", "config/value.h is private to config"),
    ("lib/runtime/server.cpp:5:", "lib/ may not depend on cli/"),
    ("lib/apphost/back.cpp:1:", "apphost may not depend on dispatch"),
    ("lib/image/layer/tar.cpp:2:", "image may not depend on registry"),
    ("lib/remote/remote.h:2:", "lib/ may not depend on cli/"),
    ("lib/deploy/deploy.h:3:", "deploy may not depend on image"),
    ("lib/deploy/deploy.h:4:", "deploy may not depend on gadget (unknown module)"),
    ("lib/gadget:", "unknown module gadget"),
    ("lib/stray.cpp:", "outside every module"),
]


def self_test():
    """Returns a list of failures: expected violations not reported, unexpected ones reported."""
    with tempfile.TemporaryDirectory(prefix="module-graph-") as root:
        for rel, text in SELF_TEST_FILES.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        _, violations = check(root)
    failures = []
    unmatched = list(violations)
    for prefix, words in SELF_TEST_EXPECTED:
        hits = [v for v in unmatched if v.startswith(prefix) and words in v]
        if not hits:
            failures.append(f"not reported: {prefix} ... {words}")
        for hit in hits:
            unmatched.remove(hit)
    failures += [f"reported but not expected: {v}" for v in unmatched]
    return failures


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    failures = self_test()
    if failures:
        for failure in failures:
            print(f"module graph self-test: {failure}")
        print("module graph self-test: FAILED")
        return 1
    print(f"module graph self-test: {len(SELF_TEST_EXPECTED)} deliberate violations reported, OK")
    if argv[1] == "--self-test":
        return 0
    checked, violations = check(os.path.abspath(argv[1]))
    for violation in violations:
        print(violation)
    if violations:
        print(f"module graph: {checked} files checked, {len(violations)} violation(s)")
        return 1
    print(f"module graph: {checked} files checked, OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Config errors: one line naming file, line, column and field; the right result code."""
import re

from conftest import SHARED_DIR, write

GOOD = (SHARED_DIR / "reference/configs/simple/ssf_config.yaml").read_text()


def config_with(workdir, text, name="ssf_config.yaml"):
    path = write(workdir / "app" / name, text)
    return str(path.relative_to(workdir))


def error_line(run):
    lines = [l for l in run.stderr.splitlines() if "ERROR" in l]
    assert lines, run.output
    return lines[-1]


def test_reference_configs_load(gc_ssf):
    for config in sorted((SHARED_DIR / "reference/configs").rglob("*.yaml")):
        run = gc_ssf("--config", str(config), "init")
        assert run.code == 0, (config, run.output)


def test_malformed_yaml(gc_ssf, workdir):
    cfg = config_with(workdir, "application:\n  id: [unclosed\n")
    run = gc_ssf("--config", cfg, "init")
    assert run.code == 34
    assert re.search(r"ssf_config\.yaml:\d+:\d+: ", error_line(run))


def test_unknown_type_names_position_and_field(gc_ssf, workdir):
    text = GOOD.replace("type: Integer", "type: Integr", 1)
    cfg = config_with(workdir, text)
    line = next(i + 1 for i, l in enumerate(text.splitlines()) if "Integr" in l and "Integer" not in l)
    run = gc_ssf("--config", cfg, "init")
    assert run.code == 34
    message = error_line(run)
    assert re.search(rf"ssf_config\.yaml:{line}:\d+: endpoints\[0\]\.inputs\[0\]\.type: "
                     r"unknown type 'Integr' \(expected one of String, Integer, ", message), message


def test_required_fields(gc_ssf, workdir):
    cases = {
        "no application": ("ssf_version: 1.0.0\nendpoints: []\n", "application"),
        "no endpoints": ("application:\n  id: a\n  module: m.py\n", "endpoints"),
        "no module": ("application:\n  id: a\nendpoints: []\n", "module"),
        "space in id": ("application:\n  id: a b\n  module: m.py\nendpoints: []\n", "application.id"),
        "no type": ("application:\n  id: a\n  module: m.py\nendpoints:\n  - id: e\n"
                    "    inputs:\n      - id: x\n    outputs: []\n", "type"),
    }
    for name, (text, field) in cases.items():
        cfg = config_with(workdir, text)
        run = gc_ssf("--config", cfg, "init")
        assert run.code == 34, (name, run.output)
        message = error_line(run)
        assert re.search(r"ssf_config\.yaml:\d+:\d+: ", message), (name, message)
        assert field in message, (name, message)


def test_ssf_version_out_of_range_is_an_argument_error(gc_ssf, workdir):
    cfg = config_with(workdir, GOOD.replace("ssf_version: 1.0.0", "ssf_version: 9.0.0"))
    run = gc_ssf("--config", cfg, "init")
    assert run.code == 1
    assert "9.0.0" in run.stderr and "1.2.0" in run.stderr


def test_modify_config_errors(gc_ssf):
    for spec in ["application.ipus=many", "application=x", "endpoints=x", "application.trace=yes",
                 "no_equals_sign"]:
        run = gc_ssf("--config", "app/ssf_config.yaml", "init", "--modify-config", spec)
        assert run.code == 34, (spec, run.output)
        assert "Failed to modify config with" in run.stderr, spec


def test_modify_config_applies_before_validation(gc_ssf):
    run = gc_ssf("--config", "app/ssf_config.yaml", "init",
                 "--modify-config", "endpoints[0].inputs[0].type=Nope")
    assert run.code == 34
    assert "unknown type 'Nope'" in run.stderr


def test_upstream_warnings_are_kept(gc_ssf, workdir):
    text = GOOD.replace("module: my_application.py", "module: not_there.py")
    cfg = config_with(workdir, text)
    run = gc_ssf("--config", cfg, "init")
    assert run.code == 0
    assert "Application file not found relative to config - using specified module path." in run.log

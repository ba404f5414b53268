"""The command line as upstream's (ssf-behaviour.md §1): options, chaining, result codes."""
import json
import re

CONFIG = "app/ssf_config.yaml"

UPSTREAM_OPTIONS = [
    "--config", "--api", "--add-ssh-key", "--modify-config", "--file-log-level",
    "--stdout-log-level", "--host", "--port", "--replicate-application", "--key",
    "--watchdog-request-threshold", "--watchdog-request-average", "--watchdog-ready-period",
    "--batching-timeout", "--max-allowed-restarts", "--stop-on-error", "--prometheus-disabled",
    "--prometheus-buckets", "--prometheus-endpoint", "--prometheus-port", "--package-baseimage",
    "--package-name", "--package-tag", "--docker-username", "--docker-password",
    "--container-server", "--deploy-platform", "--deploy-name", "--deploy-package",
    "--deploy-custom-args", "--deploy-gcore-target-username", "--deploy-gcore-target-address",
    "--deploy-paperspace-registry", "--deploy-paperspace-project-id",
    "--deploy-paperspace-cluster-id", "--deploy-paperspace-api-key",
    "--deploy-paperspace-replicas", "--deploy-paperspace-spec-file", "--test-skip-stop",
    "--test-skip-start", "--enable-cors-middleware", "--cors-allow-origin-regex",
    "--cors-allow-credentials", "--cors-allow-methods", "--cors-allow-headers",
    "--cors-expose-headers", "--cors-max-age", "--enable-ssl", "--ssl-certificate-file",
    "--ssl-key-file", "--enable-session-authentication", "--session-authentication-module-file",
    "--session-authentication-timeout", "--fastapi-replicate-server", "--grpc-max-connections",
]
COMMANDS = ["init", "build", "run", "package", "test", "publish", "deploy"]


def logged_args(run):
    match = re.search(r"Arguments (\{.*\}) \(", run.log)
    assert match, run.log
    return json.loads(match.group(1))


def test_help_lists_every_command_and_option(gc_ssf):
    for flag in ("-h", "--help"):
        run = gc_ssf(flag)
        assert run.code == 0
        for option in UPSTREAM_OPTIONS + ["-ra", "-rs", "-p", "-c", "-a", "-k"]:
            assert option in run.stdout, option
        for command in COMMANDS:
            assert re.search(rf"^\s+{command}\s", run.stdout, re.M), command


def test_no_arguments_prints_help_and_succeeds(gc_ssf):
    run = gc_ssf()
    assert run.code == 0
    assert "--config" in run.stdout


def test_version(gc_ssf):
    run = gc_ssf("--version")
    assert run.code == 0
    assert run.stdout.strip() == "gc-ssf 1.2.0"


def test_options_without_commands_do_nothing(gc_ssf):
    run = gc_ssf("--config", "missing.yaml", "--port", "9000")
    assert run.code == 0


def test_bad_option_value_is_an_argument_error(gc_ssf):
    run = gc_ssf("--config", CONFIG, "--port", "abc", "init")
    assert run.code == 1
    assert "--port" in run.stderr
    run = gc_ssf("--config", CONFIG, "--api", "soap", "init")
    assert run.code == 1
    assert "--api" in run.stderr


def test_defaults_and_two_letter_options(gc_ssf):
    run = gc_ssf("--config", CONFIG, "init", "-ra", "3", "-rs=2", "--prometheus-buckets", "0.5", "1")
    assert run.code == 0, run.output
    args = logged_args(run)
    assert args["replicate_application"] == 3
    assert args["fastapi_replicate_server"] == 2
    assert args["prometheus_buckets"] == [0.5, 1.0]
    assert args["port"] == 8100 and args["host"] == "0.0.0.0" and args["api"] == "fastapi"
    assert args["batching_timeout"] == 1.0 and args["watchdog_ready_period"] == 5
    assert args["cors_allow_origin_regex"] == r"http.*://(?:localhost|127\.0\.0\.1)(?::\d+)?"
    assert args["session_authentication_timeout"] == 10080
    assert args["deploy_platform"] == "Gcore"
    assert args["key"] is None


def test_unknown_arguments_and_commands_are_warnings(gc_ssf):
    run = gc_ssf("X", "--config", CONFIG, "init", "--unknown", "Y")
    assert run.code == 0, run.output
    assert "Ignoring unknown arguments ['--unknown']" in run.log
    assert "Ignoring unknown SSF commands ['X', 'Y']" in run.log
    args = logged_args(run)
    assert args["commands"] == ["X", "Y", "init"]


def test_commands_run_in_fixed_order_and_first_failure_stops(gc_ssf):
    # package fails (its default base is on Docker Hub, which cannot be reached here): deploy never runs.
    run = gc_ssf("--config", CONFIG, "deploy", "package", "init")
    assert run.code == 36
    log = run.log
    assert log.index("==== Init ====") < log.index("==== Package ====")
    assert "==== Deploy ====" not in log
    assert "Failure packaging" in run.stderr
    assert "Exit with 36" in log


def test_publish_with_deploy_needs_deploy_package(gc_ssf):
    run = gc_ssf("--config", CONFIG, "publish", "deploy")
    assert run.code == 1
    assert "use `--deploy-package`" in run.stderr


def test_deploy_name_without_spaces(gc_ssf):
    run = gc_ssf("--config", CONFIG, "--deploy-name", "my app", "init")
    assert run.code == 1
    assert "--deploy-name should not contain any space" in run.stderr


def test_add_ssh_key_needs_the_variable(gc_ssf):
    run = gc_ssf("--config", CONFIG, "--add-ssh-key", "TEST_SSH_KEY", "init")
    assert run.code == 5
    assert "SSH key 'TEST_SSH_KEY' must be set in environment" in run.stderr


def test_missing_config(gc_ssf):
    run = gc_ssf("--config", "nowhere/ssf_config.yaml", "init")
    assert run.code == 1
    assert "Missing config file" in run.stderr and "nowhere/ssf_config.yaml" in run.stderr
    run = gc_ssf("init")  # the default is ssf_config.yaml in the working directory
    assert run.code == 1
    assert "ssf_config.yaml" in run.stderr


def test_remote_config_without_init_hints(gc_ssf):
    run = gc_ssf("--config", "file:///nowhere/app|ssf_config.yaml", "build")
    assert run.code == 1
    assert "Did you forget to run 'init'" in run.stderr


def test_option_substitution_from_config(gc_ssf):
    run = gc_ssf("--config", CONFIG, "init", "--package-tag",
                 "repo:{{application.id}}-{{application.version}}",
                 "--package-name", "{{application.missing:fallback}}.tgz",
                 "--modify-config", "application.x={{application.id}}")
    assert run.code == 0, run.output
    args = logged_args(run)
    assert args["package_tag"] == "repo:simple-test-1.0"
    assert args["package_name"] == "fallback.tgz"
    assert args["modify_config"] == "application.x={{application.id}}"


def test_option_substitution_error_names_the_option(gc_ssf):
    run = gc_ssf("--config", CONFIG, "init", "--package-tag", "repo:{{application.nothing}}")
    assert run.code == 34
    assert "--package-tag" in run.stderr and "application.nothing" in run.stderr


def test_self_package_mode_needs_no_config(gc_ssf):
    run = gc_ssf("package", "--package-baseimage", "scratch")
    assert run.code == 0, run.output
    assert "Self-package/publish" in run.log
    assert "simple-server-framework" in run.log

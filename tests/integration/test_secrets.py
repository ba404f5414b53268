"""No secret is ever logged: not in ssf.log, not on stdout, not on stderr."""

SECRETS = {"password": "hunter2-Pa55word", "key": "k3y-0f-the-api", "ssh": "-----PRIVATE-xyz-----"}


def test_secrets_never_reach_the_log_or_terminal(gc_ssf):
    for level in ("DEBUG", "INFO"):
        run = gc_ssf("--config", "app/ssf_config.yaml", "init", "--file-log-level", "DEBUG",
                     "--stdout-log-level", level, "--docker-username", "me",
                     "--docker-password", SECRETS["password"], "--key", SECRETS["key"],
                     "--package-tag", "x:{{application.id}}")
        assert run.code == 0, run.output
        assert "Arguments" in run.log  # the arguments are logged, redacted
        for secret in SECRETS.values():
            assert secret not in run.log
            assert secret not in run.output


def test_secret_in_failing_call_is_redacted(gc_ssf):
    # Nothing was packaged, so publish fails (7) after the password was read.
    run = gc_ssf("--config", "app/ssf_config.yaml", "publish", "--docker-username", "me",
                 "--docker-password", SECRETS["password"], "--key", SECRETS["key"],
                 "--stdout-log-level", "DEBUG")
    assert run.code == 7
    for secret in SECRETS.values():
        assert secret not in run.log and secret not in run.output


def test_ssh_key_from_environment_is_never_shown(gc_ssf):
    # No ssh-agent runs for the test: the key is kept for deploy's own SSH client (upstream
    # failed with 5 here); it must not be shown either way.
    run = gc_ssf("--config", "app/ssf_config.yaml", "init", "--add-ssh-key", "MY_KEY",
                 "--file-log-level", "DEBUG", "--stdout-log-level", "DEBUG",
                 env={"MY_KEY": SECRETS["ssh"]})
    assert run.code == 0, run.output
    assert SECRETS["ssh"] not in run.log and SECRETS["ssh"] not in run.output

"""init: removes artifacts and generated files; clones remote configs with git."""
import subprocess

from conftest import FIXTURES, write


def test_init_removes_artifacts_files_only_not_recursive(gc_ssf, workdir):
    app = workdir / "app"
    doomed = [write(app / "a.artifact", "x"), write(app / "cache" / "c.bin", "x")]
    kept = [write(app / "deeper" / "b.artifact", "x"), write(app / "cache" / "keep.txt", "x"),
            write(app / "cache" / "sub" / "d.bin", "x")]
    (app / "dir.artifact").mkdir()
    venv = workdir / "ssf-simple-test-venv"
    write(venv / "bin" / "python", "")
    stale = write(workdir / "ssf-simple-test-endpoint-0-fastapi.py", "")

    run = gc_ssf("--config", "app/ssf_config.yaml", "init")
    assert run.code == 0, run.output
    assert not any(p.exists() for p in doomed)
    assert all(p.exists() for p in kept)
    assert (app / "dir.artifact").is_dir()
    assert not venv.exists() and not stale.exists()
    assert "Clean " in run.log


def git(*args, cwd):
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=cwd,
                   check=True, capture_output=True)


def make_repo(path):
    path.mkdir()
    git("init", "-q", "-b", "main", cwd=path)
    for f in ("ssf_config.yaml", "my_application.py"):
        write(path / "sub" / f, (FIXTURES / "simple" / f).read_text())
    git("add", ".", cwd=path)
    git("commit", "-q", "-m", "v1", cwd=path)
    git("tag", "v1", cwd=path)
    text = (path / "sub" / "ssf_config.yaml").read_text().replace("  version: 1.0\n", "  version: 2.0\n", 1)
    write(path / "sub" / "ssf_config.yaml", text)
    git("commit", "-q", "-am", "v2", cwd=path)


def test_init_clones_a_git_config(gc_ssf, workdir):
    make_repo(workdir / "origin")
    url = f"file://{workdir / 'origin'}"
    run = gc_ssf("--config", f"{url}|sub/ssf_config.yaml", "init", "--package-tag",
                 "{{application.version}}")
    assert run.code == 0, run.output
    assert (workdir / ".repo" / "origin" / "sub" / "ssf_config.yaml").exists()
    assert '"package_tag":"2.0"' in run.log

    run = gc_ssf("--config", f"{url}@v1|sub/ssf_config.yaml", "init", "--package-tag",
                 "{{application.version}}")
    assert run.code == 0, run.output
    assert '"package_tag":"1.0"' in run.log


def test_clone_failure_is_a_git_error(gc_ssf, workdir):
    run = gc_ssf("--config", f"file://{workdir}/no-such-repo", "init")
    assert run.code == 13
    assert "Git clone errored" in run.stderr

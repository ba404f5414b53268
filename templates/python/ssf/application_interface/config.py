"""SSFConfig: what an application is given as `ssf_config`."""
from argparse import Namespace


class SSFConfig:
    """The config as upstream hands it to applications.

    config_dict  the expanded YAML, as a dict
    args         the command-line options, as an argparse.Namespace (args.port, args.key, ...)
    unknown_args the command-line words that gc-ssf did not recognise
    application  id, name, version, file, dir, file_dir, venv_dir, ...
    """

    def __init__(self, config_dict=None, args=None, unknown_args=None, application=None):
        self.config_dict = config_dict or {}
        self.args = args if args is not None else Namespace()
        self.unknown_args = unknown_args or []
        self.application = application if application is not None else Namespace()
        self.ssf_version = str(self.config_dict.get("ssf_version", "0.0.1"))

    def __repr__(self):
        return f"SSFConfig(config_dict={self.config_dict!r}, args={self.args!r}, unknown_args={self.unknown_args!r})"

# lit configuration for vexa's FileCheck tests. Run through pytest (tests/test_lit.py)
# or directly: `lit -v tests/filecheck`.
import os
import shutil
import sys

import lit.formats

config.name = "vexa"
config.test_format = lit.formats.ShTest()
config.suffixes = [".mlir", ".s", ".test"]
config.excludes = ["inputs", "lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)

# lit drops most of the environment: keep the interpreter's bin dir first on PATH so
# the installed console scripts are found, and pass the Python path and caches through.
bin_dir = os.path.dirname(sys.executable)
config.environment["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
for var in ("PYTHONPATH", "HOME", "NUMBA_CACHE_DIR", "VEXA_TRACEBACK", "TMPDIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

for tool in ("vexa-opt", "vexa-translate", "vexa-run", "filecheck"):
    if shutil.which(tool, path=config.environment["PATH"]) is None:
        lit_config.fatal(f"'{tool}' not found on PATH ({bin_dir}): install vexa with its test extras")

inputs = os.path.join(os.path.dirname(__file__), "inputs")
config.substitutions.append(("%inputs", inputs))
config.substitutions.append(("%python", sys.executable))

"""The wheel carries the commented config.toml and the sample feeds from the repository root,
so that `stationdesk config init` and `stationdesk import` of a sample work after `pip install`.
They are copied into the built package (stationdesk/data/) rather than kept twice in the tree."""

from pathlib import Path
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
SHIPPED = {"config.toml": "data/config.toml"}
SHIPPED.update({f"data/{p.name}": f"data/samples/{p.name}" for p in sorted((ROOT / "data").glob("sample_feed*"))})


class BuildWithShippedFiles(build_py):
    def run(self) -> None:
        super().run()
        for src, dest in SHIPPED.items():
            target = Path(self.build_lib) / "stationdesk" / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / src, target)


setup(cmdclass={"build_py": BuildWithShippedFiles})

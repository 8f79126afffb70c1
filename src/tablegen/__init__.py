"""tablegen: 项目支出绩效目标表 kept as YAML, validated, and built into DOCX/PDF/HTML/XLSX."""

__version__ = "0.1.0"  # the package's version (pyproject.toml reads it from here)
# The distribution's name (pyproject.toml): "tablegen" on the public index is another project.
DISTRIBUTION = "tablegen-jixiao"

from .build import build, check  # noqa: E402
from .errors import Finding, InvalidData, Pos, Report, TablegenError  # noqa: E402

__all__ = ["build", "check", "Finding", "InvalidData", "Pos", "Report", "TablegenError"]

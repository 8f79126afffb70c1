"""tablegen: 项目支出绩效目标表 kept as YAML, validated, and built into DOCX/PDF/HTML/XLSX."""

from .build import build, check
from .errors import Finding, InvalidData, Pos, Report, TablegenError

__all__ = ["build", "check", "Finding", "InvalidData", "Pos", "Report", "TablegenError"]
__version__ = "0.1.0"

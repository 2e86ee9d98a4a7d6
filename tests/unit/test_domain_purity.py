"""The domain package stays free of Flask and the database (style.md)."""
import ast
import pathlib

DOMAIN = pathlib.Path(__file__).resolve().parents[2] / "procurement" / "domain"
FORBIDDEN = ("flask", "flask_sqlalchemy", "sqlalchemy", "flask_babel", "flask_login", "wtforms")


def test_domain_imports_neither_flask_nor_the_database():
    offenders = []
    for path in DOMAIN.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN or name.startswith("procurement.") and not name.startswith("procurement.domain"):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []

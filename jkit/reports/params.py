"""A notebook's ``parameters`` cell: read it, describe it, and validate overrides against it.

A parameters cell holds one literal assignment per line, documented by the comment on that line::

    window = "14D"  # funnel window: a pandas duration such as "7D"
    order = "ordered"  # one of: ordered, strict, any
    threshold = 0.05  # significance level; range: 0..1

The type of a parameter is inferred from its default (``bool``, ``int``, ``float``, ``str``,
``list``, ``dict``; a ``None`` default accepts any literal) or read from an annotation
(``region: str = None``). The comment may declare choices (``one of: a, b, c``) and a closed range
(``range: LO..HI``, either bound may be left out), and words a number also accepts
(``also: auto``, for ``n_personas: int = "auto"``), and text parameters may declare a shape with the
rule words of :mod:`jkit.reports.rules` (``a duration``, ``a date``, ``list of: …``, ``names``,
``a name``, ``a path``, ``an existing path``, ``a stage model``, ``a name or path``, ``a time zone``). Overrides are checked here, before any kernel
starts: an unknown name, a wrong type or an out-of-range value raises
:class:`~jkit.errors.ParameterError` naming the notebook, the parameter and what it accepts.
"""

from __future__ import annotations

import ast
import io
import json
import math
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jkit.errors import MissingResourceError, ParameterError
from jkit.reports.rules import (
    allows_empty,
    check_kind,
    check_literal,
    kind_words,
    parse_also,
    parse_bounds,
    parse_choices,
    parse_kind,
)

__all__ = ["Parameter", "parse_parameters", "read_parameters", "validate_overrides", "coerce_text"]

_TYPES = {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}
_ANNOTATIONS = {"bool", "int", "float", "str", "list", "dict"}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass(frozen=True)
class Parameter:
    """One documented parameter of a notebook.

    Attributes
    ----------
    name : str
        The variable name.
    type : str
        ``"bool"``, ``"int"``, ``"float"``, ``"str"``, ``"list"``, ``"dict"`` or ``"any"``.
    default : object
        The literal default from the parameters cell.
    help : str
        The comment on the parameter's line (without ``#``).
    choices : tuple or None
        The accepted values, when the comment says ``one of: …``.
    low, high : float or None
        The closed range, when the comment says ``range: LO..HI``.
    nullable : bool
        Whether ``None`` is accepted (a ``None`` default or an ``Optional`` annotation).
    also : tuple of str
        Words accepted besides the type, when the comment says ``also: …`` (``"auto"`` for a count).
    kind : str or None
        The shape of a text value (``"duration"``, ``"date"``, ``"path"``…; see :mod:`jkit.reports.rules`).
    items : tuple of str or None
        The accepted items of a ``list of: …`` parameter.
    """

    name: str
    type: str
    default: Any
    help: str = ""
    choices: tuple | None = None
    low: float | None = None
    high: float | None = None
    nullable: bool = False
    also: tuple[str, ...] = ()
    kind: str | None = None
    items: tuple[str, ...] | None = None

    @property
    def empty_ok(self) -> bool:
        """Whether the empty text is accepted (an empty default, or ``empty: …`` in the comment)."""
        return allows_empty(self.help, self.default)

    def accepts(self) -> str:
        """What the parameter accepts, in words: ``'a number from 0 to 1'``."""
        if self.choices is not None:
            words = "one of " + ", ".join(repr(c) for c in self.choices)
        elif self.kind is not None:
            words = kind_words(self.kind, self.items, as_list=self.type == "list")
            words += ", or empty" if self.empty_ok else ""
        else:
            words = {
                "bool": "true or false",
                "int": "a whole number",
                "float": "a number",
                "str": "text",
                "list": "a list such as [1, 2]",
                "dict": "a mapping such as {a: 1}",
                "any": "any literal value",
            }[self.type]
            if self.low is not None and self.high is not None:
                words += f" from {self.low:g} to {self.high:g}"
            elif self.low is not None:
                words += f" of at least {self.low:g}"
            elif self.high is not None:
                words += f" of at most {self.high:g}"
        for word in self.also:
            words += f", or {word!r}"
        if self.nullable and self.type != "any":
            words += " (or None)"
        return words

    def check(self, value: Any, *, notebook: str, source: str = "") -> Any:
        """Return ``value`` converted to this parameter's type, or raise :class:`ParameterError`.

        ``value`` is a typed value (from Python or YAML). An ``int`` is accepted for a
        ``float`` parameter; a ``bool`` is not accepted for a number.
        """
        where = f" (from {source})" if source else ""

        def bad(reason: str) -> ParameterError:
            return ParameterError(
                f"{notebook}: parameter {self.name!r}{where}: {reason}; it accepts {self.accepts()}"
            )

        if value is None:
            if self.nullable:
                return None
            raise bad("None is not accepted")
        if isinstance(value, str) and value in self.also:
            return value
        t = self.type
        if t == "bool":
            if not isinstance(value, bool):
                raise bad(f"{value!r} is not true or false")
        elif t == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise bad(f"{value!r} is not a whole number")
        elif t == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise bad(f"{value!r} is not a number")
            value = float(value)
            if math.isinf(value):
                raise bad(f"{value!r} is not a finite number")
        elif t == "str":
            if not isinstance(value, str):
                raise bad(f"{value!r} is not text (quote it in YAML: '{value}')")
        elif t == "list":
            if isinstance(value, tuple):
                value = list(value)
            if not isinstance(value, list):
                raise bad(f"{value!r} is not a list")
        elif t == "dict" and not isinstance(value, dict):
            raise bad(f"{value!r} is not a mapping")
        if t in ("any", "list", "dict"):
            check_literal(value, bad)
        if self.kind is not None:
            if value == "" or value == []:
                if not self.empty_ok:
                    raise bad("the empty text is not accepted")
            elif not (isinstance(value, str) and value in self.also):
                check_kind(self.kind, value, items=self.items, base=None, bad=bad)
        if self.choices is not None and value not in self.choices:
            raise bad(f"{value!r} is not allowed")
        if t in ("int", "float"):
            if isinstance(value, float) and math.isnan(value):
                raise bad("nan is not allowed")
            if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
                raise bad(f"{value!r} is out of range")
        return value

    def check_text(self, text: str, *, notebook: str, source: str = "command line") -> Any:
        """Convert a command-line string (``-p name=value``) to this parameter's type, then check it."""
        return self.check(coerce_text(text, self), notebook=notebook, source=source)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "help": self.help,
            "accepts": self.accepts(),
        }


def coerce_text(text: str, param: Parameter) -> Any:
    """Read a command-line string as ``param``'s type; leave it as is when it cannot be read.

    Text parameters keep the string unchanged (``-p region=2024`` is the text ``"2024"``);
    ``None``/``null`` give ``None`` for nullable parameters; lists, dicts and untyped
    parameters are read as YAML (``-p stages='[a, b]'``).
    """
    stripped = text.strip()
    if param.nullable and stripped in ("None", "null", "~"):
        return None
    if stripped in param.also:
        return stripped
    t = param.type
    if t == "str":
        return text
    if t == "bool":
        low = stripped.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        return text
    if t == "int":
        try:
            return int(stripped.replace("_", ""))
        except ValueError:
            return text
    if t == "float":
        try:
            return float(stripped.replace("_", ""))
        except ValueError:
            return text
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if t == "any" and value is None and stripped not in ("None", "null", "~", ""):
        return text
    return value


def _comments_by_line(source: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):  # pragma: no cover - ast.parse caught it already
        pass
    return comments


def _annotation(node: ast.expr | None) -> tuple[str | None, bool]:
    """``int`` -> ("int", False); ``int | None`` / ``Optional[int]`` -> ("int", True)."""
    if node is None:
        return None, False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "int" as a string
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None, False
    if isinstance(node, ast.Name) and node.id in _ANNOTATIONS:
        return node.id, False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        names = [n for n in (node.left, node.right) if not (isinstance(n, ast.Constant) and n.value is None)]
        if len(names) == 1:
            return _annotation(names[0])[0], True
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Optional":
        return _annotation(node.slice)[0], True
    return None, False


def _assignment(node: ast.stmt, notebook: str) -> tuple[str, ast.expr, ast.expr | None] | None:
    """``(name, value, annotation)`` of a parameter line; None for an import or a docstring."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id, node.value, None
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target.id, node.value, node.annotation
    if isinstance(node, ast.Import | ast.ImportFrom) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
        return None
    raise ParameterError(
        f"{notebook}: parameters cell line {node.lineno}: expected one 'name = literal  # help' assignment per line"
    )


def parse_parameters(source: str, *, notebook: str = "notebook") -> dict[str, Parameter]:
    """Read the parameters of a ``parameters`` cell's source.

    Parameters
    ----------
    source : str
        The cell's Python source: ``name = literal  # help`` lines.
    notebook : str, default "notebook"
        The notebook's name, for messages.

    Returns
    -------
    dict of str to Parameter
        In the cell's order.

    Raises
    ------
    ParameterError
        When the cell is not valid Python, a default is not a literal, or a default breaks its
        own declared choices or range.

    Examples
    --------
    >>> parse_parameters("alpha = 0.05  # level; range: 0..1")["alpha"].accepts()
    'a number from 0 to 1'
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{notebook}: the parameters cell is not valid Python: {exc.msg} (line {exc.lineno})") from None
    comments = _comments_by_line(source)
    params: dict[str, Parameter] = {}
    for node in tree.body:
        found = _assignment(node, notebook)
        if found is None:
            continue
        name, value_node, annotation = found
        try:
            default = ast.literal_eval(value_node)
        except (ValueError, SyntaxError):
            raise ParameterError(
                f"{notebook}: parameter {name!r} (line {node.lineno}): the default must be a literal "
                "(text, number, True/False, None, list or dict), not an expression"
            ) from None
        if isinstance(default, tuple):
            default = list(default)
        help_text = comments.get(node.end_lineno or node.lineno, "")
        declared, optional = _annotation(annotation)
        if declared is not None:
            type_ = declared
        elif default is None:
            type_ = "any"
        else:
            type_ = _TYPES.get(type(default), "any")
        nullable = optional or default is None
        low, high = parse_bounds(help_text, name, notebook)
        kind, items = parse_kind(help_text) if type_ in ("str", "list", "any") else (None, None)
        param = Parameter(
            name=name,
            type=type_,
            default=default,
            help=help_text,
            choices=parse_choices(help_text, type_),
            low=low,
            high=high,
            nullable=nullable,
            also=parse_also(help_text),
            kind=kind,
            items=items,
        )
        param.check(default, notebook=notebook, source="its own default")
        params[name] = param
    return params


def parameters_cell(nb: Mapping) -> Mapping | None:
    """The first cell tagged ``parameters`` of a notebook node, or None."""
    for cell in nb.get("cells", []):
        if "parameters" in (cell.get("metadata", {}).get("tags") or []):
            return cell
    return None


def read_parameters(path: str | Path) -> dict[str, Parameter]:
    """The parameters of the notebook at ``path`` (empty when it has no ``parameters`` cell).

    Examples
    --------
    >>> read_parameters("notebooks/05-data-overview.ipynb")["data_dir"].default   # doctest: +SKIP
    '../data/sample'
    """
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MissingResourceError(f"{path.name}: no such notebook") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{path.name}: not a readable notebook: {exc}") from None
    cell = parameters_cell(nb)
    if cell is None:
        return {}
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    return parse_parameters(source, notebook=path.stem)


def validate_overrides(
    notebook: str,
    declared: Mapping[str, Parameter],
    overrides: Mapping[str, Any],
    *,
    text: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Check overrides against a notebook's declared parameters; return the converted values.

    Parameters
    ----------
    notebook : str
        The notebook's name, for messages.
    declared : mapping of str to Parameter
        From :func:`read_parameters`.
    overrides : mapping of str to object
        Typed values (Python, YAML).
    text : mapping of str to str, optional
        Command-line strings; they win over ``overrides`` of the same name.
    sources : mapping of str to str, optional
        Where each override came from (``"reports.yaml"``), for messages.

    Returns
    -------
    dict
        Converted overrides (not the defaults), in the notebook's parameter order.

    Raises
    ------
    ParameterError
        Unknown name, wrong type, value not among the choices or out of range.

    Examples
    --------
    >>> p = parse_parameters("n = 3  # clusters; range: 2..10")
    >>> validate_overrides("04-personas", p, {}, text={"n": "5"})
    {'n': 5}
    """
    sources = sources or {}
    merged: dict[str, tuple[Any, bool]] = {k: (v, False) for k, v in overrides.items()}
    merged.update({k: (v, True) for k, v in (text or {}).items()})
    unknown = [k for k in merged if k not in declared]
    if unknown:
        known = ", ".join(declared) if declared else "none"
        raise ParameterError(
            f"{notebook}: unknown parameter {unknown[0]!r}"
            + (f" (from {sources[unknown[0]]})" if unknown[0] in sources else "")
            + f"; this notebook's parameters are: {known} (see `jkit run --list`)"
        )
    out: dict[str, Any] = {}
    for name, param in declared.items():
        if name not in merged:
            continue
        value, is_text = merged[name]
        source = sources.get(name, "command line" if is_text else "")
        if is_text:
            checked = param.check_text(value, notebook=notebook, source=source)
        else:
            checked = param.check(value, notebook=notebook, source=source)
        where = f" (from {source})" if source else ""
        out[name] = plain_data(checked, f"{notebook}: parameter {name!r}{where}")
    return out


_PLAIN = (str, int, float, bool, type(None))


def plain_data(value: Any, where: str, depth: int = 0) -> Any:
    """``value`` when it is plain data — text, numbers, booleans, None, and lists/dicts of those.

    Anything else (bytes from a YAML ``!!binary`` tag, dates, sets, objects) is refused: papermill
    writes parameter values into the notebook as code, and only plain data is written as a literal
    that cannot break out of its quotes (issue 16).
    """
    if depth > 20:
        raise ParameterError(f"{where}: nested too deeply; parameters are plain text, numbers, lists and dicts")
    if isinstance(value, _PLAIN):
        if isinstance(value, float) and value != value:
            raise ParameterError(f"{where}: nan is not a value a report parameter takes")
        return value
    if isinstance(value, list | tuple):
        return [plain_data(v, where, depth + 1) for v in value]
    if isinstance(value, dict):
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            raise ParameterError(f"{where}: dict keys must be text, found {bad[0]!r}")
        return {k: plain_data(v, f"{where}[{k!r}]", depth + 1) for k, v in value.items()}
    raise ParameterError(
        f"{where}: a {type(value).__name__} value is not accepted; report parameters are plain text, numbers, "
        "true/false, null, and lists or dicts of those (YAML tags such as !!binary, dates and sets are refused; "
        "quote a date to pass it as text)"
    )

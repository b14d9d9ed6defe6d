"""Executing one notebook with papermill in the project's kernel, and checking that kernel exists.

Papermill is called as ``papermill.execute_notebook`` (looked up at call time), so tests can
replace it and count kernel starts.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jkit.errors import MissingResourceError

__all__ = ["KERNEL_NAME", "Execution", "check_kernel", "execute"]

KERNEL_NAME = "jkit"
INSTALL_HINT = (
    "install it with `make setup`, or with "
    '`.venv/bin/python -m ipykernel install --sys-prefix --name jkit --display-name "Python (jkit)"`'
)


@dataclass
class Execution:
    """What happened when a notebook ran.

    Attributes
    ----------
    ok : bool
        Whether every cell ran without an error.
    duration : float
        Seconds from kernel start to the end.
    error : str
        One line: ``"NameError: name 'x' is not defined"`` (empty when ok).
    cell : int or None
        The execution count (``In [n]``) of the failing cell, when known.
    traceback : str
        The error's traceback as plain text (empty when ok).
    ename, evalue : str
        The exception's class name (``"ReportSkipped"``) and message, when a cell raised.
    """

    ok: bool
    duration: float
    error: str = ""
    cell: int | None = None
    traceback: str = ""
    ename: str = ""
    evalue: str = ""


def check_kernel(name: str = KERNEL_NAME) -> None:
    """Raise :class:`~jkit.errors.MissingResourceError` unless the Jupyter kernel ``name`` is installed."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise MissingResourceError(
            f"the Jupyter kernel {name!r} that the report notebooks use is not installed; {INSTALL_HINT}"
        ) from None


def _one_line(text: Any, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _kernel_manager_class(stderr: Any):
    """A kernel manager whose kernels write their own stderr (start-up warnings) to ``stderr``."""
    from jupyter_client import AsyncKernelManager

    class _KernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw["stderr"] = stderr
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return _KernelManager


def use_literal_translator() -> None:
    """Make papermill write Python parameters as ``repr`` of validated plain data (issue 16)."""
    from papermill.translators import papermill_translators

    papermill_translators.register("python", _literal_translator())


@functools.lru_cache(maxsize=1)
def _literal_translator():
    from papermill.translators import PythonTranslator

    class _Literal(PythonTranslator):
        """Parameters as Python literals that cannot break out: ``repr`` of validated plain data.

        Papermill's own fallback writes ``str(value)`` between quotes for types it does not know
        (bytes from a YAML ``!!binary`` tag), which a crafted value escaped from (issue 16).
        """

        @classmethod
        def translate(cls, val):
            from jkit.reports.params import plain_data

            value = plain_data(val, "report parameter")
            if isinstance(value, float) and value in (float("inf"), float("-inf")):
                return f"float({str(value)!r})"
            return repr(value)

    return _Literal


def execute(
    notebook: str | Path,
    output: str | Path,
    parameters: dict[str, Any],
    *,
    cwd: str | Path,
    kernel: str = KERNEL_NAME,
    timeout: float | None = None,
    progress: dict | bool = False,
    kernel_stderr: Any = None,
) -> Execution:
    """Run ``notebook`` with ``parameters`` in ``cwd``; write the executed copy to ``output``.

    A notebook that raises is not an exception here: the result says what failed, and the
    executed copy (with the error in its failing cell) is at ``output``.

    Parameters
    ----------
    notebook, output : path
        The source notebook and where its executed copy goes.
    parameters : dict
        Validated parameter values (papermill injects them after the ``parameters`` cell).
    cwd : path
        The working directory of the kernel (the notebooks folder).
    kernel : str, default "jkit"
        The Jupyter kernel.
    timeout : float, optional
        Seconds allowed per cell.
    progress : bool or dict, default False
        Papermill's cell progress bar, or keyword arguments for its tqdm bar.
    kernel_stderr : file, optional
        Where the kernel process's own stderr goes (default: inherited); the runner sends it
        to the run log so that ``--quiet`` runs print nothing when all is well.

    Returns
    -------
    Execution
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError, strip_color

    use_literal_translator()
    extra = {"kernel_manager_class": _kernel_manager_class(kernel_stderr)} if kernel_stderr is not None else {}
    started = time.monotonic()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=kernel,
            cwd=str(cwd),
            progress_bar=progress,
            log_output=False,
            execution_timeout=timeout,
            **extra,
        )
    except PapermillExecutionError as exc:
        return Execution(
            ok=False,
            duration=time.monotonic() - started,
            error=_one_line(f"{exc.ename}: {strip_color(str(exc.evalue))}"),
            cell=exc.exec_count,
            traceback=strip_color("\n".join(exc.traceback)),
            ename=str(exc.ename).rsplit(".", 1)[-1],
            evalue=_one_line(strip_color(str(exc.evalue))),
        )
    except Exception as exc:  # a dead kernel, a cell timeout, a kernel that never started
        name = type(exc).__name__
        if "No such kernel" in str(exc) or name == "NoSuchKernel":
            raise MissingResourceError(f"the Jupyter kernel {kernel!r} is not installed; {INSTALL_HINT}") from None
        return Execution(
            ok=False,
            duration=time.monotonic() - started,
            error=_one_line(f"{name}: {strip_color(str(exc))}"),
            traceback=strip_color(str(exc)),
        )
    return Execution(ok=True, duration=time.monotonic() - started)

"""The stage model: an ordered list of journey stages, each signalled by a set of events.

Stage models live in small YAML files::

    name: five_stage
    stages:
      - name: awareness
        events: [ad_impression, ad_click]
      - name: consideration
        events: [product_view]

Three templates ship with jkit (``five_stage`` — the default —, ``seven_stage`` and
``ten_step``); :func:`load_stage_model` takes a template name or a path.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from jkit.errors import DataValidationError, MissingResourceError
from jkit.safe_yaml import parse_yaml, read_yaml

__all__ = ["Stage", "StageModel", "load_stage_model", "TEMPLATES", "DEFAULT_STAGE_MODEL"]

TEMPLATES = ("five_stage", "seven_stage", "ten_step")
DEFAULT_STAGE_MODEL = "five_stage"


@dataclass(frozen=True)
class Stage:
    """One journey stage: its name, the events that signal it, and a description."""

    name: str
    events: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class StageModel:
    """An ordered list of stages; an event belongs to at most one stage."""

    name: str
    stages: tuple[Stage, ...]
    description: str = ""
    source: str = field(default="", compare=False)
    #: events the data holds that no stage claims yet (drafted by ``jkit init``): accepted, with no stage
    unassigned: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = self.source or self.name
        if len(self.stages) < 2:
            raise DataValidationError(f"{where}: a stage model needs at least 2 stages, found {len(self.stages)}")
        seen_stage: set[str] = set()
        owner: dict[str, str] = {}
        for stage in self.stages:
            if stage.name in seen_stage:
                raise DataValidationError(f"{where}: stage {stage.name!r} is listed twice")
            seen_stage.add(stage.name)
            if not stage.events:
                raise DataValidationError(f"{where}: stage {stage.name!r} lists no events")
            for event in stage.events:
                if event in owner:
                    raise DataValidationError(
                        f"{where}: event {event!r} is listed under both {owner[event]!r} and "
                        f"{stage.name!r}; an event may signal one stage only"
                    )
                owner[event] = stage.name
        for event in self.unassigned:
            if event in owner:
                raise DataValidationError(
                    f"{where}: event {event!r} is listed under {owner[event]!r} and under 'unassigned'; keep one"
                )

    @property
    def names(self) -> list[str]:
        """Stage names in journey order."""
        return [s.name for s in self.stages]

    @property
    def events(self) -> list[str]:
        """Every event any stage knows, in stage order."""
        return [e for s in self.stages for e in s.events]

    @property
    def known_events(self) -> set[str]:
        """The events the data may hold: every stage's events and the unassigned ones."""
        return set(self.events) | set(self.unassigned)

    def stage_of(self) -> dict[str, str]:
        """Map each known event to its stage name."""
        return {e: s.name for s in self.stages for e in s.events}

    def stage_index(self) -> dict[str, int]:
        """Map each stage name to its 0-based position in the journey."""
        return {s.name: i for i, s in enumerate(self.stages)}

    def steps(self) -> list[set[str]]:
        """The stages as funnel steps (each a set of event names)."""
        return [set(s.events) for s in self.stages]

    def __getitem__(self, name: str) -> Stage:
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(f"no stage {name!r}; stages are {', '.join(self.names)}")

    def to_dict(self) -> dict:
        """A plain dict, as written to YAML."""
        out = {
            "name": self.name,
            "description": self.description,
            "stages": [
                {"name": s.name, "description": s.description, "events": list(s.events)} for s in self.stages
            ],
        }
        if self.unassigned:
            out["unassigned"] = list(self.unassigned)
        return out

    def to_yaml(self, path: str | Path) -> None:
        """Write the model to a YAML file."""
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False), encoding="utf-8")

    @classmethod
    def from_dict(cls, spec: dict, *, source: str = "") -> StageModel:
        """Build a model from a dict shaped like the YAML file."""
        where = source or "stage model"
        if not isinstance(spec, dict) or "stages" not in spec:
            raise DataValidationError(f"{where}: expected a mapping with a 'stages' list")
        if not isinstance(spec["stages"], list) or not spec["stages"]:
            raise DataValidationError(
                f"{where}: 'stages' must be a list of stages (each with a name and its events), found {spec['stages']!r}"
            )
        stages = []
        for i, item in enumerate(spec["stages"], start=1):
            if not isinstance(item, dict) or "name" not in item or "events" not in item:
                raise DataValidationError(f"{where}: stage {i} needs 'name' and 'events', found {item!r}")
            events = item["events"]
            if isinstance(events, str):
                events = [events]
            if not isinstance(events, list) or not all(isinstance(e, str | int) and str(e).strip() for e in events):
                raise DataValidationError(
                    f"{where}: stage {i} ({item['name']!r}): 'events' must be a list of event names, found {events!r}"
                )
            if not isinstance(item["name"], str | int) or not str(item["name"]).strip():
                raise DataValidationError(f"{where}: stage {i}: 'name' must be a non-empty name, found {item['name']!r}")
            stages.append(
                Stage(
                    name=str(item["name"]),
                    events=tuple(str(e) for e in events),
                    description=str(item.get("description", "") or ""),
                )
            )
        unassigned = spec.get("unassigned") or []
        if isinstance(unassigned, str):
            unassigned = [unassigned]
        if not isinstance(unassigned, list):
            raise DataValidationError(f"{where}: 'unassigned' must be a list of event names")
        return cls(
            name=str(spec.get("name", Path(source).stem if source else "custom")),
            stages=tuple(stages),
            description=str(spec.get("description", "") or ""),
            source=source,
            unassigned=tuple(str(e) for e in unassigned),
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{i}</td><td><b>{html.escape(s.name)}</b></td><td>{html.escape(', '.join(s.events))}</td></tr>"
            for i, s in enumerate(self.stages, start=1)
        )
        return (
            f"<div><b>StageModel {html.escape(self.name)}</b> — {len(self.stages)} stages"
            f"<table><tr><th>#</th><th>stage</th><th>events</th></tr>{rows}</table></div>"
        )


def load_stage_model(spec: str | Path | StageModel | dict | None = None) -> StageModel:
    """Load a stage model from a template name, a YAML path, a dict, or pass one through.

    ``None`` gives the default five-stage template.
    """
    if spec is None:
        spec = DEFAULT_STAGE_MODEL
    if isinstance(spec, StageModel):
        return spec
    if isinstance(spec, dict):
        return StageModel.from_dict(spec)
    text_spec = str(spec)
    if text_spec in TEMPLATES:
        text = resources.files("jkit.stage_models").joinpath(f"{text_spec}.yaml").read_text(encoding="utf-8")
        return StageModel.from_dict(parse_yaml(text, f"{text_spec}.yaml", "stage model"), source=f"{text_spec}.yaml")
    path = Path(spec)
    if not path.is_file():
        raise MissingResourceError(
            f"stage model {text_spec!r}: no such file, and not a template name ({', '.join(TEMPLATES)})"
        )
    return StageModel.from_dict(read_yaml(path, "stage model"), source=path.name)

"""The service model as written by people (semantics §1), validated with Pydantic.

These classes check one file's shape: keys, types and ranges. Checks that need the whole
model (references, duplicates, cycles, quorum sizes) live in ``bizmap.domain.validate``.
Every class forbids unknown keys: a typo must never be silently ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from fractions import Fraction
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from bizmap.domain import holiday_regions

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"


def control_character(text: str) -> str | None:
    """The first control character of ``text`` (NUL, tab, newline, ESC, DEL, C1 ...), if any."""
    return next((char for char in text if unicodedata.category(char) == "Cc"), None)


def name_control_character(char: str) -> str:
    """A control character as a message shows it: escaped, never a raw NUL or ESC."""
    return f"the control character {char!r} (U+{ord(char):04X})"


def _without_control_characters(value: Any) -> Any:
    # before Pydantic strips whitespace: a tab or newline around an id must not vanish silently
    if isinstance(value, str) and (char := control_character(value)) is not None:
        raise ValueError(f"{value!r} holds {name_control_character(char)}: remove it")
    return value


NodeId = Annotated[str, BeforeValidator(_without_control_characters), Field(pattern=ID_PATTERN)]
# a name other things refer to (a population of people), written by hand like an id
PlainName = Annotated[str, BeforeValidator(_without_control_characters)]

Rule = Literal["all", "any", "quorum"]
Effect = Literal["hard", "soft", "escalate", "ignore"]
Period = Literal["day", "week", "month", "quarter"]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_SHARE = re.compile(r"^(\d+(?:\.\d+)?)%$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def parse_day_spec(spec: str) -> list[int]:
    """``mon-fri`` -> [0..4]; ``sat`` -> [5]. Day ranges run forward only."""
    name = spec.strip().lower()
    if "-" in name:
        first, _, last = name.partition("-")
        if first not in DAY_NAMES or last not in DAY_NAMES:
            raise ValueError(f"unknown day range {spec!r}: use e.g. mon-fri with days {DAY_NAMES}")
        a, b = DAY_NAMES.index(first), DAY_NAMES.index(last)
        if b < a:
            raise ValueError(
                f"day range {spec!r} runs backwards: a range runs forward (mon-fri, not "
                "sat-mon); write two entries instead"
            )
        return list(range(a, b + 1))
    if name not in DAY_NAMES:
        raise ValueError(f"unknown day {spec!r}: use one of {', '.join(DAY_NAMES)} or a range")
    return [DAY_NAMES.index(name)]


def parse_time_ranges(spec: str) -> list[tuple[int, int]]:
    """``"08:00-12:00,13:00-17:00"`` -> [(480, 720), (780, 1020)] in minutes of the day."""
    ranges: list[tuple[int, int]] = []
    for part in spec.split(","):
        text = part.strip()
        m = _TIME_RANGE.match(text)
        if not m:
            raise ValueError(f"malformed time range {text!r}: write HH:MM-HH:MM, e.g. 08:00-18:00")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
            raise ValueError(f"malformed time range {text!r}: hours 00-23 (24:00 only as an end)")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise ValueError(
                f"time range {text!r} does not run forward within one day: "
                "write two entries (e.g. 22:00-24:00 and 00:00-06:00 on the next day)"
            )
        ranges.append((start, end))
    return ranges


class HolidaySpec(Strict):
    country: str | None = None
    subdivision: str | None = None
    dates: tuple[date, ...] = ()

    @model_validator(mode="after")
    def _check_country(self) -> HolidaySpec:
        if self.subdivision is not None and self.country is None:
            raise ValueError("holidays.subdivision needs holidays.country")
        if self.country is not None and not holiday_regions.listed(self.country, self.subdivision):
            import holidays as holidays_package  # the package's data, no I/O

            try:
                holidays_package.country_holidays(self.country, subdiv=self.subdivision)
            except NotImplementedError as error:
                raise ValueError(
                    f"unknown holiday country or subdivision: {error} "
                    "(use an ISO 3166 code such as GB, with a subdivision such as ENG)"
                ) from None
        return self


def _day_spec(value: str) -> str:
    parse_day_spec(value)
    return value


def _hours_are_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError(
            f'must be a quoted string such as "08:00-18:00" '
            f"(got {value!r}; YAML reads unquoted times as numbers)"
        )
    return value


def _time_ranges(value: str) -> str:
    parse_time_ranges(value)
    return value


# Checked entry by entry, so that an error points at the line of its entry.
DaySpec = Annotated[str, AfterValidator(_day_spec)]
TimeRanges = Annotated[str, BeforeValidator(_hours_are_text), AfterValidator(_time_ranges)]


class CalendarSpec(Strict):
    timezone: str = "UTC"
    hours: dict[DaySpec, TimeRanges] | None = None
    holidays: HolidaySpec = HolidaySpec()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}: use an IANA name such as Europe/London") from None
        return value

    @field_validator("holidays", mode="before")
    @classmethod
    def _list_means_dates(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {"dates": value}
        return value

    def weekly_minutes(self) -> list[list[tuple[int, int]]] | None:
        """Per weekday (Monday first) the merged minute ranges; None means all day every day."""
        if self.hours is None:
            return None
        days: list[list[tuple[int, int]]] = [[] for _ in DAY_NAMES]
        for day, ranges in self.hours.items():
            for weekday in parse_day_spec(day):
                days[weekday].extend(parse_time_ranges(ranges))
        return [merge_ranges(r) for r in days]


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching (start, end) ranges joined, sorted."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class ImpactSpec(Strict):
    revenue_per_hour: float = Field(0.0, ge=0)
    users: int = Field(0, ge=0)
    cost_per_user_hour: float = Field(0.0, ge=0)
    degraded_factor: float = Field(0.5, ge=0, le=1)
    safety_critical: bool = False
    # services whose users are the same people (the same clinicians): counted once (§3)
    population: PlainName | None = Field(None, min_length=1)

    @property
    def base_rate(self) -> float:
        """Money lost per hour while down: revenue plus the people who cannot work."""
        return self.revenue_per_hour + self.users * self.cost_per_user_hour


class WorkaroundSpec(Strict):
    description: str | None = None
    impact_factor: float = Field(ge=0, le=1)
    max_hours: float | None = Field(None, ge=0)


class SlaSpec(Strict):
    target: float = Field(gt=0, lt=100)
    period: Period = "month"
    calendar: str | None = None
    degraded_counts_as: Literal["up", "down"] = "up"


class ChildSpec(Strict):
    id: NodeId
    weight: int = Field(1, gt=0)
    effect: Effect = "hard"


class DependsOnSpec(Strict):
    rule: Rule = "all"
    need: int | str | None = None
    children: tuple[ChildSpec, ...] = ()

    @field_validator("children", mode="before")
    @classmethod
    def _ids_are_children(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"id": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("need", mode="before")
    @classmethod
    def _need_shape(cls, value: Any) -> Any:
        if isinstance(value, bool | float):
            raise ValueError(f'need must be an integer weight or a share like "60%" (got {value!r})')
        if isinstance(value, int) and value <= 0:
            raise ValueError(f"need must be at least 1 (got {value})")
        if isinstance(value, str):
            m = _SHARE.match(value.strip())
            if not m:
                raise ValueError(f'need {value!r} is neither an integer nor a share like "60%"')
            share = Fraction(m.group(1))
            if share <= 0 or share > 100:
                raise ValueError(f"need {value!r} must be a share in (0%, 100%]")
        return value

    @model_validator(mode="after")
    def _need_only_for_quorum(self) -> DependsOnSpec:
        if self.rule == "quorum" and self.need is None:
            raise ValueError('rule quorum needs `need` (a weight such as 2, or a share such as "60%")')
        if self.rule != "quorum" and self.need is not None:
            raise ValueError(f"`need` is only allowed with rule quorum (rule is {self.rule})")
        return self

    def need_weight(self) -> Fraction:
        """The quorum size q in weight units (a share is taken of the non-ignored children)."""
        if isinstance(self.need, int):
            return Fraction(self.need)
        assert isinstance(self.need, str)
        share = Fraction(self.need.strip().rstrip("%"))
        total = sum(c.weight for c in self.children if c.effect != "ignore")
        return share / 100 * total


def _depends_on_shape(value: Any) -> Any:
    if isinstance(value, list):
        return {"rule": "all", "children": value}
    return value


class NodeSpec(Strict):
    # label values may be written unquoted (ports, numbers); labels are text
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True
    )

    id: NodeId
    name: str | None = None
    owner: str | None = None
    description: str | None = None
    depends_on: DependsOnSpec | None = None
    match: tuple[dict[str, str], ...] = ()
    mtbf_hours: float | None = Field(None, gt=0)
    mttr_hours: float | None = Field(None, ge=0)
    cost_per_month: float | None = Field(None, ge=0)

    @field_validator("depends_on", mode="before")
    @classmethod
    def _list_means_all(cls, value: Any) -> Any:
        return _depends_on_shape(value)

    @field_validator("match")
    @classmethod
    def _valid_selectors(cls, value: tuple[dict[str, str], ...]) -> tuple[dict[str, str], ...]:
        for selector in value:
            if not selector:
                raise ValueError("an empty selector would match every event: name at least one label")
            for label, pattern in selector.items():
                if pattern.startswith("~"):
                    try:
                        re.compile(pattern[1:])
                    except re.error as error:
                        raise ValueError(f"label {label!r}: bad regex {pattern[1:]!r}: {error}") from None
        return value

    @model_validator(mode="after")
    def _mtbf_with_mttr(self) -> NodeSpec:
        if (self.mtbf_hours is None) != (self.mttr_hours is None):
            given, missing = ("mtbf_hours", "mttr_hours")
            if self.mtbf_hours is None:
                given, missing = missing, given
            raise ValueError(f"{given} is given without {missing}: give both or neither")
        return self


class ComponentSpec(NodeSpec):
    type: str | None = None


class ServiceSpec(NodeSpec):
    calendar: str | None = None
    impact: ImpactSpec | None = None
    workaround: WorkaroundSpec | None = None
    sla: SlaSpec | None = None
    public_status: StrictBool = False  # shown on the public status page (/status, no login)


class MaintenanceSpec(Strict):
    id: NodeId
    nodes: list[NodeId] = Field(min_length=1)
    start: AwareDatetime
    end: AwareDatetime
    reason: str | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> MaintenanceSpec:
        if self.end <= self.start:
            raise ValueError(f"end {self.end.isoformat()} must be after start {self.start.isoformat()}")
        return self


class ModelFile(Strict):
    """One YAML file of a model; a directory's files are merged after each is checked."""

    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    calendars: dict[str, CalendarSpec] = {}
    services: list[ServiceSpec] = []
    components: list[ComponentSpec] = []
    maintenance: list[MaintenanceSpec] = []


class Model(Strict):
    """A whole validated model: every reference resolves, the graph has no cycle."""

    currency: str = "EUR"
    calendars: dict[str, CalendarSpec] = {}
    services: list[ServiceSpec] = []
    components: list[ComponentSpec] = []
    maintenance: list[MaintenanceSpec] = []

    def maintenance_windows(self) -> list[tuple[str, list[str], datetime, datetime]]:
        return [(m.id, list(m.nodes), m.start, m.end) for m in self.maintenance]

"""The CCG customer survey: its standard questions, how an answer is read, and what may be
shown of the answers.

The questions are the themes of the September 2012 Checkpoint 3 survey of CSSs' customers.
Each is scored 1 to 5 with an optional comment. Results are shown per CSS only as means over
the CCGs that answered, and only where at least MIN_RESPONDENTS answered: with fewer, a mean
would all but give away one CCG's answer, so nothing is computed at all.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .whole_numbers import whole_number

MIN_SCORE = 1
MAX_SCORE = 5
MIN_RESPONDENTS = 3
ONE_PLACE = Decimal("0.1")

QUALITY_SCALE = {1: "Very poor", 2: "Poor", 3: "Fair", 4: "Good", 5: "Very good"}
RECOMMEND_SCALE = {
    1: "Definitely not",
    2: "Probably not",
    3: "Not sure",
    4: "Probably",
    5: "Definitely",
}


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    scale: Mapping[int, str] = field(default_factory=lambda: QUALITY_SCALE)

    @property
    def short(self) -> str:
        return SHORT_NAMES[self.key]


QUESTIONS: tuple[Question, ...] = (
    Question(
        "responsiveness", "How responsive is the CSS to your CCG's requests and changing needs?"
    ),
    Question("quality", "How good is the quality of the services the CSS delivers to you?"),
    Question("value_for_money", "How good value for money are the CSS's services?"),
    Question("relationship", "How good is your working relationship with the CSS?"),
    Question("recommend", "Would you recommend the CSS to another CCG?", RECOMMEND_SCALE),
)
QUESTION_KEYS = tuple(question.key for question in QUESTIONS)
SHORT_NAMES = {
    "responsiveness": "Responsiveness",
    "quality": "Quality",
    "value_for_money": "Value for money",
    "relationship": "Relationship",
    "recommend": "Would recommend",
}


class ScoreError(ValueError):
    """A score that is not a whole number from 1 to 5 in ASCII digits."""


def read_score(value) -> int:
    """The score as typed or chosen: "1" to "5" (or the int), nothing else: not "٣", "５",
    "3.0", " 3", "0" or "6"."""
    number = whole_number(value, minimum=MIN_SCORE, maximum=MAX_SCORE)
    if number is None:
        raise ScoreError(f"Choose a score from {MIN_SCORE} to {MAX_SCORE}")
    return number


def window_state(opens_on: date, closes_on: date, today: date, closed_early: bool = False) -> str:
    """ "not_open", "open" or "closed": open from its first day to its last, inclusive."""
    if closed_early or today > closes_on:
        return "closed"
    if today < opens_on:
        return "not_open"
    return "open"


STATE_WORDS = {
    "not_open": ("Not open yet", "grey"),
    "open": ("Open", "green"),
    "closed": ("Closed", "blue"),
}


def window_date_problems(
    opens_on: date | None, closes_on: date | None, today: date
) -> list[tuple[str, str]]:
    """(field, message) for dates a new window cannot have."""
    problems = []
    if opens_on is None:
        problems.append(("opens_on", "Enter the date the survey opens"))
    elif opens_on < today:
        problems.append(("opens_on", "The survey must open today or later"))
    if closes_on is None:
        problems.append(("closes_on", "Enter the date the survey closes"))
    elif opens_on is not None and closes_on < opens_on:
        problems.append(("closes_on", "The survey must close on or after the day it opens"))
    return problems


@dataclass(frozen=True)
class Aggregate:
    """What may be shown of one CSS's answers in one survey."""

    respondents: int
    means: Mapping[str, Decimal]  # empty unless shown
    overall: Decimal | None = None  # the mean of every score given, None unless shown

    @property
    def shown(self) -> bool:
        return self.respondents >= MIN_RESPONDENTS

    def rows(self) -> list[tuple[Question, Decimal]]:
        return [
            (question, self.means[question.key])
            for question in QUESTIONS
            if question.key in self.means
        ]

    @property
    def words(self) -> str:
        """Why nothing is shown, in words, or an empty string when it is."""
        if self.shown:
            return ""
        if self.respondents == 0:
            return "No CCG has answered this survey about this CSS yet."
        return (
            f"Only {self.respondents} CCG{'' if self.respondents == 1 else 's'} answered: "
            f"results are shown once at least {MIN_RESPONDENTS} CCGs have answered, so "
            "that no CCG's answers can be told apart."
        )


def mean(values: Iterable) -> Decimal:
    """The mean to one decimal place, rounded once, half-up."""
    values = [Decimal(value) for value in values]
    if not values:
        raise ValueError("the mean of nothing")
    return (sum(values, Decimal(0)) / len(values)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def aggregate(answers: Iterable[Mapping[str, int]]) -> Aggregate:
    """Means per question over the answers (each {question key: score}), or nothing but the
    count when fewer than MIN_RESPONDENTS CCGs answered."""
    answers = list(answers)
    if len(answers) < MIN_RESPONDENTS:
        return Aggregate(len(answers), {})
    means, every = {}, []
    for key in QUESTION_KEYS:
        scores = [answer[key] for answer in answers if answer.get(key) is not None]
        if scores:
            means[key] = mean(scores)
            every += scores
    return Aggregate(len(answers), means, mean(every) if every else None)

"""Fictional leadership teams for the demo CSSs: the same names at every seed (chosen from
the CSS's name, not at random), no real person's."""

import hashlib

FIRST_NAMES = (
    "Alison",
    "Bernard",
    "Catherine",
    "Daniel",
    "Eleanor",
    "Farid",
    "Gillian",
    "Hamish",
    "Imogen",
    "Jonathan",
    "Kavita",
    "Leonard",
    "Miriam",
    "Nikhil",
    "Olivia",
    "Patrick",
    "Rosalind",
    "Simon",
    "Theresa",
    "Usman",
    "Vivienne",
    "William",
    "Yasmin",
    "Zachary",
)
SURNAMES = (
    "Ashworth",
    "Bramley",
    "Chowdhury",
    "Dunmore",
    "Ellison",
    "Fairbairn",
    "Gorton",
    "Hartley",
    "Iqbal",
    "Jessop",
    "Kendrick",
    "Lowther",
    "Mabey",
    "Nuttall",
    "Oduya",
    "Pendleton",
    "Quayle",
    "Rushworth",
    "Sefton",
    "Thwaite",
    "Underhill",
    "Varley",
    "Whitcombe",
    "Yardley",
)
ROLES = (
    "Managing director",
    "Director of finance",
    "Director of business intelligence",
    "Director of commissioning services",
)


def _pick(seed: str, options: tuple[str, ...]) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def leadership_team(css_name: str) -> list[tuple[str, str]]:
    """(role, fictional name) for each of the CSS's four leaders; no name twice in a team."""
    team, used = [], set()
    for role in ROLES:
        attempt = 0
        while True:
            name = (
                f"{_pick(f'{css_name}/{role}/first/{attempt}', FIRST_NAMES)} "
                f"{_pick(f'{css_name}/{role}/last/{attempt}', SURNAMES)}"
            )
            if name not in used:
                break
            attempt += 1
        used.add(name)
        team.append((role, name))
    return team


def in_words(css_name: str) -> str:
    """ "Led by Alison Ashworth (managing director), with ..." for a plan's leadership section."""
    (first_role, first), *others = leadership_team(css_name)
    rest = ", ".join(f"{name} ({role.lower()})" for role, name in others)
    return f"led by {first} ({first_role.lower()}), with {rest}"

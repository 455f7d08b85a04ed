"""Readable generated aliases such as "QuietHeron42" (pure Python, no Django)."""

import re
import secrets

ADJECTIVES = (
    "Quiet",
    "Gentle",
    "Brave",
    "Calm",
    "Bright",
    "Kind",
    "Steady",
    "Warm",
    "Hopeful",
    "Patient",
    "Soft",
    "Clear",
    "Bold",
    "Tender",
    "Golden",
    "Silver",
    "Amber",
    "Misty",
    "Sunny",
    "Still",
    "Wandering",
    "Curious",
    "Humble",
    "Honest",
    "Mellow",
    "Nimble",
    "Peaceful",
    "Quick",
    "Restful",
    "Serene",
    "Shy",
    "Sturdy",
    "Swift",
    "Thoughtful",
    "Wise",
    "Cosy",
    "Dawn",
    "Evening",
    "Northern",
    "Southern",
    "Rising",
    "Spring",
    "Summer",
    "Autumn",
    "Winter",
    "Velvet",
    "Willow",
    "Ember",
)
CREATURES = (
    "Heron",
    "Otter",
    "Fox",
    "Wren",
    "Badger",
    "Robin",
    "Finch",
    "Hare",
    "Owl",
    "Swan",
    "Deer",
    "Lynx",
    "Seal",
    "Puffin",
    "Falcon",
    "Sparrow",
    "Dolphin",
    "Panda",
    "Koala",
    "Bear",
    "Crane",
    "Lark",
    "Moth",
    "Beetle",
    "Hedgehog",
    "Squirrel",
    "Tortoise",
    "Turtle",
    "Whale",
    "Raven",
    "Kestrel",
    "Marten",
    "Mole",
    "Newt",
    "Pony",
    "Starling",
    "Stork",
    "Tern",
    "Vole",
    "Wolf",
    "Yak",
    "Ibis",
    "Gecko",
    "Lemur",
    "Orca",
    "Plover",
    "Quail",
    "Osprey",
)

ALIAS_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,29}$")


def alias_candidate() -> str:
    """A random alias; each call is independent, so one person's aliases are unlinkable."""
    return f"{secrets.choice(ADJECTIVES)}{secrets.choice(CREATURES)}{secrets.randbelow(90) + 10}"


def alias_name_problem(name: str) -> str | None:
    """Why a chosen alias cannot be used, or None when its form is acceptable."""
    if not ALIAS_PATTERN.match(name):
        return "An alias is 3 to 30 letters, digits or underscores, starting with a letter."
    return None

"""Emoji that carry meaning in crisis language, turned into the words the lexicon uses.

Only emoji whose meaning is stable enough to match on are listed. Faces and the skull
are left out on purpose: "💀" and "😭" mostly mean laughing or crying hard, not death.
"""

from __future__ import annotations

EMOJI_WORDS: dict[str, str] = {
    "\U0001f48a": "pills",  # pill
    "\U0001f489": "syringe",  # syringe
    "\U0001f52a": "knife",  # kitchen knife
    "\U0001f5e1": "knife",  # dagger
    "\U0001fa92": "razor",  # razor
    "\u2702": "scissors",  # scissors
    "\U0001faa2": "rope",  # knot
    "\U0001f52b": "gun",  # pistol (drawn as a water gun on some systems, still meant as a gun)
    "\u26b0": "coffin",  # coffin
    "\U0001faa6": "grave",  # headstone
    "\u26b1": "urn",  # funeral urn
    "\U0001fa78": "blood",  # drop of blood
    "\U0001f309": "bridge",  # bridge at night
    "\U0001f3e2": "building",  # office building (heights)
    "\U0001f682": "train",  # locomotive
    "\U0001f686": "train",  # train
    "\U0001f377": "wine",  # wine glass
    "\U0001f943": "whisky",  # tumbler glass
    "\U0001f44b": "goodbye",  # waving hand
    "\U0001f494": "heartbreak",  # broken heart
}

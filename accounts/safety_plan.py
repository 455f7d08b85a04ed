"""The steps of a safety plan (the Stanley-Brown Safety Planning Intervention), and the
plain-text file a member can save. Pure data and formatting: reads and writes live in
accounts.selectors and accounts.services."""

from dataclasses import dataclass

SAFETY_PLAN_FIELD_MAX_LENGTH = 4000


@dataclass(frozen=True)
class SafetyPlanStep:
    """One step: its field on accounts.SafetyPlan, its title and a gentle prompt."""

    number: int
    field: str
    title: str
    prompt: str
    examples: str
    private_note: str = ""


SAFETY_PLAN_STEPS: tuple[SafetyPlanStep, ...] = (
    SafetyPlanStep(
        1,
        "warning_signs",
        "My warning signs",
        "What tells you that a hard moment may be coming? Thoughts, moods, situations or "
        "things you start doing.",
        "For example: not sleeping, pulling away from people, thinking “what's the point”.",
    ),
    SafetyPlanStep(
        2,
        "coping_strategies",
        "Things I can do on my own",
        "What helps take your mind off things for a while, without needing anyone else?",
        "For example: a walk, a shower, music, a puzzle, holding something cold, breathing slowly.",
    ),
    SafetyPlanStep(
        3,
        "people_and_places",
        "People and places that help me feel better",
        "Who or where could you go to be around others, even without talking about how you feel?",
        "For example: a friend to text about anything, a café, a library, a park.",
    ),
    SafetyPlanStep(
        4,
        "people_to_ask",
        "People I can ask for help",
        "Who could you tell that you are struggling? Write their names and numbers.",
        "For example: a sister, a neighbour, a friend from a group.",
        private_note="Only you can see these names and numbers.",
    ),
    SafetyPlanStep(
        5,
        "professionals",
        "Professionals and services I can contact",
        "Crisis lines, your doctor, a therapist or a local service. We filled in the crisis "
        "lines for your country; change anything you like.",
        "For example: your doctor's surgery, a therapist, a crisis team.",
    ),
    SafetyPlanStep(
        6,
        "safer_surroundings",
        "Making my surroundings safer",
        "What could make where you are a little safer during a hard time?",
        "For example: asking someone you trust to keep certain things for a while, or going "
        "somewhere with other people.",
    ),
    SafetyPlanStep(
        7,
        "reasons_for_living",
        "My reasons for living",
        "What matters most to you, and is worth holding on for?",
        "For example: people, pets, places you want to see, things you want to do.",
    ),
)
SAFETY_PLAN_FIELDS: tuple[str, ...] = tuple(step.field for step in SAFETY_PLAN_STEPS)


def safety_plan_step(number: int) -> SafetyPlanStep | None:
    """The step with this number (1 to 7), or None."""
    if 1 <= number <= len(SAFETY_PLAN_STEPS):
        return SAFETY_PLAN_STEPS[number - 1]
    return None


def safety_plan_text(values: dict[str, str]) -> str:
    """The plan as a plain-text file (what "Save as a file" downloads)."""
    lines = ["My safety plan", "=" * 14, ""]
    for step in SAFETY_PLAN_STEPS:
        lines += [f"{step.number}. {step.title}", ""]
        text = values.get(step.field, "").strip()
        lines += [*(text.splitlines() or ["(not filled in yet)"]), ""]
    lines += [
        "If you are in danger now, call your local emergency number or go to the nearest "
        "emergency department.",
        "",
    ]
    return "\n".join(lines)

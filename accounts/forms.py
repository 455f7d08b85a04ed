"""Form fields for the member's settings and the staff pages; rules live in services."""

from django import forms

from accounts.filters import MUTED_WORD_MAX_LENGTH
from accounts.models import SiteSettings
from accounts.safety_plan import SAFETY_PLAN_FIELD_MAX_LENGTH
from accounts.selectors import supported_countries


class MemberSettingsForm(forms.Form):
    country = forms.ChoiceField(
        label="Country for helplines",
        required=False,
        help_text="Crisis lines shown to you are for this country. Nobody else sees it.",
    )
    notify_replies = forms.BooleanField(
        label="Tell me about new replies in topics I follow", required=False
    )
    notify_mentions = forms.BooleanField(
        label="Tell me when someone mentions my alias", required=False
    )
    quick_exit = forms.BooleanField(
        label="Show “Leave quickly”, and leave when I press Escape twice",
        required=False,
        help_text="Takes you at once to a weather page; Back does not return here.",
    )
    hide_crisis_posts = forms.BooleanField(
        label="Hide posts about suicide or self-harm until I choose to open them",
        required=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", "Not set (international lines)")]
        choices += list(supported_countries().items())
        self.fields["country"].choices = choices  # type: ignore[attr-defined]


class AliasChangeForm(forms.Form):
    name = forms.CharField(
        label="New alias (leave empty for a generated one)", required=False, max_length=30
    )


class AccountDeleteForm(forms.Form):
    mode = forms.ChoiceField(
        label="What happens to what you wrote",
        widget=forms.RadioSelect,
        choices=[
            ("remove", "Remove my posts and chat messages"),
            ("keep", "Keep them for others, shown as written by “[deleted]”"),
        ],
    )
    password = forms.CharField(label="Your password, to confirm", widget=forms.PasswordInput)


class RevealForm(forms.Form):
    community = forms.SlugField(label="Community (its address, e.g. anxiety)")
    alias = forms.CharField(label="Alias", max_length=30)
    reason = forms.CharField(
        label="Why you need to know (other staff will read this)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = [
            "registration",
            "require_moderator_mfa",
            "chat_burst",
            "chat_seconds_per_message",
            "posts_per_hour",
            "flags_per_hour",
        ]
        labels = {
            "registration": "Registration",
            "require_moderator_mfa": "Require two-factor authentication of moderators, "
            "owners and staff",
            "chat_burst": "Chat: messages allowed in a burst",
            "chat_seconds_per_message": "Chat: seconds per message after a burst",
            "posts_per_hour": "Posts per member per hour",
            "flags_per_hour": "Reports per member per hour",
        }


class SafetyPlanStepForm(forms.Form):
    """One step of the safety plan; the field is named after the step's model field."""

    def __init__(self, *args: object, field: str, label: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields[field] = forms.CharField(
            label=label,
            required=False,
            max_length=SAFETY_PLAN_FIELD_MAX_LENGTH,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 8}),
        )


class MutedWordForm(forms.Form):
    phrase = forms.CharField(label="Word or phrase to mute", max_length=MUTED_WORD_MAX_LENGTH)


BREAK_CHOICES = [("1", "1 day"), ("3", "3 days"), ("7", "a week"), ("30", "30 days")]


class BreakForm(forms.Form):
    days = forms.TypedChoiceField(label="For", choices=BREAK_CHOICES, coerce=int)

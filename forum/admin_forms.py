"""Form fields for the community settings area; the rules live in forum/admin_services.py."""

import functools
from zoneinfo import available_timezones

from django import forms

from accounts.selectors import supported_countries
from forum.admin_services import SETTING_FIELDS
from forum.models import Community
from moderation.models import WatchedWord

WEEKDAYS = [
    ("1", "Monday"),
    ("2", "Tuesday"),
    ("3", "Wednesday"),
    ("4", "Thursday"),
    ("5", "Friday"),
    ("6", "Saturday"),
    ("7", "Sunday"),
]


@functools.cache
def _timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


def _region_choices() -> list[tuple[str, str]]:
    return [("", "International lines only"), *supported_countries().items()]


class CommunitySettingsForm(forms.ModelForm):
    helpline_region = forms.ChoiceField(label="Default helpline country", required=False)
    staffed_days = forms.MultipleChoiceField(
        label="Days when moderators are usually around",
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members see next to every reply box whether moderators are around now, "
        "or when they next are. Leave empty to show nothing.",
    )
    staffed_timezone = forms.ChoiceField(label="Time zone of those hours", initial="UTC")

    class Meta:
        model = Community
        fields = list(SETTING_FIELDS)
        labels = {
            "join_question": "Question for people asking to join (optional)",
            "welcome_message": "Welcome message",
            "flag_threshold": "Reports that hide a post until a moderator looks",
            "approve_first_posts": "Moderators approve new members' first posts",
            "crisis_hold": "When a post shows crisis language",
            "new_member_days": "Days a member counts as new",
            "new_member_max_topics": "Topics a new member may start per day",
            "new_member_max_replies": "Replies a new member may write per day",
            "show_online_aliases": "Show who is online in chat rooms",
            "allow_search_engines": "Let search engines index this community (public only)",
            "chat_retention_days": "Keep chat messages for (days)",
            "staffed_from": "Moderators are around from (time, e.g. 18:00)",
            "staffed_until": "until (time; earlier than the start runs past midnight)",
        }
        help_texts = {
            "welcome_message": "Shown with the rules to every new member, who confirms "
            "having read them before writing. Markdown.",
        }
        widgets = {
            "rules": forms.Textarea(attrs={"rows": 6}),
            "welcome_message": forms.Textarea(attrs={"rows": 4}),
            "staffed_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "staffed_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["helpline_region"].choices = _region_choices()  # type: ignore[attr-defined]
        self.fields["staffed_timezone"].choices = _timezone_choices()  # type: ignore[attr-defined]
        if self.instance is not None and not self.is_bound:
            self.initial["staffed_days"] = list(self.instance.staffed_days)

    def clean_staffed_days(self) -> str:
        # Stored as ISO weekday digits, "12345" for Monday to Friday.
        return "".join(sorted(self.cleaned_data["staffed_days"]))


class CommunityCreateForm(forms.Form):
    name = forms.CharField(max_length=80)
    slug = forms.SlugField(
        max_length=50, label="Address", help_text="Letters, digits and hyphens: /c/<address>/"
    )
    description = forms.CharField(max_length=300, required=False)
    visibility = forms.ChoiceField(choices=Community.Visibility.choices)
    join_policy = forms.ChoiceField(label="Joining", choices=Community.JoinPolicy.choices)


class AliasForm(forms.Form):
    alias = forms.CharField(label="Alias", max_length=30)


class InvitationForm(forms.Form):
    expires_in_days = forms.IntegerField(
        label="Expires after (days)", min_value=1, max_value=365, initial=7, required=False
    )
    max_uses = forms.IntegerField(
        label="Number of uses", min_value=1, max_value=10_000, initial=1, required=False
    )
    note = forms.CharField(label="Note for yourself (optional)", max_length=100, required=False)


class RoomForm(forms.Form):
    name = forms.CharField(max_length=80)
    slug = forms.SlugField(max_length=50, label="Address")
    slow_mode_seconds = forms.IntegerField(
        label="Slow mode (seconds between messages, 0 for off)", min_value=0, initial=0
    )


class SlowModeForm(forms.Form):
    slow_mode_seconds = forms.IntegerField(label="Slow mode (seconds)", min_value=0)


class WatchedWordForm(forms.Form):
    phrase = forms.CharField(label="Word or phrase", max_length=100)
    action = forms.ChoiceField(choices=WatchedWord.Action.choices)


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Reason (kept in the log)", max_length=500, required=False)

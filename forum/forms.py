"""Form fields for the forum pages; the rules live in forum/services.py."""

from django import forms

from forum.models import POST_MAX_LENGTH, TITLE_MAX_LENGTH, Topic


class PostBodyField(forms.CharField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            widget=forms.Textarea(attrs={"rows": 8, "maxlength": POST_MAX_LENGTH}),
            label="Your message",
            help_text="Markdown works: **bold**, *italic*, > quote, lists and links.",
            strip=False,
            required=False,  # the service explains an empty body in words
            **kwargs,  # type: ignore[arg-type]
        )


class TopicForm(forms.Form):
    title = forms.CharField(
        label="Title", required=False, widget=forms.TextInput(attrs={"maxlength": TITLE_MAX_LENGTH})
    )
    support_type = forms.ChoiceField(
        label="What would help most?", choices=Topic.SupportType.choices, required=False
    )
    content_warning = forms.CharField(
        label="Content note (optional)",
        required=False,
        max_length=100,
        help_text="For example “self-harm” or “bereavement”. Readers open the post when ready.",
    )
    body = PostBodyField()


class ReplyForm(forms.Form):
    body = PostBodyField()

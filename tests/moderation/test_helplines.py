"""Helpline data, region resolution, /help/, /help/replying/ and the support card."""

import json
import subprocess
import sys
from datetime import timedelta
from importlib import import_module
from io import StringIO
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from moderation.helplines import (
    HelplineDataError,
    helplines_parse,
    helplines_read,
    region_from_accept_language,
)
from moderation.models import Helpline
from moderation.selectors import helpline_countries, helplines_for_region, region_for
from tests.conftest import ROOT, make_community, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def helplines() -> None:
    """The shipped data, whatever earlier tests did to the table."""
    call_command("helplines_load", stdout=StringIO())


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


# --- The data file --------------------------------------------------------------------


def test_the_data_file_covers_at_least_30_countries_with_a_way_to_get_help() -> None:
    data = helplines_read()
    countries = {entry.country for entry in data.entries if entry.country}
    assert len(countries) >= 30
    for code in countries:
        rows = [entry for entry in data.entries if entry.country == code]
        assert any(entry.is_emergency and entry.dial for entry in rows), code


def test_every_line_has_a_name_a_way_to_get_in_touch_and_an_https_source() -> None:
    lines = [entry for entry in helplines_read().entries if entry.kind == "line"]
    assert len(lines) >= 50
    for line in lines:
        assert line.name
        assert line.dial or line.sms_number or line.web_chat, line.name
        assert line.source.startswith("https://"), line.name
        assert line.last_checked is not None, line.name
        for address in (line.web, line.web_chat):
            assert not address or address.startswith("https://"), line.name


def test_the_checker_refuses_a_broken_file_and_lists_every_problem() -> None:
    line = {
        "name": "Example line",
        "phone_display": "0800 111",
        "dial": "0800112",
        "sms": None,
        "web_chat": None,
        "web": "http://example.org",
        "hours": "24/7",
        "languages": ["en"],
        "source": "http://example.org",
        "last_checked": "2026-13-01",
    }
    raw = {
        "version": "2026-11-25",
        "international": {"name": "Find A Helpline", "web": "https://findahelpline.com"},
        "countries": [
            {"country": "XX", "country_name": "X", "emergency": "112", "lines": [line]},
            {"country": "XX", "country_name": "X", "emergency": "112", "lines": []},
            {"country": "gb", "country_name": "UK", "emergency": "999", "lines": [{"name": "A"}]},
        ],
    }
    with pytest.raises(HelplineDataError) as raised:
        helplines_parse(raw)
    problems = "\n".join(raised.value.problems)
    assert "does not match dial" in problems
    assert "must be an https:// address" in problems
    assert "is not a date" in problems
    assert "XX appears twice" in problems
    assert "'gb' is not an ISO 3166 code" in problems
    assert "needs a way to get in touch" in problems


def test_the_loader_module_imports_no_django() -> None:
    code = (
        "import sys; import moderation.helplines as h; h.helplines_read(); "
        "sys.exit(any(name == 'django' or name.startswith('django.') for name in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_a_broken_data_file_changes_nothing(tmp_path) -> None:
    broken = tmp_path / "helplines.json"
    broken.write_text(json.dumps({"version": "2026-11-25", "countries": []}))
    before = Helpline.objects.count()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("helplines_load", "--file", str(broken), stdout=StringIO())
    assert Helpline.objects.count() == before


# --- Loading ---------------------------------------------------------------------------


def test_the_data_migration_loads_the_file_into_an_empty_table() -> None:
    Helpline.objects.all().delete()
    migration = import_module("moderation.migrations.0003_helplines")
    migration.load_helplines(apps, None)
    assert Helpline.objects.filter(country="GB", name="Samaritans", dial="116123").exists()
    assert Helpline.objects.filter(from_data_file=False).count() == 0


def test_loading_twice_changes_nothing() -> None:
    ids = set(Helpline.objects.values_list("pk", flat=True))
    assert "0 added, 0 updated, 0 removed" in run("helplines_load")
    assert set(Helpline.objects.values_list("pk", flat=True)) == ids


def test_loading_keeps_admin_rows_restores_edited_rows_and_drops_rows_the_file_lost() -> None:
    Helpline.objects.create(country="GB", name="Local line added by an admin", dial="0123")
    Helpline.objects.filter(country="GB", name="Samaritans").update(hours="9 to 5")
    # The number is part of an entry's identity: an edited number is replaced, not kept.
    Helpline.objects.filter(country="GB", name="Shout").update(sms_number="000")
    Helpline.objects.filter(country="GB", name="Childline (under 19s)").update(dial="000")
    Helpline.objects.create(country="GB", name="Removed from the file", from_data_file=True)
    output = run("helplines_load")
    assert "1 added, 2 updated, 2 removed; 1 added in the admin kept" in output
    assert Helpline.objects.filter(name="Local line added by an admin").exists()
    assert not Helpline.objects.filter(name="Removed from the file").exists()
    assert Helpline.objects.get(country="GB", name="Samaritans").hours == "24/7"
    assert Helpline.objects.get(country="GB", name="Shout").sms_number == "85258"
    assert Helpline.objects.get(country="GB", name__startswith="Childline").dial == "08001111"


# --- Regions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "region"),
    [
        ("en-GB,en;q=0.9", "GB"),
        ("en-us", "US"),
        ("fr-CA,fr;q=0.8,en;q=0.5", "CA"),
        ("zh-Hant-TW,zh;q=0.9", "TW"),
        ("de-AT", "AT"),
        ("ja", "JP"),
        ("pl,en;q=0.5", "PL"),
        # German, English, Spanish and French are national languages of several countries.
        ("de", ""),
        ("en", ""),
        ("es-419", ""),
        # Only the preferred language counts: a trailing en-US says nothing about place.
        ("de,en-US;q=0.7", ""),
        ("de,de-CH;q=0.9,en-US;q=0.5", "CH"),
        ("en-US;q=0.1,en-GB", "GB"),
        ("en-GB;q=0,fi", "FI"),
        ("*", ""),
        ("", ""),
        ("garbage;;;q=x,,", ""),
    ],
)
def test_the_browser_language_gives_a_region_only_when_it_is_clear(header, region) -> None:
    assert region_from_accept_language(header) == region


def test_region_order_is_member_then_community_then_browser_then_international() -> None:
    community = make_community(helpline_region="IE")
    member = make_user(country="AU")
    no_country = make_user()
    assert region_for(user=member, community=community, accept_language="en-GB") == "AU"
    assert region_for(user=no_country, community=community, accept_language="en-GB") == "IE"
    assert region_for(user=no_country, community=None, accept_language="en-GB") == "GB"
    assert region_for(user=no_country, community=make_community(), accept_language="en-GB") == "GB"
    assert region_for(user=no_country, accept_language="de") == ""
    assert region_for(user=None) == ""


def test_an_unknown_country_gets_the_international_directory_only() -> None:
    for code in ["ZZ", "", "not a country", "gb!"]:
        support = helplines_for_region(code)
        assert support.is_international
        assert support.lines == () and support.emergency is None
        assert support.directory.web == "https://findahelpline.com"


def test_a_country_without_sure_lines_still_gets_its_emergency_number() -> None:
    support = helplines_for_region("ar")
    assert support.country == "AR" and support.country_name == "Argentina"
    assert support.lines == ()
    assert support.emergency is not None and support.emergency.tel_href == "tel:107"


def test_the_support_frame_resources_are_plain_json_without_ids() -> None:
    resources = helplines_for_region("US").as_frame_resources()
    assert json.loads(json.dumps(resources)) == resources
    keys = {"name", "phone_display", "dial", "sms", "web_chat", "web", "hours"}
    for resource in resources:
        assert keys <= set(resource)
        assert "id" not in resource and "pk" not in resource
    assert resources[0]["name"] == "988 Suicide & Crisis Lifeline"
    assert resources[0]["tel"] == "tel:988"
    text_line = next(item for item in resources if item["name"] == "Crisis Text Line")
    assert text_line["sms"] == "Text HOME to 741741"
    assert text_line["sms_href"] == "sms:741741?body=HOME"
    assert [item["kind"] for item in resources[-2:]] == ["emergency", "directory"]
    assert resources[-2]["dial"] == "911"


def test_the_country_picker_lists_every_country_in_the_data_by_name() -> None:
    countries = helpline_countries()
    assert len(countries) == len(helplines_read().countries)
    names = [name for _, name in countries]
    assert names == sorted(names, key=str.casefold)
    assert ("GB", "United Kingdom") in countries


# --- /help/ ----------------------------------------------------------------------------


def test_help_shows_samaritans_for_a_british_browser(client, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(3):
        response = client.get("/help/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Talk to someone now in the United Kingdom" in body
    assert "Samaritans" in body and 'href="tel:116123"' in body and "Call 116 123" in body
    assert 'href="tel:999"' in body
    assert "findahelpline.com" in body
    assert "Accept-Language" in response["Vary"]


def test_help_shows_988_for_a_member_in_the_united_states(client) -> None:
    client.force_login(make_user(country="US"))
    body = client.get("/help/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert 'href="tel:988"' in body and "Call 988" in body
    assert 'href="sms:741741?body=HOME"' in body
    assert 'href="https://988lifeline.org/chat/"' in body
    assert "Samaritans" not in body


def test_help_for_an_unknown_region_shows_the_directory_and_does_not_fail(client) -> None:
    for query in ["?country=ZZ", "?country=<script>", "?country=", ""]:
        response = client.get(f"/help/{query}")
        body = response.content.decode()
        assert response.status_code == 200, query
        assert "Find a helpline near you" in body, query
        assert 'href="https://findahelpline.com"' in body, query
        assert "your local emergency number" in body, query


def test_the_country_picker_overrides_the_member_country(client) -> None:
    client.force_login(make_user(country="US"))
    body = client.get("/help/?country=gb").content.decode()
    assert "Samaritans" in body and "Call 988" not in body
    assert '<option value="GB" selected>United Kingdom</option>' in body


def test_help_for_a_country_without_lines_leads_with_the_directory(client) -> None:
    body = client.get("/help/?country=AR").content.decode()
    assert "Find a helpline in Argentina" in body
    assert 'href="tel:107"' in body


def test_help_needs_no_login_and_no_script(client) -> None:
    response = client.get("/help/?country=DE")
    body = response.content.decode()
    assert response.status_code == 200
    main = body[body.index("<main") : body.index("</main>")]
    assert "<script" not in main and "onclick" not in main
    assert '<form method="get" action="/help/"' in main
    assert '<select id="help-country" name="country">' in main
    assert main.count("<option value=") == len(helpline_countries()) + 1
    assert "Kindred is peer support, not an emergency service" in main
    assert "cannot locate anyone" in main
    assert "/me/safety-plan/" not in main


def test_help_still_shows_the_shipped_lines_when_the_database_fails(client) -> None:
    # Only the Helpline reads fail, as they would in an outage: the page must still help.
    failing = mock.patch.object(Helpline.objects, "filter", side_effect=DatabaseError("down"))
    failing_too = mock.patch.object(Helpline.objects, "exclude", side_effect=DatabaseError("down"))
    with failing, failing_too:
        response = client.get("/help/?country=GB")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="tel:116123"' in body and 'href="tel:999"' in body
    assert '<option value="GB" selected>United Kingdom</option>' in body


def test_signed_in_members_reach_their_safety_plan_from_help(client) -> None:
    client.force_login(make_user())
    body = client.get("/help/").content.decode()
    assert '<a class="button button-quiet" href="/me/safety-plan/">Your safety plan</a>' in body
    assert "set your country in" in body


# --- helplines_stale -------------------------------------------------------------------


def test_stale_lists_entries_unchecked_for_a_year_or_never_and_exits_cleanly() -> None:
    assert run("helplines_stale").strip().endswith("0 helplines not checked in the last 365 days.")
    old = timezone.localdate() - timedelta(days=400)
    Helpline.objects.filter(country="GB", name="Samaritans").update(last_checked=old)
    Helpline.objects.create(country="FR", name="Added without a date", dial="0100")
    output = run("helplines_stale")
    assert f"GB  Samaritans  116 123  last checked: {old.isoformat()}" in output
    assert "FR  Added without a date  0100  last checked: never  (admin" in output
    assert output.strip().splitlines()[-1] == "2 helplines not checked in the last 365 days."


def test_stale_takes_another_age() -> None:
    output = run("helplines_stale", "--days", "-1")
    assert output.strip().splitlines()[-1] == (
        f"{Helpline.objects.count()} helplines not checked in the last -1 days."
    )


# --- The support card and /help/replying/ ----------------------------------------------


def render_card(**context: object) -> str:
    return render_to_string(
        "moderation/_support_card.html", context, request=RequestFactory().get("/")
    )


def test_the_support_card_speaks_to_the_person_first_then_offers_help() -> None:
    html = render_card(
        support=helplines_for_region("GB"), severity="high", check_in_url="/c/x/check-in/"
    )
    opening = "It sounds like things are really hard right now. You're not alone, and people want to help."
    assert opening in html.replace("&#x27;", "'")
    assert html.index("really hard") < html.index("Samaritans")
    assert 'href="tel:116123"' in html and 'href="tel:999"' in html
    assert '<form method="post" action="/c/x/check-in/"' in html
    assert "csrfmiddlewaretoken" in html
    assert "Ask a moderator to check in" in html
    assert "moderators know" in html and "your alias, nothing else" in html
    assert "cannot locate anyone" in html and "not an emergency service" in html


def test_the_support_card_without_a_check_in_url_has_no_form() -> None:
    html = render_card(support=helplines_for_region("ZZ"), severity="concern", check_in_url="")
    assert "<form" not in html
    assert 'href="https://findahelpline.com"' in html
    assert "your local emergency number" in html
    assert "it may let this community" in html


def test_the_support_card_puts_the_emergency_number_first_when_imminent() -> None:
    html = render_card(
        support=helplines_for_region("US"), severity="imminent", plan_url="/me/safety-plan/"
    )
    assert html.index('href="/me/safety-plan/"') < html.index('href="tel:911"')
    assert html.index('href="tel:911"') < html.index('href="tel:988"')


def test_replying_guidance_renders_without_login(client) -> None:
    response = client.get("/help/replying/", HTTP_ACCEPT_LANGUAGE="en-GB")
    body = response.content.decode()
    assert response.status_code == 200
    for heading in [
        "Listen",
        "Don't judge",
        "No method details",
        "Point to help",
        "Look after yourself",
        "If someone is in immediate danger",
    ]:
        assert heading in body, heading
    assert "(999 in the United Kingdom)" in body
    assert 'href="/help/"' in body and "<script" not in body[body.index("<main") :]

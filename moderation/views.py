"""Help and moderation pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from moderation.helplines import country_code_clean
from moderation.selectors import helpline_countries, helplines_for_region, region_for

# Issue 10's safety plan; a plain address so the help page does not depend on it existing.
SAFETY_PLAN_URL = "/me/safety-plan/"


@vary_on_headers("Accept-Language")
def help_page(request: HttpRequest) -> HttpResponse:
    """Crisis resources for the visitor's region, or the one they pick; no login, no JS."""
    chosen = country_code_clean(request.GET.get("country", ""))
    region = chosen or region_for(
        user=request.user, accept_language=request.headers.get("Accept-Language", "")
    )
    context = {
        "support": helplines_for_region(region),
        "region": region,
        "countries": helpline_countries(),
        "plan_url": SAFETY_PLAN_URL if request.user.is_authenticated else "",
    }
    return render(request, "moderation/help.html", context)


@vary_on_headers("Accept-Language")
def help_replying(request: HttpRequest) -> HttpResponse:
    """How to reply to someone who is struggling (#chatsafe); no login, no JS."""
    region = region_for(
        user=request.user, accept_language=request.headers.get("Accept-Language", "")
    )
    return render(
        request, "moderation/help_replying.html", {"support": helplines_for_region(region)}
    )

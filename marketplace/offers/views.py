from flask import abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from marketplace.access import owner_exempt
from marketplace.domain.pricing import PricingError, annual_cost, cost_per_head
from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db
from marketplace.models import PROVIDER_KINDS, Offer, Organisation, VersionStatus
from marketplace.policies import may
from marketplace.search import SORT_LABELS, parse_filters, parse_page, parse_sort, search_offers
from marketplace.services import market_cache, prospectuses
from marketplace.services.assurance import assurance_label, assurance_status_for
from marketplace.services.errors import NotFound
from marketplace.services.prospectuses import OFFER_FIELD_LABELS
from marketplace.services.shortlists import shortlisted_offer_ids

from . import bp


def _is_ccg_user() -> bool:
    """Signed in for a CCG, which shortlists and buys (the organisation policy's rule)."""
    return current_user.is_authenticated and may(current_user, "act_for_ccg",
                                                 current_user.organisation)


def _shortlisted() -> set[int]:
    """The offers on the signed-in CCG's shortlists (one query), for its buttons."""
    return shortlisted_offer_ids(current_user.organisation) if _is_ccg_user() else set()


def buyer_population() -> int | None:
    """The signed-in CCG user's registered population, which prices are shown at."""
    return current_user.organisation.population if _is_ccg_user() else None


@bp.get("/offers")
def search():
    filters, _ignored = parse_filters(request.args)  # unknown values are simply left out
    page, per_page, _ = parse_page(request.args, per_page_allowed=False)
    population = buyer_population()
    # A sort the page never offers is refused, naming the field: a shared link that asks
    # for one should not quietly show another order.
    sort, sort_error = parse_sort(request.args, for_ccg=population is not None)
    result = search_offers(filters, page=page, per_page=per_page, population=population,
                           sort=sort)
    args = filters.query_args() | ({"sort": sort} if sort != "relevance" else {})
    sorts = {key: label for key, label in SORT_LABELS.items()
             if key != "cost" or population is not None}
    return render_template(
        "offers/search.html",
        result=result,
        filters=filters,
        sort=sort,
        sorts=sorts,
        sort_error=sort_error.message if sort_error else None,
        filter_args=filters.query_args(),
        prev_url=url_for("offers.search", page=result.page - 1, **args)
        if result.has_prev else None,
        next_url=url_for("offers.search", page=result.page + 1, **args)
        if result.has_next else None,
        shortlisted=_shortlisted(),
    ), 400 if sort_error else 200


def _published_offer_or_404(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    # Drafts are their provider's business; every offer on a version, even a superseded or
    # withdrawn one, stays readable because shortlists and agreements point at it.
    if offer is None or offer.is_draft:
        abort(404)
    return offer


@bp.get("/offers/<int:offer_id>")
@owner_exempt("published offers are public; drafts answer 404 (_published_offer_or_404)")
def offer(offer_id: int):
    offer = _published_offer_or_404(offer_id)
    population = buyer_population()
    annual = per_head = None
    if population:
        try:
            annual = annual_cost(offer.pricing_model, offer.price, population,
                                 offer.estimated_quantity)
            per_head = cost_per_head(offer.pricing_model, offer.price, population,
                                     offer.estimated_quantity)
        except PricingError:
            annual = per_head = None
    status = assurance_status_for([offer.organisation_id])[offer.organisation_id]
    return render_template(
        "offers/offer.html",
        offer=offer,
        version=offer.prospectus_version,
        current=prospectuses.current_version(offer.organisation_id),
        population=population,
        annual=annual,
        per_head=per_head,
        assurance=assurance_label(status),
        is_current=offer.prospectus_version.status == VersionStatus.PUBLISHED,
        shortlisted=offer.id in _shortlisted(),
    )


def _provider_or_404(provider_id: int, *options) -> Organisation:
    provider = db.session.get(Organisation, provider_id, options=options)
    if provider is None or provider.kind not in PROVIDER_KINDS:
        abort(404)
    return provider


@bp.get("/providers/<int:provider_id>")
@owner_exempt("a provider's published prospectus is public")
def provider(provider_id: int):
    provider = _provider_or_404(provider_id)
    # The same for everyone, and changed only by publishing, withdrawing or an assurance
    # outcome (each writes an audit event): kept until the market changes.
    body = market_cache.remembered({"page": "offers.provider", "provider": provider.id},
                                   lambda: _provider_body(provider))
    return render_template("offers/provider.html", provider=provider, body=Markup(body))


def _provider_body(provider: Organisation) -> str:
    status = assurance_status_for([provider.id])[provider.id]
    versions = prospectuses.versions_for(provider.id)
    return render_template(
        "offers/provider-body.html",
        provider=provider,
        version=prospectuses.current_version(provider.id, with_content=True),
        versions=versions,
        offer_counts=prospectuses.offer_counts(versions),
        assurance=assurance_label(status),
    )


def _version_or_404(provider_id: int, number: int):
    try:
        return prospectuses.get_version(provider_id, number, with_content=True)
    except NotFound:
        abort(404)


@bp.get("/providers/<int:provider_id>/versions/<int:number>")
@owner_exempt("a provider's published versions are public")
def provider_version(provider_id: int, number: int):
    provider = _provider_or_404(provider_id)
    version = _version_or_404(provider.id, number)
    return render_template(
        "offers/version.html", provider=provider, version=version,
        is_current=version.status == VersionStatus.PUBLISHED,
    )


@bp.get("/providers/<int:provider_id>/compare")
@owner_exempt("a provider's published versions are public")
def provider_compare(provider_id: int):
    provider = _provider_or_404(provider_id)
    old_number = whole_number(request.args.get("from", ""))
    new_number = whole_number(request.args.get("to", ""))
    if old_number is None or new_number is None:
        abort(404)
    old = _version_or_404(provider.id, old_number)
    new = _version_or_404(provider.id, new_number)
    return render_template(
        "prospectuses/compare.html", old=old, new=new,
        diff=prospectuses.compare(old, new),
        labels={**prospectuses.CONTENT_LABELS, **OFFER_FIELD_LABELS},
        back=url_for("offers.provider", provider_id=provider.id),
    )

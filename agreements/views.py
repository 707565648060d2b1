"""Pages of the grant agreement: prepare it from the funding decision (staff), a version's page
(money, conditions, parties and their acceptances, the PDF), issue, accept, download. Views stay
thin: they read through agreements.selectors and write through agreements.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.forms import ConfirmForm, apply_errors, perform
from core.permissions import Refused, require
from programmes.selectors import call_detail
from projects.selectors import project_for

from . import selectors
from .forms import AcceptForm, AmendmentDecisionForm, AmendmentForm, AmendmentPolicyForm, PrepareForm
from .models import Agreement, AgreementParty, AmendmentAttachment
from .services import amendments, documents, lifecycle, policies


@login_required
def agreement_prepare(request, pk):
    project = project_for(user=request.user, pk=pk)
    require(request.user, "agreements.prepare_agreement", project)
    existing = Agreement.objects.filter(project=project).first()
    if existing is not None:
        return redirect("agreements:version", pk=selectors.current_version(existing).pk)
    try:
        decision = lifecycle.approved_decision(project)
    except ValidationError:
        raise Http404 from None
    form = PrepareForm(request.POST if request.method == "POST" else None,
                       initial={"conditions": decision.conditions})
    if request.method == "POST" and form.is_valid():
        try:
            version = lifecycle.agreement_prepare(actor=request.user, project=project,
                                                  conditions=form.cleaned_data["conditions"])
        except (ValidationError, Refused) as exc:
            apply_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(exc.messages))
        else:
            messages.success(request, _("The agreement is prepared. Read it, then issue it to the parties."))
            return redirect("agreements:version", pk=version.pk)
    return render(request, "agreements/prepare.html", {
        "project": project, "proposal": project.proposal, "decision": decision, "form": form,
        "stage_rule": lifecycle.stage_rule_text(project.proposal.call),
    }, status=400 if form.is_bound and form.errors else 200)


def _version_context(request, version, *, accept_form=None) -> dict:
    user = request.user
    agreement = version.agreement
    parties = list(version.parties.select_related("region", "accepted_by"))
    latest = selectors.current_version(agreement)
    for party in parties:
        party.can_accept = (version.state == "issued" and not party.has_accepted and version.pk == latest.pk
                            and user.has_perm("agreements.accept_agreement", party))
        party.form = accept_form if accept_form is not None and accept_form.data.get("party") == str(party.pk) \
            else AcceptForm(initial={"party": party.pk, "version": version.number})
    document = getattr(version, "document", None) if hasattr(version, "document") else None
    return {
        "version": version, "agreement": agreement, "project": agreement.project,
        "proposal": agreement.project.proposal, "grid": selectors.version_grid(version),
        "categories": selectors.category_grid(version), "parties": parties,
        "versions": selectors.versions_of(agreement), "latest": latest, "document": document,
        "document_error": document.error_for(user) if document is not None else "",
        "can_issue": version.state == "draft" and user.has_perm("agreements.issue_agreement", version),
        "can_download": document is not None and document.is_ready
        and user.has_perm("agreements.download_agreement", document),
        "accepted_count": sum(1 for p in parties if p.has_accepted),
        "can_amend": version.state == "in_force" and version.pk == latest.pk
        and user.has_perm("agreements.request_amendment", agreement),
        "amendments": list(agreement.amendments.all()),
    }


@require_safe
@login_required
def version_page(request, pk):
    version = selectors.version_for(user=request.user, pk=pk)
    require(request.user, "agreements.view_agreement", version)
    return render(request, "agreements/version.html", _version_context(request, version))


@require_POST
@login_required
def version_issue(request, pk):
    version = selectors.version_for(user=request.user, pk=pk)
    require(request.user, "agreements.issue_agreement", version)
    form = ConfirmForm(request.POST, refusal=_("Tick the confirmation box to issue the agreement."))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["confirm"]))
    else:
        perform(request, lambda: lifecycle.agreement_transition(actor=request.user, version=version,
                                                                action="issue"),
                _("The agreement is issued: its PDF is being built and the parties are told."))
    return redirect("agreements:version", pk=pk)


@require_POST
@login_required
def version_accept(request, pk):
    version = selectors.version_for(user=request.user, pk=pk)
    require(request.user, "agreements.view_agreement", version)
    form = AcceptForm(request.POST)
    if form.is_valid():
        party = AgreementParty.objects.filter(pk=form.cleaned_data["party"], version=version).first()
        if party is None:
            raise Http404
        try:
            lifecycle.agreement_accept(actor=request.user, party=party,
                                       version_number=form.cleaned_data["version"],
                                       institution_signed=form.cleaned_data["institution_signed"])
        except (ValidationError, Refused) as exc:
            apply_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(exc.messages))
        else:
            messages.success(request, _("Accepted: %(party)s.") % {"party": party.name})
            return redirect("agreements:version", pk=pk)
    version.refresh_from_db()
    messages.error(request, _("Not accepted: see the reason at the party."))
    return render(request, "agreements/version.html", _version_context(request, version, accept_form=form),
                  status=400)


@require_safe
@login_required
def document_download(request, pk):
    document = documents.agreement_document_for_download(user=request.user, document_id=pk)
    return FileResponse(document.file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"{document.version.reference}.pdf")


@login_required
def amendment_request(request, pk):
    """The lead region's official asks for a change to the version in force."""
    agreement = get_object_or_404(selectors.agreements_visible_to(user=request.user)
                                  .select_related("project__proposal__call"), pk=pk)
    require(request.user, "agreements.request_amendment", agreement)
    version = selectors.version_in_force(agreement.project)
    if version is None:
        raise Http404
    regions = [p.region for p in agreement.project.proposal.participations.select_related("region")
               .order_by("-is_lead", "region__order")]
    form = AmendmentForm(request.POST if request.method == "POST" else None,
                         request.FILES if request.method == "POST" else None, version=version, regions=regions)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["attachments"]
        try:
            amendment = amendments.amendment_request(
                actor=request.user, agreement=agreement, kind=form.cleaned_data["kind"],
                reasons=form.cleaned_data["reasons"], description=form.cleaned_data["description"],
                new_end_year=form.cleaned_data["new_end_year"], money=form.money(),
                uploads=[upload] if upload else [])
        except (ValidationError, Refused) as exc:
            apply_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(exc.messages))
        else:
            messages.success(request, _("The amendment is requested: the ministry is told."))
            return redirect("agreements:amendment", pk=amendment.pk)
    form.mark_errors()
    return render(request, "agreements/amendment_request.html", {
        "agreement": agreement, "project": agreement.project, "version": version, "form": form,
        "categories": selectors.category_grid(version), "grid": selectors.version_grid(version),
    }, status=400 if form.is_bound and form.errors else 200)


def _amendment_context(request, amendment, *, form=None) -> dict:
    user = request.user
    open_ = amendment.state in amendments.OPEN_STATES
    small = amendments.is_small(amendment)
    can = {
        "endorse": open_ and amendment.state == "requested" and not small
        and user.has_perm("agreements.endorse_amendment", amendment),
        "approve": open_ and (small or amendment.state == "endorsed")
        and user.has_perm("agreements.approve_amendment", amendment),
        "refuse": open_ and user.has_perm("agreements.decide_amendment", amendment),
    }
    return {
        "amendment": amendment, "agreement": amendment.agreement, "project": amendment.agreement.project,
        "attachments": list(amendment.attachments.all()), "small": small,
        "policy": amendments.policy_for(amendment.agreement.project.proposal.call), "can": can,
        "can_decide": any(can.values()), "form": form or AmendmentDecisionForm(),
        "can_see_policy": user.has_perm("agreements.change_amendment_policy",
                                        amendment.agreement.project.proposal.call),
        "four_eyes_wait": open_ and amendment.state == "endorsed" and amendment.endorsed_by_id == user.pk,
    }


@require_safe
@login_required
def amendment_page(request, pk):
    amendment = selectors.amendment_for(user=request.user, pk=pk)
    require(request.user, "agreements.view_amendment", amendment)
    return render(request, "agreements/amendment.html", _amendment_context(request, amendment))


@require_POST
@login_required
def amendment_decide(request, pk):
    amendment = selectors.amendment_for(user=request.user, pk=pk)
    require(request.user, "agreements.view_amendment", amendment)
    form = AmendmentDecisionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            amendment = amendments.amendment_transition(actor=request.user, amendment=amendment, action=action,
                                                        note=form.cleaned_data["note"])
        except (ValidationError, Refused) as exc:
            apply_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(exc.messages))
        else:
            messages.success(request, _("Done: the amendment is “%(state)s”.") % {
                "state": amendment.get_state_display()})
            return redirect("agreements:amendment", pk=pk)
    amendment.refresh_from_db()
    return render(request, "agreements/amendment.html", _amendment_context(request, amendment, form=form),
                  status=400)


@require_safe
@login_required
def amendment_attachment(request, pk):
    attachment = get_object_or_404(AmendmentAttachment.objects.select_related("amendment"), pk=pk)
    amendment = selectors.amendment_for(user=request.user, pk=attachment.amendment_id)
    require(request.user, "agreements.view_amendment", amendment)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@require_safe
@login_required
def version_compare(request, pk):
    """Two versions of an agreement side by side (by default the one before the latest and the latest)."""
    agreement = get_object_or_404(selectors.agreements_visible_to(user=request.user)
                                  .select_related("project__proposal"), pk=pk)
    require(request.user, "agreements.view_agreement", agreement)
    versions = list(agreement.versions.order_by("number"))
    by_number = {v.number: v for v in versions}

    def chosen(name, default):
        try:
            return by_number[int(request.GET.get(name, default))]
        except (KeyError, ValueError, TypeError):
            return by_number[default]

    if len(versions) < 2:
        raise Http404
    old = chosen("old", versions[-2].number)
    new = chosen("new", versions[-1].number)
    return render(request, "agreements/compare.html", {
        "agreement": agreement, "project": agreement.project, "old": old, "new": new, "versions": versions,
        "latest": versions[-1], **selectors.compare_versions(old, new),
    })


@login_required
def amendment_policy(request, pk):
    """A call's amendment thresholds: staff read and change them; the changes so far, who and when."""
    call = call_detail(user=request.user, pk=pk)
    require(request.user, "agreements.change_amendment_policy", call)
    current = amendments.policy_for(call)
    form = AmendmentPolicyForm(request.POST if request.method == "POST" else None,
                               initial={"small_pct": current.small_pct, "small_max_won": current.small_max_won})
    if request.method == "POST" and form.is_valid():
        try:
            policies.amendment_policy_save(actor=request.user, call=call, **form.cleaned_data)
        except (ValidationError, Refused) as exc:
            apply_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(exc.messages))
        else:
            messages.success(request, _("The amendment thresholds are saved."))
            return redirect("agreements:amendment_policy", pk=call.pk)
    form.style()
    return render(request, "agreements/amendment_policy.html", {
        "call": call, "policy": current, "pct": policies.pct_text(current.small_pct),
        "is_default": current.pk is None, "form": form,
        "history": policies.policy_history(call),
    }, status=400 if form.is_bound and form.errors else 200)

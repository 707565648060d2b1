"""Expert pool, panels, consulting, scoring, ranking and feedback pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role, User
from accounts.throttling import client_ip
from core.forms import ConfirmForm, apply_errors, error_texts, perform
from core.params import posted_id
from core.permissions import require
from core.spreadsheet import csv_lines
from programmes.models import Call, CooperationType, QualityRules, Region, StrategicIndustry
from programmes.selectors import calls_visible_to
from proposals.disclosure import presentation_invitation_shown
from proposals.models import ProposalState, VersionKind
from proposals.selectors import proposal_for
from proposals.views import _labels

from . import hooks, selectors, services
from .forms import (
    TYPE_CHOICES,
    AnswerForm,
    AutoPlanForm,
    CommentForm,
    ContactPurposeForm,
    DeclarationForm,
    ExclusionForm,
    ImportForm,
    ObjectionAnswerForm,
    ObjectionForm,
    PanelResultForm,
    PledgeForm,
    PresentationSlotForm,
    QualityRulesForm,
    ReevaluationCloseForm,
    SuggestedFieldForm,
    UnsuitableForm,
)
from .models import (
    Assignment,
    AssignmentKind,
    Attendance,
    Confidence,
    ConfidentialityPledge,
    ConsultingComment,
    EvaluationRound,
    Objection,
    ObjectionAttachment,
    ObjectionState,
    PanelResult,
    PresentationSlot,
    Scoresheet,
    ShortlistEntry,
    UnsuitableReviewer,
)
from .services import quality as quality_services
from .services.aggregation import DISAGREEMENT_RANGE, TIE_BREAK_RULE, TRIM_FROM
from .services.objections import MAX_ATTACHMENTS, lodging_refusal, reevaluation_candidates
from .services.objections import available_moves as available_objection_moves
from .services.panels import ASSIGNABLE_STATES

CONSULTING_STATES = ASSIGNABLE_STATES[AssignmentKind.CONSULTING]


def _staff_call(request, pk) -> Call:
    require(request.user, "evaluations.manage_panels")
    return get_object_or_404(calls_visible_to(user=request.user), pk=pk)


# --- Expert pool -----------------------------------------------------------------------


POOL_FILTERS = ("q", "industry", "region", "available")


def _pool_filters(data) -> dict:
    return {k: str(data.get(k, "")).strip()[:200] for k in POOL_FILTERS}


def _pool_page(request, f: dict, export_form, status: int = 200):
    qs = selectors.expert_pool(search=f["q"], industry=f["industry"], region=f["region"], available=f["available"])
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = [(e, services.contacts_of(e).masked()) for e in page.object_list]
    return render(request, "evaluations/expert_pool.html", {
        "page": page, "rows": rows, "f": f, "filtered": any(f.values()), "export_form": export_form,
        "query": urlencode({k: v for k, v in f.items() if v}),
        "industries": StrategicIndustry.objects.all(), "regions": Region.objects.all(),
    }, status=status)


@login_required
def expert_pool(request):
    require(request.user, "evaluations.manage_panels")
    return _pool_page(request, _pool_filters(request.GET), ContactPurposeForm(prefix="export"))


def _expert_csv_rows(experts, with_contacts: bool):
    header = [_("Username"), _("Name"), _("Affiliation"), _("Sector"), _("Home region"), _("Fields of expertise"),
              _("Keywords"), _("Available")]
    yield header + ([_("E-mail"), _("Phone")] if with_contacts else [])
    for e in experts:
        p = e.expert_profile
        row = [e.username, str(e), p.affiliation, p.get_sector_display(), str(p.home_region),
               "; ".join(str(i) for i in p.industries.all()), p.keywords, _("Yes") if p.available else _("No")]
        if with_contacts:
            c = services.contacts_of(e)
            row += [c.email, c.phone]
        yield row


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def expert_export(request):
    """The filtered pool as CSV: without contact details on a GET; with them on a POST that gives
    a purpose (one entry of the access log of personal data, with the row count)."""
    require(request.user, "evaluations.view_expert_pool")
    with_contacts = request.method == "POST"
    f = _pool_filters(request.POST if with_contacts else request.GET)
    purpose, detail = "", ""
    if with_contacts:
        require(request.user, "evaluations.reveal_expert_contacts")
        form = ContactPurposeForm(request.POST, prefix="export")
        if not form.is_valid():
            return _pool_page(request, f, form)
        purpose, detail = form.cleaned_data["purpose"], form.cleaned_data["purpose_detail"]
    experts = selectors.expert_pool(search=f["q"], industry=f["industry"], region=f["region"],
                                    available=f["available"])
    experts = services.experts_export_record(actor=request.user, experts=experts, with_contacts=with_contacts,
                                             purpose=purpose, purpose_detail=detail, filters=f,
                                             ip=client_ip(request))
    response = StreamingHttpResponse(csv_lines(_expert_csv_rows(experts, with_contacts)),
                                     content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = "expert-pool-contacts" if with_contacts else "expert-pool"
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def expert_profile(request, pk):
    """An expert's profile. Contact details are masked; whoever sees the pool shows them by giving a
    purpose (logged); the expert reads their own as they are."""
    expert = get_object_or_404(
        User.objects.filter(role=Role.EXPERT, expert_profile__isnull=False)
        .select_related("expert_profile__home_region", "expert_profile__institution")
        .prefetch_related("expert_profile__industries"), pk=pk)
    require(request.user, "evaluations.view_expert_profile", expert)
    own = request.user.pk == expert.pk
    contacts = services.contacts_of(expert)
    revealed = own
    form = ContactPurposeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(request.user, "evaluations.reveal_expert_contacts", expert)
        if form.is_valid():
            try:
                contacts = services.expert_contacts_reveal(
                    actor=request.user, expert=expert, purpose=form.cleaned_data["purpose"],
                    purpose_detail=form.cleaned_data["purpose_detail"], ip=client_ip(request))
                revealed = True
            except ValidationError as exc:
                apply_errors(form, exc)
    return render(request, "evaluations/expert_profile.html", {
        "expert": expert, "profile": expert.expert_profile, "own": own, "revealed": revealed,
        "contacts": contacts if revealed else contacts.masked(), "has_contacts": bool(contacts.items),
        "form": form, "load": expert.assignments.count(),
    })


@login_required
def expert_import(request):
    require(request.user, "evaluations.import_experts")
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.experts_import(actor=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_errors(form, exc, field="file")
        else:
            if report.refused:
                messages.warning(request, _("%(ok)s rows imported; %(bad)s rows refused (see below).") % {
                    "ok": len(report.created) + len(report.updated), "bad": len(report.refused)})
            else:
                messages.success(request, _("%(ok)s rows imported.") % {
                    "ok": len(report.created) + len(report.updated)})
    return render(request, "evaluations/expert_import.html", {"form": form, "report": report})


# --- An expert's assignments ---------------------------------------------------------------


@login_required
def my_assignments(request):
    require(request.user, "evaluations.list_assignments")
    page = Paginator(selectors.assignments_of(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "evaluations/my_assignments.html", {"page": page})


def _own_assignment(request, pk) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("proposal__call", "proposal__lead_region", "proposal__industry"),
        pk=pk, expert=request.user,
    )
    require(request.user, "evaluations.view_assignment", assignment)
    return assignment


def _version_for(assignment):
    scored = assignment.kind in (AssignmentKind.EVALUATION, AssignmentKind.REEVALUATION)
    kind = VersionKind.SUBMISSION if scored else VersionKind.CONSULTING
    return assignment.proposal.versions.filter(kind=kind).order_by("-number").first()


def _pledge_missing(request, assignment):
    """The way to the call's confidentiality pledge when the expert has not signed it (else None):
    no content of a proposal before it is signed."""
    if services.pledge_signed(user=request.user, call_id=assignment.proposal.call_id):
        return None
    messages.info(request, _("Sign the confidentiality pledge for this call before you read its proposals."))
    back = reverse("evaluations:assignment", args=[assignment.pk])
    return redirect(f"{reverse('evaluations:pledge', args=[assignment.proposal.call_id])}?{urlencode({'next': back})}")


def _declaration_page(request, assignment, form, status=200):
    facts = services.proposal_facts(assignment.proposal)
    return render(request, "evaluations/declare.html", {
        "assignment": assignment, "proposal": assignment.proposal, "declaration_form": form,
        "regions": sorted(facts["region_names"].values()), "organisations": sorted(facts["organisation_names"]),
        **_labels()}, status=status)


@login_required
def assignment_detail(request, pk):
    assignment = _own_assignment(request, pk)
    if (to_pledge := _pledge_missing(request, assignment)) is not None:
        return to_pledge
    proposal = assignment.proposal
    context = {"assignment": assignment, "proposal": proposal, **_labels()}
    if assignment.declared_at is None:
        return _declaration_page(request, assignment, DeclarationForm(grounds=proposal.call.declared_grounds()))
    if assignment.conflict_declared:
        return render(request, "evaluations/withdrawn.html", context)
    version = _version_for(assignment)
    context.update(version=version, snapshot=version.snapshot if version else None)
    if assignment.kind == AssignmentKind.STAGE:
        # A stage evaluator reads the project's stage (plan, KPIs, reports, money), never the panel.
        sheet = services.scoresheet_for(assignment)
        context.update(sheet=sheet, rows=_score_rows(sheet), **_stage_context(assignment),
                       **_confidence_context(sheet))
        return render(request, "evaluations/scoresheet.html", context)
    if assignment.kind in (AssignmentKind.EVALUATION, AssignmentKind.REEVALUATION):
        sheet = services.scoresheet_for(assignment)
        data = request.POST if request.method == "POST" else None
        context.update(sheet=sheet, rows=_score_rows(sheet, data), **_confidence_context(sheet, data))
        return render(request, "evaluations/scoresheet.html", context)
    rnd = services.current_round(proposal)
    context.update(comment_form=CommentForm(), round=rnd,
                   my_comments=ConsultingComment.objects.filter(assignment=assignment).select_related("round",
                                                                                                     "answer"))
    return render(request, "evaluations/consult.html", context)


@require_POST
@login_required
def assignment_declare(request, pk):
    assignment = _own_assignment(request, pk)
    if (to_pledge := _pledge_missing(request, assignment)) is not None:
        return to_pledge
    if assignment.declared_at is not None:
        messages.error(request, _("You already made your declaration for this assignment."))
        return redirect("evaluations:assignment", pk=pk)
    form = DeclarationForm(request.POST, grounds=assignment.proposal.call.declared_grounds())
    if not form.is_valid():
        messages.error(request, _("Answer every question and choose one of the two declarations."))
        return _declaration_page(request, assignment, form, status=400)
    try:
        services.assignment_declare(actor=request.user, assignment=assignment,
                                    conflict=form.cleaned_data["decision"] == "conflict",
                                    note=form.cleaned_data["note"], grounds=form.answers())
    except ValidationError as exc:
        apply_errors(form, exc)
        messages.error(request, " ".join(exc.messages))
        return _declaration_page(request, assignment, form, status=400)
    else:
        if form.cleaned_data["decision"] == "conflict":
            messages.info(request, _("Thank you. You were withdrawn from this proposal; ministry staff were told."))
        else:
            messages.success(request, _("Declaration recorded. You can now read the proposal."))
    return redirect("evaluations:assignment", pk=pk)


def _score_rows(sheet: Scoresheet, data=None, errors=None):
    rows = []
    for s in sheet.scores.select_related("criterion").order_by("criterion__order", "criterion_id"):
        key = s.criterion_id
        value = data.get(f"score-{key}", "") if data is not None else ("" if s.value is None else s.value)
        comment = data.get(f"comment-{key}", "") if data is not None else s.comment
        rows.append({"criterion": s.criterion, "value": value, "comment": comment,
                     "score_error": (errors or {}).get(f"score-{key}"),
                     "comment_error": (errors or {}).get(f"comment-{key}")})
    return rows


@require_POST
@login_required
def scoresheet_save(request, pk):
    assignment = _own_assignment(request, pk)
    if (to_pledge := _pledge_missing(request, assignment)) is not None:
        return to_pledge
    require(request.user, "evaluations.score", assignment)  # before anything is written
    sheet = services.scoresheet_for(assignment)
    submit = "submit" in request.POST
    if submit and request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the confirmation box to submit: submitted scores are locked."))
        return _scoresheet_page(request, assignment, sheet, errors={})
    values = {s.criterion_id: (request.POST.get(f"score-{s.criterion_id}", ""),
                               request.POST.get(f"comment-{s.criterion_id}", ""))
              for s in sheet.scores.all()}
    try:
        services.scoresheet_save(actor=request.user, assignment=assignment, values=values,
                                 overall_comment=request.POST.get("overall_comment", ""), submit=submit,
                                 confidence=request.POST.get("confidence", ""))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        errors = error_texts(exc)
        messages.error(request, _("Please correct the marked fields. Nothing you typed was lost.")
                       if errors else " ".join(exc.messages))
        return _scoresheet_page(request, assignment, sheet, errors=errors)
    messages.success(request, _("Scores submitted and locked. Thank you.") if submit else _("Draft saved."))
    return redirect("evaluations:assignment", pk=pk)


def _stage_context(assignment) -> dict:
    """What the kind's owner shows beside the scoresheet (a funded project's stage facts)."""
    return hooks.page_context(assignment=assignment)


def _scoresheet_page(request, assignment, sheet, errors):
    version = _version_for(assignment)
    sheet.refresh_from_db()
    return render(request, "evaluations/scoresheet.html", {
        "assignment": assignment, "proposal": assignment.proposal, "sheet": sheet, "version": version,
        "snapshot": version.snapshot if version else None, "rows": _score_rows(sheet, request.POST, errors),
        "overall_comment": request.POST.get("overall_comment", ""), **_labels(), **_stage_context(assignment),
        **_confidence_context(sheet, request.POST, errors),
    }, status=400 if errors else 200)


def _confidence_context(sheet, data=None, errors=None) -> dict:
    """The confidence radio group: the choices, the one typed (or saved) and its error."""
    chosen = data.get("confidence", "") if data is not None else ("" if sheet.confidence is None else sheet.confidence)
    return {"confidence_choices": Confidence.choices, "confidence_chosen": str(chosen),
            "confidence_error": (errors or {}).get("confidence")}


@require_POST
@login_required
def comment_add(request, pk):
    assignment = _own_assignment(request, pk)
    if (to_pledge := _pledge_missing(request, assignment)) is not None:
        return to_pledge
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.consulting_comment_add(actor=request.user, assignment=assignment,
                                            section=form.cleaned_data["section"], text=form.cleaned_data["text"])
        except PermissionDenied:
            raise
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Comment sent to the region."))
            return redirect("evaluations:assignment", pk=pk)
    else:
        messages.error(request, _("Write at least 10 characters and choose a section."))
    rnd = services.current_round(assignment.proposal)
    version = _version_for(assignment)
    return render(request, "evaluations/consult.html", {
        "assignment": assignment, "proposal": assignment.proposal, "comment_form": form, "round": rnd,
        "version": version, "snapshot": version.snapshot if version else None,
        "my_comments": ConsultingComment.objects.filter(assignment=assignment), **_labels(),
    }, status=400)


@login_required
def pledge(request, pk):
    """The expert's confidentiality pledge for one call (a call they have an assignment on)."""
    # Only a call the expert has an assignment on (anyone else: 404).
    call = get_object_or_404(Call.objects.filter(proposals__assignments__expert=request.user).distinct(), pk=pk)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    signed = ConfidentialityPledge.objects.filter(expert=request.user, call=call, theme_review__isnull=True).first()
    form = PledgeForm(request.POST or None)
    if request.method == "POST" and signed is None and form.is_valid():
        try:
            services.pledge_sign(actor=request.user, call=call, signed_name=form.cleaned_data["signed_name"],
                                 agree=form.cleaned_data["agree"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Pledge signed. You can now read the proposals of this call."))
            return redirect(next_url or "evaluations:assignments")
    return render(request, "evaluations/pledge.html", {"call": call, "form": form, "signed": signed,
                                                       "next": next_url, "text": services.pledge_text("call")},
                  status=400 if form.errors else 200)


# --- Panels (staff) ------------------------------------------------------------------------


def _panel_proposal(request, pk):
    require(request.user, "evaluations.manage_panels")
    return proposal_for(user=request.user, pk=pk)


@require_safe
@login_required
def proposal_panel(request, pk):
    proposal = _panel_proposal(request, pk)
    assignments = list(proposal.assignments.select_related("expert__expert_profile", "scoresheet"))
    # Exclusions for what the proposal is at: consulting while drafted, evaluation after (a coach
    # may coach again but never evaluate).
    kind = AssignmentKind.CONSULTING if proposal.state in CONSULTING_STATES else AssignmentKind.EVALUATION
    excluded = services.exclusions_for(proposal, kind=kind)
    excluded_ids = {u.pk for u, _r in excluded}
    taken = {(a.kind, a.expert_id) for a in assignments}
    candidates = selectors.panel_candidates(excluded_ids=excluded_ids)
    written = [a for a in assignments if a.kind == AssignmentKind.EVALUATION and a.round == 1]  # the panel's figures
    panel = [a for a in written if not a.conflict_declared]
    withdrawn = sum(1 for a in written if a.conflict_declared)
    return render(request, "evaluations/panel.html", {
        "proposal": proposal, "assignments": assignments, "excluded": excluded, "candidates": candidates,
        "taken": taken, "kinds": AssignmentKind.choices, "excluded_for": AssignmentKind(kind).label,
        "panel_active": len(panel), "panel_withdrawn": withdrawn,
        "panel_short": max(0, proposal.call.panel_size - len(panel)) if kind == AssignmentKind.EVALUATION else 0,
        "composition": services.composition_problems(proposal.call, panel),
        "composition_rules": services.composition.has_rules(proposal.call),
        "unsuitable": proposal.unsuitable_reviewers.select_related("expert__expert_profile", "overridden_by"),
        "suggested": proposal.suggested_fields.select_related("industry"),
        "round_choices": EvaluationRound.choices if ShortlistEntry.objects.filter(proposal=proposal).exists() else None,
    })


# The panel page's actions, one URL each; the ids posted are the proposal's (else 404).


@require_POST
@login_required
def panel_assign(request, pk):
    proposal = _panel_proposal(request, pk)
    expert = get_object_or_404(selectors.experts(), pk=posted_id(request, "expert"))
    perform(request, lambda: services.panel_assign(actor=request.user, proposal=proposal, expert=expert,
                                                   kind=request.POST.get("kind", AssignmentKind.EVALUATION),
                                                   round=request.POST.get("round", 1)),
            _("%(expert)s was assigned.") % {"expert": expert})
    return redirect("evaluations:panel", pk=pk)


@require_POST
@login_required
def panel_unassign(request, pk):
    proposal = _panel_proposal(request, pk)
    assignment = get_object_or_404(proposal.assignments, pk=posted_id(request, "assignment"))
    perform(request, lambda: services.panel_unassign(actor=request.user, assignment=assignment),
            _("The assignment was removed."))
    return redirect("evaluations:panel", pk=pk)


@require_POST
@login_required
def panel_reopen(request, pk):
    """Staff reopen an expert's submitted scores, giving the reason."""
    proposal = _panel_proposal(request, pk)
    sheet = get_object_or_404(Scoresheet, pk=posted_id(request, "scoresheet"), assignment__proposal=proposal)
    perform(request, lambda: services.scoresheet_reopen(actor=request.user, scoresheet=sheet,
                                                        reason=request.POST.get("reason", "")),
            _("The scores were reopened; the expert was told."))
    return redirect("evaluations:panel", pk=pk)


@require_POST
@login_required
def panel_chair(request, pk):
    """Staff name the panel's chair (위원장)."""
    proposal = _panel_proposal(request, pk)
    assignment = get_object_or_404(proposal.assignments.filter(kind=AssignmentKind.EVALUATION),
                                   pk=posted_id(request, "assignment"))
    perform(request, lambda: services.panel_set_chair(actor=request.user, assignment=assignment),
            _("%(expert)s chairs the panel.") % {"expert": assignment.expert})
    return redirect("evaluations:panel", pk=pk)


@require_POST
@login_required
def panel_override(request, pk):
    """Staff lift the region's exclusion of one pool expert, giving the reason."""
    proposal = _panel_proposal(request, pk)
    entry = get_object_or_404(UnsuitableReviewer.objects.select_related("expert"), proposal=proposal,
                              pk=posted_id(request, "unsuitable"))
    perform(request, lambda: services.unsuitable_override(actor=request.user, entry=entry,
                                                          reason=request.POST.get("reason", "")),
            _("The exclusion of %(expert)s was overridden; they may now be assigned.") % {"expert": entry.expert})
    return redirect("evaluations:panel", pk=pk)


def auto_plan_page(request, *, form_class, names: dict, defaults: dict, make_plan, confirm, done_url: str,
              template: str, context: dict):
    """The automatic plan's page, for the call's panels and a stage round's (projects): the
    settings form (`names`: the plan's setting → the form's field), the plan reviewed, then
    confirmed by posting its signature (`confirm(signature=…, **settings)` returns what it
    created; then to `done_url`)."""
    data = request.POST if request.method == "POST" else request.GET
    form = form_class(data if any(f in data for f in names.values()) else None)
    settings_ = dict(defaults)
    if form.is_bound and form.is_valid():
        settings_ = {k: form.cleaned_data[f] for k, f in names.items()}
    plan = None
    if not form.is_bound or form.is_valid():
        if request.method == "POST":
            try:
                created = confirm(signature=request.POST.get("signature", ""), **settings_)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("%(n)s assignments created; the experts were told.") % {
                    "n": len(created)})
                return redirect(done_url)
        try:
            plan = make_plan(**settings_)
        except ValidationError as exc:
            apply_errors(form, exc)
    loads = []
    if plan is not None:
        experts = User.objects.in_bulk([k for k, v in plan.loads.items() if v])
        loads = sorted(((experts[k], v) for k, v in plan.loads.items() if v), key=lambda x: (-x[1], x[0].pk))
    return render(request, template, {
        **context, "plan": plan, "form": form, "settings": settings_, "loads": loads,
        "new_count": sum(len(r.experts) for r in plan.rows) if plan else 0,
    })


@login_required
def auto_assign(request, pk):
    """The optimal plan of the call's panels: staff choose what to optimise and the load, review
    the plan (affinity and reasons per chosen expert), then confirm it."""
    call = _staff_call(request, pk)
    return auto_plan_page(
        request, form_class=AutoPlanForm, names={"cooperation_type": "type", "mode": "mode", "max_load": "max_load"},
        defaults={"cooperation_type": "", "mode": "total", "max_load": None},
        make_plan=lambda **kw: services.panel_auto_plan(call=call, **kw),
        confirm=lambda **kw: services.panel_auto_confirm(actor=request.user, call=call, **kw),
        done_url=reverse("evaluations:progress", args=[call.pk]), template="evaluations/auto_assign.html",
        context={"call": call})


@login_required
def ranking(request, pk):
    """The figures first, one page of the ranking at a time (cached per data version); each row's
    panel comment on its own page."""
    require(request.user, "evaluations.view_ranking")
    call = get_object_or_404(calls_visible_to(user=request.user), pk=pk)
    ctype = request.GET.get("type", "")
    if ctype not in CooperationType.values:
        ctype = ""
    normalised = request.GET.get("normalised") == "1"
    board = selectors.board_page(call=call, cooperation_type=ctype, normalised=normalised,
                                 page=request.GET.get("page", 1))
    return render(request, "evaluations/ranking.html", {
        "call": call, "board": board, "page": board["page"], "type": ctype, "types": TYPE_CHOICES, "normalised": normalised,
        "row_query": _board_query(type=ctype, normalised="1" if normalised else "", page=board["page"].number),
        "trim_from": TRIM_FROM, "disagreement_range": DISAGREEMENT_RANGE, "tie_rule": TIE_BREAK_RULE,
        "rounds": selectors.rounds_board(call=call) if call.has_two_rounds else None,
    })


@require_POST
@login_required
def shortlist_take(request, pk):
    """Staff take the presentation round's shortlist from the written round (confirmed first)."""
    require(request.user, "evaluations.manage_rounds")
    call = get_object_or_404(calls_visible_to(user=request.user), pk=pk)
    form = ConfirmForm(request.POST, refusal=_("Tick the box to confirm: the shortlist cannot be taken again."))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["confirm"]))
    else:
        perform(request, lambda: services.shortlist_take(actor=request.user, call=call),
                _("The shortlist was taken; assign the presentation panels."))
    return redirect(reverse("evaluations:ranking", args=[call.pk]) + "#rounds")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def panel_result_edit(request, pk):
    """The panel's consensus comment and the reason for the decision on one proposal, on a page of
    its own (opened from the ranking board, back to the same page of it)."""
    require(request.user, "evaluations.manage_panels")
    proposal = proposal_for(user=request.user, pk=pk)
    back = _ranking_url(request, proposal)
    current = PanelResult.objects.filter(proposal=proposal).first()
    initial = {"consensus_comment": current.consensus_comment, "decision_reason": current.decision_reason} if current else {}
    form = PanelResultForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.panel_result_save(actor=request.user, proposal=proposal, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The panel's comment was saved."))
                return redirect(back)
        status = 400
    return render(request, "evaluations/panel_result.html", {
        "proposal": proposal, "form": form, "back": back, "figures": selectors.board_figures(proposal=proposal),
    }, status=status)


def _board_query(**params) -> str:
    """The board's filter and page, for a row's link (the decision page leads back to them)."""
    query = urlencode({k: v for k, v in params.items() if v})
    return f"?{query}" if query else ""


def _ranking_url(request, proposal) -> str:
    """The ranking board on the page and filters the comment was opened from."""
    query = {k: v for k, v in (("type", request.GET.get("type", "")), ("normalised", request.GET.get("normalised", "")),
                               ("page", request.GET.get("page", "")))
             if (k == "type" and v in CooperationType.values) or (k == "normalised" and v == "1")
             or (k == "page" and v.isdigit())}
    url = reverse("evaluations:ranking", args=[proposal.call_id])
    return f"{url}?{urlencode(query)}" if query else url


@login_required
def progress(request, pk):
    call = _staff_call(request, pk)
    if request.method == "POST":
        from .tasks import remind_unsubmitted

        remind_unsubmitted.delay(call_id=call.pk)
        messages.success(request, _("Reminders are being sent to experts with unsubmitted scores."))
        return redirect("evaluations:progress", pk=pk)
    return render(request, "evaluations/progress.html", {"call": call, **selectors.progress(call=call),
                                                         "pending": services.unsubmitted_evaluations(call=call).count()})


# --- Regions: consulting comments and feedback ----------------------------------------------


def _reviewer_forms(data=None, which: str = ""):
    unsuitable = UnsuitableForm(data if which == "unsuitable" else None, experts=selectors.reviewer_pool())
    suggested = SuggestedFieldForm(data if which == "field" else None,
                                   industries=StrategicIndustry.objects.filter(active=True))
    return unsuitable, suggested


@login_required
def reviewers(request, pk):
    """The lead region's list of unsuitable reviewers and suggested fields (before panels are formed)."""
    proposal = proposal_for(user=request.user, pk=pk)
    require(request.user, "evaluations.view_reviewer_list", proposal)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    unsuitable_form, field_form = _reviewer_forms(request.POST, which)
    status = 200
    if request.method == "POST":
        require(request.user, "evaluations.name_reviewers", proposal)
        form = field_form if which == "field" else unsuitable_form
        if which not in ("field", "unsuitable"):
            messages.error(request, _("Choose what to add."))
            status = 400
        elif form.is_valid():
            data = form.cleaned_data
            try:
                if which == "field":
                    services.suggested_field_add(actor=request.user, proposal=proposal, industry=data["industry"],
                                                 text=data["text"])
                else:
                    services.unsuitable_add(actor=request.user, proposal=proposal, expert=data["expert"],
                                            name=data["name"], institution=data["institution"],
                                            reason=data["reason"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Added to the list."))
                return redirect("evaluations:reviewers", pk=pk)
        if which in ("field", "unsuitable"):
            messages.error(request, _("Please correct the marked fields. Nothing you typed was lost."))
            status = 400
    return render(request, "evaluations/reviewers.html", {
        "proposal": proposal, "unsuitable_form": unsuitable_form, "field_form": field_form,
        "entries": proposal.unsuitable_reviewers.select_related("expert__expert_profile"),
        "suggested": proposal.suggested_fields.select_related("industry"),
        "closed": services.list_closed_reason(proposal),
        "can_edit": request.user.has_perm("evaluations.name_reviewers", proposal),
        "limit": proposal.call.unsuitable_reviewers_max,
    }, status=status)


@require_POST
@login_required
def reviewers_remove(request, pk):
    proposal = proposal_for(user=request.user, pk=pk)
    require(request.user, "evaluations.name_reviewers", proposal)
    if "field" in request.POST:
        suggestion = get_object_or_404(proposal.suggested_fields, pk=posted_id(request, "field"))
        perform(request, lambda: services.suggested_field_remove(actor=request.user, suggestion=suggestion),
                _("The suggestion was removed."))
    else:
        entry = get_object_or_404(proposal.unsuitable_reviewers, pk=posted_id(request, "unsuitable"))
        perform(request, lambda: services.unsuitable_remove(actor=request.user, entry=entry),
                _("The person was removed from the list."))
    return redirect("evaluations:reviewers", pk=pk)


@login_required
def proposal_consulting(request, pk):
    proposal = proposal_for(user=request.user, pk=pk)
    require(request.user, "evaluations.view_consulting", proposal)
    if request.method == "POST":
        comment = get_object_or_404(ConsultingComment, pk=posted_id(request, "comment"), round__proposal=proposal)
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.consulting_answer(actor=request.user, comment=comment, text=form.cleaned_data["text"])
            except PermissionDenied:
                raise
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Answer saved."))
        else:
            messages.error(request, _("Write your answer."))
        return redirect("evaluations:consulting", pk=pk)
    can_manage = request.user.has_perm("evaluations.manage_panels")
    coached = list(selectors.consultants_of(proposal))
    return render(request, "evaluations/proposal_consulting.html", {
        "proposal": proposal, "rounds": services.comments_for(user=request.user, proposal=proposal),
        "can_answer": request.user.has_perm("evaluations.answer_comments", proposal),
        "can_manage": can_manage, "consultants": coached if can_manage else [],
        # In consulting with no consultant yet: staff's turn (the region has nothing to do).
        "waiting_for_consultants": proposal.state == ProposalState.CONSULTING and not coached,
        "pending": {"staff": can_manage},
    })


@login_required
def feedback(request, pk):
    proposal = proposal_for(user=request.user, pk=pk)
    require(request.user, "evaluations.view_feedback", proposal)
    call = proposal.call
    criteria = list(call.criteria.all())
    results = selectors.call_results(call=call)
    result = results.get(proposal.pk)
    panel_names = []
    if call.reveal_panel_names:
        panel_names = sorted(
            {str(a.expert) for a in proposal.assignments.filter(kind=AssignmentKind.EVALUATION,
                                                                conflict_declared=False).select_related("expert")})
    # Objections: the one lodged, or the period while this region could still lodge one.
    objection = Objection.objects.filter(proposal=proposal).first()
    window = services.objection_window(call)
    may_lodge = (objection is None and request.user.has_perm("evaluations.lodge_objection", proposal)
                 and lodging_refusal(proposal) is None)
    return render(request, "evaluations/feedback.html", {
        "objection": objection, "window": window, "days_left": window.days_left() if window else None,
        "objection_shown": objection is not None or may_lodge,
        "proposal": proposal, "result": result,
        "criteria": [(c, result.by_criterion_score.get(c.pk) if result else None,
                      result.by_criterion.get(c.pk) if result else None) for c in criteria],
        "panel": PanelResult.objects.filter(proposal=proposal).first(), "panel_names": panel_names,
        **_feedback_comments(request, proposal),
    })


def _feedback_comments(request, proposal) -> dict:
    """The evaluators' comments, anonymised, and the ratings the person may give them."""
    can_rate = request.user.has_perm("evaluations.rate_comments", proposal)
    return {"comments": selectors.feedback_comments(proposal=proposal, rater=request.user if can_rate else None),
            "can_rate": can_rate, "rating_choices": range(1, 6)}


@require_POST
@login_required
def feedback_rate(request, pk):
    """Rate one anonymised evaluator's comments (1–5); rating again changes it."""
    proposal = proposal_for(user=request.user, pk=pk)
    require(request.user, "evaluations.rate_comments", proposal)
    sheet = get_object_or_404(Scoresheet, pk=posted_id(request, "scoresheet"), assignment__proposal=proposal)
    perform(request, lambda: quality_services.comment_rate(actor=request.user, scoresheet=sheet,
                                                           value=request.POST.get("value", "")),
            _("Thank you: your rating was saved."))
    return redirect(f"{reverse('evaluations:feedback', args=[pk])}#comments")


# --- The evaluator quality record (staff) ----------------------------------------------------


def _quality_page(request, call, *, rules_form=None, exclusion_forms=None, status=200):
    records = quality_services.quality_record(call=call)
    exclusion_forms = exclusion_forms or {}
    rows = [(r, exclusion_forms.get(r.expert.pk) or ExclusionForm(auto_id=f"id_%s_{r.expert.pk}"))
            for r in records]
    return render(request, "evaluations/quality.html", {
        "call": call, "rows": rows, "flagged": sum(1 for r in records if r.flags),
        "rules_form": rules_form or QualityRulesForm(instance=QualityRules.for_call(call)),
    }, status=status)


@require_safe
@login_required
def quality(request, pk):
    call = _staff_call(request, pk)
    require(request.user, "evaluations.manage_quality")
    return _quality_page(request, call)

# --- Objections (이의신청) -------------------------------------------------------------------


def _objection_page(request, proposal, *, form=None, status=200):
    objection = Objection.objects.filter(proposal=proposal).prefetch_related("attachments").first()
    window = services.objection_window(proposal.call)
    may_lodge = objection is None and request.user.has_perm("evaluations.lodge_objection", proposal)
    refusal = lodging_refusal(proposal) if may_lodge else None
    return render(request, "evaluations/objection.html", {
        "proposal": proposal, "objection": objection, "window": window,
        "days_left": window.days_left() if window else None,
        "can_lodge": may_lodge and refusal is None, "refusal": refusal,
        "form": form or ObjectionForm(), "max_files": MAX_ATTACHMENTS,
    }, status=status)


@login_required
def proposal_objection(request, pk):
    """The region's objection to its result: the period with its deadline, the form while it
    may be lodged, then the objection with the answer once given."""
    proposal = proposal_for(user=request.user, pk=pk)
    require(request.user, "evaluations.view_objection", proposal)
    if request.method != "POST":
        return _objection_page(request, proposal)
    require(request.user, "evaluations.lodge_objection", proposal)
    form = ObjectionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.objection_lodge(actor=request.user, proposal=proposal, grounds=form.cleaned_data["grounds"],
                                     uploads=form.cleaned_data["attachments"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your objection was lodged; ministry staff were told."))
            return redirect("evaluations:objection", pk=pk)
    if form.errors.get("attachments"):
        messages.error(request, _("Nothing was saved. Your text is kept below; attach the files again."))
    return _objection_page(request, proposal, form=form, status=400)


@require_safe
@login_required
def objection_attachment(request, pk):
    attachment = get_object_or_404(ObjectionAttachment.objects.select_related("objection"), pk=pk)
    proposal = proposal_for(user=request.user, pk=attachment.objection.proposal_id)
    require(request.user, "evaluations.view_objection", proposal)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@require_safe
@login_required
def call_objections(request, pk):
    require(request.user, "evaluations.list_objections")
    call = get_object_or_404(calls_visible_to(user=request.user), pk=pk)
    state = request.GET.get("state", "")
    if state not in ObjectionState.values:
        state = ""
    page = Paginator(selectors.objections_of_call(call=call, state=state), 25).get_page(request.GET.get("page"))
    return render(request, "evaluations/objections.html", {
        "call": call, "page": page, "state": state, "states": ObjectionState.choices,
        "window": services.objection_window(call),
    })


def _staff_objection(request, pk) -> Objection:
    require(request.user, "evaluations.list_objections")
    return get_object_or_404(
        Objection.objects.select_related("proposal__call", "proposal__lead_region", "lodged_by", "answered_by")
        .prefetch_related("attachments"), pk=pk)


def _objection_detail_page(request, objection, *, answer_form=None, close_form=None, status=200):
    proposal = objection.proposal
    context = {
        "objection": objection, "proposal": proposal, "call": proposal.call,
        "moves": available_objection_moves(user=request.user, objection=objection),
        "answer_form": answer_form or ObjectionAnswerForm(),
        "close_form": close_form or ReevaluationCloseForm(),
    }
    if objection.is_reevaluation:
        comparison = selectors.reevaluation_comparison(proposal=proposal)
        before, after = comparison["original"], comparison["reevaluation"]
        context["comparison_rows"] = [
            (c, before.by_criterion.get(c.pk) if before else None, after.by_criterion.get(c.pk) if after else None)
            for c in proposal.call.criteria.all()]
        forming = objection.state == ObjectionState.UPHELD
        context.update(comparison=comparison, forming=forming,
                       candidates=reevaluation_candidates(proposal) if forming else [])
    return render(request, "evaluations/objection_detail.html", context, status=status)


@require_safe
@login_required
def objection_detail(request, pk):
    return _objection_detail_page(request, _staff_objection(request, pk))


@require_POST
@login_required
def quality_rules(request, pk):
    call = _staff_call(request, pk)
    require(request.user, "evaluations.manage_quality")
    form = QualityRulesForm(request.POST, instance=QualityRules.for_call(call))
    if form.is_valid():
        try:
            quality_services.quality_rules_save(actor=request.user, call=call, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The thresholds were saved."))
            return redirect("evaluations:quality", pk=pk)
    messages.error(request, _("Please correct the marked fields. Nothing you typed was lost."))
    return _quality_page(request, call, rules_form=form, status=400)


@require_POST
@login_required
def objection_review(request, pk):
    objection = _staff_objection(request, pk)
    perform(request, lambda: services.objection_start_review(actor=request.user, objection=objection),
            _("The review has started."))
    return redirect("evaluations:objection_detail", pk=pk)


@require_POST
@login_required
def objection_answer(request, pk):
    """Uphold or dismiss: confirmed first (the answer is final), every refusal at its field."""
    objection = _staff_objection(request, pk)
    form = ObjectionAnswerForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.objection_transition(actor=request.user, objection=objection, action=d["action"],
                                          answer=d["answer"], remedy=d["remedy"], correction=d["correction"],
                                          reevaluation_deadline=d["reevaluation_deadline"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The answer was recorded; the region was told."))
            return redirect("evaluations:objection_detail", pk=pk)
    messages.error(request, _("Please correct the marked fields. Nothing you typed was lost."))
    return _objection_detail_page(request, objection, answer_form=form, status=400)


@require_POST
@login_required
def quality_exclude(request, pk):
    call = _staff_call(request, pk)
    require(request.user, "evaluations.manage_quality")
    expert = get_object_or_404(selectors.experts(), pk=posted_id(request, "expert"))
    form = ExclusionForm(request.POST, auto_id=f"id_%s_{expert.pk}")
    if form.is_valid():
        try:
            quality_services.expert_exclude(actor=request.user, expert=expert, call=call,
                                            reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(expert)s is left out of later panels.") % {"expert": expert})
            return redirect("evaluations:quality", pk=pk)
    messages.error(request, _("Please correct the marked fields. Nothing you typed was lost."))
    return _quality_page(request, call, exclusion_forms={expert.pk: form}, status=400)


@require_POST
@login_required
def objection_close(request, pk):
    objection = _staff_objection(request, pk)
    form = ReevaluationCloseForm(request.POST)
    if form.is_valid():
        try:
            services.objection_close_reevaluation(actor=request.user, objection=objection,
                                                  result=form.cleaned_data["reevaluation_result"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The re-evaluation was closed; the region was told."))
            return redirect("evaluations:objection_detail", pk=pk)
    messages.error(request, _("Please correct the marked fields. Nothing you typed was lost."))
    return _objection_detail_page(request, objection, close_form=form, status=400)


@require_POST
@login_required
def objection_assign(request, pk):
    """Form the re-evaluation's new panel, one expert at a time, through the one assignment service."""
    objection = _staff_objection(request, pk)
    expert = get_object_or_404(selectors.experts(), pk=posted_id(request, "expert"))
    perform(request, lambda: services.panel_assign(actor=request.user, proposal=objection.proposal, expert=expert,
                                                   kind=AssignmentKind.REEVALUATION),
            _("%(expert)s was assigned to the re-evaluation.") % {"expert": expert})
    return redirect("evaluations:objection_detail", pk=pk)


# --- The presentation round: schedule, attendance, invitation, the panel's calendar ----------


def _schedule_page(request, call, *, failed=None, status=200):
    """The call's shortlist with each presentation's slot form (`failed`: (proposal id, bound
    form) refused, shown with what was typed)."""
    entries = list(ShortlistEntry.objects.filter(call=call).select_related("proposal__lead_region",
                                                                          "proposal__presentation_slot"))
    rows = []
    for e in entries:
        slot = getattr(e.proposal, "presentation_slot", None)
        if failed and failed[0] == e.proposal_id:
            form = failed[1].flag_errors()
        else:
            initial = ({"starts_at": timezone.localtime(slot.starts_at), "ends_at": timezone.localtime(slot.ends_at),
                        "place": slot.place, "online_link": slot.online_link} if slot else {})
            form = PresentationSlotForm(initial=initial, auto_id=f"slot-{e.proposal_id}-%s")
        rows.append({"entry": e, "proposal": e.proposal, "slot": slot, "form": form,
                     "started": slot is not None and slot.starts_at <= timezone.now()})
    return render(request, "evaluations/schedule.html", {"call": call, "rows": rows,
                                                          "attendance": Attendance.choices}, status=status)


@require_safe
@login_required
def presentation_schedule(request, pk):
    require(request.user, "evaluations.manage_rounds")
    call = get_object_or_404(calls_visible_to(user=request.user), pk=pk)
    return _schedule_page(request, call)


@require_POST
@login_required
def presentation_slot_set(request, pk):
    require(request.user, "evaluations.manage_rounds")
    proposal = proposal_for(user=request.user, pk=pk)
    form = PresentationSlotForm(request.POST, auto_id=f"slot-{proposal.pk}-%s")
    if form.is_valid():
        try:
            services.slot_set(actor=request.user, proposal=proposal, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The presentation was scheduled; the region and the panel were told."))
            return redirect(reverse("evaluations:schedule", args=[proposal.call_id]) + f"#slot-{proposal.pk}")
    messages.error(request, _("Please correct the marked fields. Nothing you typed was lost."))
    return _schedule_page(request, proposal.call, failed=(proposal.pk, form), status=400)


@require_POST
@login_required
def presentation_attendance(request, pk):
    require(request.user, "evaluations.manage_rounds")
    proposal = proposal_for(user=request.user, pk=pk)
    slot = get_object_or_404(PresentationSlot, proposal=proposal)
    perform(request, lambda: services.slot_attendance(actor=request.user, slot=slot,
                                                      attendance=request.POST.get("attendance", "")),
            _("Attendance recorded."))
    return redirect(reverse("evaluations:schedule", args=[proposal.call_id]) + f"#slot-{proposal.pk}")


@require_safe
@login_required
def presentation_invitation(request, pk):
    """The proposal's presentation invitation: staff, and the regions taking part — before the
    results too (proposals.disclosure says which of its fields; nothing of the scores)."""
    proposal = proposal_for(user=request.user, pk=pk)
    slot = get_object_or_404(PresentationSlot, proposal=proposal)
    shown = presentation_invitation_shown(user=request.user, proposal=proposal)
    if not shown:
        raise Http404
    return render(request, "evaluations/presentation_invitation.html", {
        "proposal": proposal, "slot": {name: getattr(slot, name) for name in shown}})


@require_safe
@login_required
def my_presentations_ics(request):
    """The expert's own presentation slots as a private iCalendar file."""
    require(request.user, "evaluations.list_assignments")
    response = HttpResponse(services.presentations_calendar(expert=request.user),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="presentations.ics"'
    response["Cache-Control"] = "private, no-store"
    return response

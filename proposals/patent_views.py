"""Phase 3 of the planning period (issue 17): the patent analysis of a draft grown from a final theme.
Staff or a consulting expert write it; the regions taking part read and answer it. Every lookup goes
through `selectors.proposal_for_patents`: a proposal the user may not read is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import apply_errors
from core.permissions import require

from . import selectors
from .forms import KeyPatentFormSet, PatentAnalysisForm, PatentAnswerForm
from .services import patents as services


def _page(request, proposal, *, analysis, answer_form=None, status=200):
    return render(request, "proposals/patent_analysis.html", {
        "proposal": proposal, "analysis": analysis, "answer_form": answer_form or PatentAnswerForm(
            initial={"answer": analysis.answer if analysis else ""}),
        "can_write": request.user.has_perm("proposals.write_patent_analysis", proposal)
        and not (analysis and analysis.is_answered),
        "can_answer": analysis is not None and request.user.has_perm("proposals.answer_patent_analysis", proposal),
        "can_open_proposal": request.user.has_perm("proposals.view_proposal", proposal),
    }, status=status)


@login_required
def patent_analysis(request, pk):
    proposal = selectors.proposal_for_patents(user=request.user, pk=pk)
    return _page(request, proposal, analysis=selectors.patent_analysis_of(proposal))


@login_required
def patent_analysis_edit(request, pk):
    proposal = selectors.proposal_for_patents(user=request.user, pk=pk)
    require(request.user, "proposals.write_patent_analysis", proposal)
    analysis = selectors.patent_analysis_of(proposal)
    if request.method == "POST":
        form = PatentAnalysisForm(request.POST, request.FILES)
        formset = KeyPatentFormSet(request.POST, prefix="patents")
        if form.is_valid() and formset.is_valid():
            rows = [f.cleaned_data for f in formset if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            try:
                services.patent_analysis_save(actor=request.user, proposal=proposal, fields=form.cleaned_data,
                                              patents=rows, upload=form.cleaned_data["file"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The patent analysis was saved; the regions can read and answer it."))
                return redirect("proposals:patents", pk=proposal.pk)
    else:
        initial = {name: getattr(analysis, name) for name in services.ANALYSIS_FIELDS} if analysis else {}
        form = PatentAnalysisForm(initial=initial)
        formset = KeyPatentFormSet(prefix="patents", initial=[
            {name: getattr(p, name) for name in services.PATENT_FIELDS} for p in analysis.patents.all()
        ] if analysis else [])
    return render(request, "proposals/patent_analysis_form.html", {
        "proposal": proposal, "analysis": analysis, "form": form, "formset": formset},
        status=400 if request.method == "POST" else 200)


@require_POST
@login_required
def patent_analysis_answer(request, pk):
    proposal = selectors.proposal_for_patents(user=request.user, pk=pk)
    analysis = selectors.patent_analysis_of(proposal)
    if analysis is None:
        raise Http404
    require(request.user, "proposals.answer_patent_analysis", proposal)
    form = PatentAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.patent_analysis_answer(actor=request.user, analysis=analysis, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your region's answer was recorded."))
            return redirect("proposals:patents", pk=proposal.pk)
    return _page(request, proposal, analysis=analysis, answer_form=form, status=400)


@login_required
def patent_analysis_file(request, pk):
    proposal = selectors.proposal_for_patents(user=request.user, pk=pk)
    analysis = selectors.patent_analysis_of(proposal)
    if analysis is None or not analysis.file:
        raise Http404
    return FileResponse(analysis.file.open("rb"), as_attachment=True, filename=analysis.file_name)

"""Expert groups and feasibility reviews of candidate themes (issue 17, phase 2).

Staff: a call's expert groups (members, chair, "assign the group" with its plan), each theme's reviews
(assign one expert, return a review). Experts: the reviews assigned to them; the theme's content only after
their declaration. Another expert's review is a 404; a role without the right a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from core.forms import apply_errors, perform
from core.params import posted_id
from core.permissions import require
from programmes.selectors import calls_visible_to
from proposals.models import CandidateTheme

from .forms import ExpertGroupForm, PledgeForm, ReviewReturnForm, ReviewUnassignForm, ThemeDeclarationForm, ThemeReviewForm
from .models import ExpertGroup, ExpertGroupMember, ReviewState, ThemeReview
from .services import feasibility as services
from .services.pledges import pledge_text, review_pledge_sign


def _planning_call(request, pk):
    require(request.user, "evaluations.manage_feasibility")
    return get_object_or_404(calls_visible_to(user=request.user).filter(planning_start__isnull=False), pk=pk)


def _group(request, pk) -> ExpertGroup:
    require(request.user, "evaluations.manage_feasibility")
    return get_object_or_404(ExpertGroup.objects.select_related("call"), pk=pk)


@login_required
def expert_groups(request, pk):
    """A call's expert groups (create one here) and its candidate themes with their reviews."""
    call = _planning_call(request, pk)
    form = ExpertGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_save(actor=request.user, call=call, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The expert group was created."))
            return redirect("evaluations:expert_group", pk=group.pk)
    groups = (ExpertGroup.objects.filter(call=call).annotate(n=Count("members", distinct=True))
              .prefetch_related("members__expert"))
    themes = (CandidateTheme.objects.filter(call=call).select_related("lead_region").order_by("lead_region__order", "pk")
              .annotate(assigned=Count("feasibility_reviews", filter=Q(feasibility_reviews__conflict_declared=False)
                                                        & ~Q(feasibility_reviews__state=ReviewState.UNASSIGNED)),
                        submitted=Count("feasibility_reviews",
                                        filter=Q(feasibility_reviews__state=ReviewState.SUBMITTED))))
    page = Paginator(themes, 25).get_page(request.GET.get("page"))
    return render(request, "evaluations/expert_groups.html", {
        "call": call, "groups": groups, "form": form, "page": page,
        "refusal": call.planning_phase_refusal("selection")}, status=400 if form.errors else 200)


@login_required
def expert_group(request, pk):
    """A group's members with the chair marked, the experts to add, and the plan of "assign the group"."""
    group = _group(request, pk)
    form = ExpertGroupForm(request.POST or None, initial={"name_ko": group.name_ko, "name_en": group.name_en})
    if request.method == "POST" and form.is_valid():
        try:
            services.group_save(actor=request.user, call=group.call, group=group, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The expert group was renamed."))
            return redirect("evaluations:expert_group", pk=group.pk)
    members = list(group.members.select_related("expert__expert_profile__home_region"))
    pool = (User.objects.filter(role=Role.EXPERT, is_active=True, expert_profile__isnull=False)
            .exclude(pk__in=[m.expert_id for m in members]).select_related("expert_profile")
            .order_by("display_name", "pk"))
    return render(request, "evaluations/expert_group.html", {
        "group": group, "call": group.call, "members": members, "pool": pool, "form": form,
        "plan": services.group_plan(group) if members else [],
        "refusal": group.call.planning_phase_refusal("selection")}, status=400 if form.errors else 200)


@require_POST
@login_required
def expert_group_member(request, pk):
    """Add an expert to the group, take a member off, or name the chair."""
    group = _group(request, pk)
    action = request.POST.get("action", "")
    if action == "add":
        expert = get_object_or_404(User, role=Role.EXPERT, pk=posted_id(request, "expert"))
        perform(request, lambda: services.group_member_add(actor=request.user, group=group, expert=expert),
                _("%(expert)s joined the group.") % {"expert": expert})
    elif action in ("remove", "chair"):
        member = get_object_or_404(ExpertGroupMember.objects.select_related("expert"), group=group,
                                   pk=posted_id(request, "member"))
        if action == "remove":
            perform(request, lambda: services.group_member_remove(actor=request.user, member=member),
                    _("%(expert)s left the group.") % {"expert": member.expert})
        else:
            perform(request, lambda: services.group_set_chair(actor=request.user, member=member),
                    _("%(expert)s chairs the group.") % {"expert": member.expert})
    else:
        messages.error(request, _("Unknown action."))
    return redirect("evaluations:expert_group", pk=group.pk)


@require_POST
@login_required
def expert_group_assign(request, pk):
    """Confirm "assign the group": every member without a conflict reviews every candidate theme."""
    group = _group(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the confirmation box to assign the group."))
    else:
        perform(request, lambda: services.group_assign(actor=request.user, group=group),
                _("The group's members were assigned to the candidate themes and told."))
    return redirect("evaluations:expert_group", pk=group.pk)


def _staff_theme(request, pk) -> CandidateTheme:
    require(request.user, "evaluations.manage_feasibility")
    return get_object_or_404(CandidateTheme.objects.select_related("call", "lead_region"), pk=pk)


def _theme_reviews_page(request, theme, *, return_form=None, unassign_form=None, status=200):
    reviews = list(theme.feasibility_reviews.select_related("expert", "group", "pledge").order_by("assigned_at", "pk"))
    taken = {r.expert_id for r in reviews}
    pool = (User.objects.filter(role=Role.EXPERT, is_active=True, expert_profile__isnull=False).exclude(pk__in=taken)
            .select_related("expert_profile").order_by("display_name", "pk"))
    return render(request, "evaluations/theme_reviews.html", {
        "theme": theme, "call": theme.call, "reviews": reviews, "pool": pool,
        "return_form": return_form or ReviewReturnForm(), "unassign_form": unassign_form or ReviewUnassignForm(),
        "advice": {"advice": services.consolidated_advice([theme], show_names=True)},
        "refusal": theme.call.planning_phase_refusal("selection")}, status=status)


@login_required
def theme_reviews(request, pk):
    """Staff: a theme's reviews; assign an expert by hand (refused with the conflict's reasons)."""
    theme = _staff_theme(request, pk)
    if request.method == "POST":
        expert = get_object_or_404(User, role=Role.EXPERT, pk=posted_id(request, "expert"))
        group = ExpertGroupMember.objects.filter(group__call=theme.call, expert=expert).select_related("group").first()
        if perform(request, lambda: services.review_assign(actor=request.user, theme=theme, expert=expert,
                                                           group=group.group if group else None),
                   _("%(expert)s was asked to review the theme and told.") % {"expert": expert}):
            return redirect("evaluations:theme_reviews", pk=theme.pk)
        return _theme_reviews_page(request, theme, status=400)
    return _theme_reviews_page(request, theme)


@require_POST
@login_required
def theme_review_return(request, pk):
    """Staff return a submitted review to its expert, with the reason."""
    theme = _staff_theme(request, pk)
    form = ReviewReturnForm(request.POST)
    if form.is_valid():
        review = get_object_or_404(ThemeReview, theme=theme, pk=form.cleaned_data["review"])
        try:
            services.review_transition(actor=request.user, review=review, action="return",
                                       reason=form.cleaned_data["returned_reason"])
        except ValidationError as exc:
            apply_errors(form, exc, field="returned_reason")
        else:
            messages.success(request, _("The review was returned to its expert."))
            return redirect("evaluations:theme_reviews", pk=theme.pk)
    return _theme_reviews_page(request, theme, return_form=form, status=400)


@require_POST
@login_required
def theme_review_unassign(request, pk):
    """Staff take a review that is not submitted off its expert, with the reason (the expert is told)."""
    theme = _staff_theme(request, pk)
    form = ReviewUnassignForm(request.POST)
    if form.is_valid():
        review = get_object_or_404(ThemeReview.objects.select_related("expert"), theme=theme,
                                   pk=form.cleaned_data["review"])
        try:
            services.review_transition(actor=request.user, review=review, action="unassign",
                                       reason=form.cleaned_data["unassigned_reason"])
        except ValidationError as exc:
            apply_errors(form, exc, field="unassigned_reason")
        else:
            messages.success(request, _("%(expert)s was unassigned from the review and told.") % {
                "expert": review.expert})
            return redirect("evaluations:theme_reviews", pk=theme.pk)
    return _theme_reviews_page(request, theme, unassign_form=form, status=400)


# --- The expert's side ---------------------------------------------------------------------------------


@login_required
def my_theme_reviews(request):
    require(request.user, "evaluations.list_theme_reviews")
    qs = (ThemeReview.objects.filter(expert=request.user).select_related("theme__call", "theme__lead_region", "pledge")
          .order_by("-theme__call__year", "theme__lead_region__order", "pk"))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "evaluations/my_theme_reviews.html", {"page": page})


def _own_review(request, pk) -> ThemeReview:
    require(request.user, "evaluations.list_theme_reviews")  # another role: 403; another expert's review: 404
    review = get_object_or_404(
        ThemeReview.objects.select_related("theme__call", "theme__lead_region", "theme__industry", "pledge"),
        pk=pk, expert=request.user)
    require(request.user, "evaluations.view_theme_review", review)
    return review


def _pledge_missing(review):
    """The way to the review's confidentiality pledge while it is unsigned (else None): nothing of the theme
    before it — not even the names the declaration asks about."""
    if review.is_pledged or review.state == ReviewState.UNASSIGNED:
        return None
    return redirect("evaluations:theme_review_pledge", pk=review.pk)


def _review_page(request, review, *, form=None, declaration_form=None, status=200):
    cleared = request.user.has_perm("evaluations.read_reviewed_theme", review)
    return render(request, "evaluations/theme_review.html", {
        "review": review, "theme": review.theme, "call": review.theme.call, "cleared": cleared,
        "attachments": review.theme.attachments.all() if cleared else [],
        "regions": [r.region for r in review.theme.regions.select_related("region")],
        "declaration_form": declaration_form or ThemeDeclarationForm(),
        "form": (form or ThemeReviewForm(instance=review)) if cleared else None,
        "can_write": review.is_editable and request.user.has_perm("evaluations.write_theme_review", review),
        "refusal": review.theme.call.planning_phase_refusal("selection")}, status=status)


@login_required
def theme_review(request, pk):
    review = _own_review(request, pk)
    if (to_pledge := _pledge_missing(review)) is not None:
        messages.info(request, _("Sign the confidentiality pledge for this review before you read the theme."))
        return to_pledge
    return _review_page(request, review)


@login_required
def theme_review_pledge(request, pk):
    """The confidentiality pledge bound to one of the expert's feasibility reviews (the same text handling and
    form as a call's pledge); once signed, on to the review."""
    review = _own_review(request, pk)
    form = PledgeForm(request.POST or None)
    signed = review.pledge if review.is_pledged else None
    if request.method == "POST" and signed is None and form.is_valid():
        try:
            review_pledge_sign(actor=request.user, review=review, signed_name=form.cleaned_data["signed_name"],
                               agree=form.cleaned_data["agree"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Pledge signed. Declare any conflict of interest, then read the theme."))
            return redirect("evaluations:theme_review", pk=review.pk)
    return render(request, "evaluations/pledge.html", {
        "call": review.theme.call, "review": review, "form": form, "signed": signed,
        "next": reverse("evaluations:theme_review", args=[review.pk]), "text": pledge_text("theme_review")},
        status=400 if form.errors else 200)


@require_POST
@login_required
def theme_review_declare(request, pk):
    review = _own_review(request, pk)
    if (to_pledge := _pledge_missing(review)) is not None:
        return to_pledge
    form = ThemeDeclarationForm(request.POST)
    if form.is_valid():
        conflict = form.cleaned_data["decision"] == "conflict"
        try:
            services.review_declare(actor=request.user, review=review, conflict=conflict,
                                    note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you. You were withdrawn from this review; ministry staff were told.")
                             if conflict else _("Declaration recorded. You can now read the theme."))
            return redirect("evaluations:theme_review", pk=review.pk)
    return _review_page(request, review, declaration_form=form, status=400)


@require_POST
@login_required
def theme_review_save(request, pk):
    """Save the draft, or submit it (once)."""
    review = _own_review(request, pk)
    require(request.user, "evaluations.read_reviewed_theme", review)
    form = ThemeReviewForm(request.POST, instance=ThemeReview.objects.get(pk=review.pk))
    action = "submit" if request.POST.get("action") == "submit" else "save"
    if form.is_valid() and action == "submit" and request.POST.get("confirm") != "yes":
        form.add_error(None, _("Tick the confirmation box to submit the review."))
    elif form.is_valid():
        try:
            services.review_transition(actor=request.user, review=review, action=action, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your review was submitted; the region can read the advice.")
                             if action == "submit" else _("Your draft was saved."))
            return redirect("evaluations:theme_review", pk=review.pk)
    return _review_page(request, review, form=form, status=400)

"""Prevention pages. Views parse input, call one service, and read through the selectors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ctip.access.decorators import permission_required
from ctip.access.policy import can, can_change
from ctip.accounts.roles import Perm
from ctip.core.forms import add_service_errors
from ctip.places.models import Province

from . import selectors, services
from .forms import (
    AssessmentForm,
    CampaignForm,
    GroupForm,
    MemberForm,
    MemberLeaveForm,
    ParticipantForm,
    ProgrammeForm,
    ReachForm,
    ReferForm,
    SessionForm,
    TrainingForm,
)
from .models import AgeBand, AssessmentStatus, AssessmentSubject, Channel, RiskLevel, Sex

WALK_IN_ROWS = 3
HEADCOUNTS = ("girls", "boys", "women", "men")


@permission_required(Perm.PREVENTION_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "counts": selectors.dashboard_counts(user=user),
        "programmes": selectors.programmes_visible_to(user=user, active_only=True),
        "sessions": selectors.sessions_visible_to(user=user)[:10],
        "can_manage": can(user, Perm.PREVENTION_MANAGE),
        "can_assess": can(user, Perm.PREVENTION_ASSESS),
    }
    return render(request, "prevention/home.html", context)


# --- programmes and groups -----------------------------------------------------------------------


@permission_required(Perm.PREVENTION_MANAGE)
def programme_create_view(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The programme was created."))
            return redirect("prevention:programme", programme_uuid=programme.uuid)
    return render(request, "prevention/form.html", {"form": form, "title": _("New programme")})


@permission_required(Perm.PREVENTION_MANAGE)
def programme_edit_view(request: HttpRequest, programme_uuid) -> HttpResponse:
    programme = selectors.programme_get_for_user(user=request.user, programme_uuid=programme_uuid)
    initial = {
        name: getattr(programme, name)
        for name in ProgrammeForm.base_fields
        if name not in ("provinces",)
    }
    initial["provinces"] = list(programme.provinces.all())
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(
                actor=request.user,
                programme=programme,
                expected_version=form.cleaned_data.get("version"),
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("prevention:programme", programme_uuid=programme.uuid)
    return render(request, "prevention/form.html", {"form": form, "title": programme.name})


@permission_required(Perm.PREVENTION_VIEW)
def programme_detail(request: HttpRequest, programme_uuid) -> HttpResponse:
    user = request.user
    programme = selectors.programme_get_for_user(user=user, programme_uuid=programme_uuid)
    context = {
        "programme": programme,
        "groups": selectors.groups_visible_to(user=user, programme=programme),
        "sessions": selectors.sessions_visible_to(user=user, programme=programme)[:20],
        "reach": selectors.reach(user=user, programme=programme, by=()),
        "can_manage": can_change(user, programme),
    }
    return render(request, "prevention/programme_detail.html", context)


@permission_required(Perm.PREVENTION_MANAGE)
def group_create_view(request: HttpRequest, programme_uuid) -> HttpResponse:
    programme = selectors.programme_get_for_user(user=request.user, programme_uuid=programme_uuid)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                actor=request.user, programme=programme, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The group was created."))
            return redirect("prevention:group", group_uuid=group.uuid)
    return render(
        request,
        "prevention/form.html",
        {"form": form, "title": _("New group in %(name)s") % {"name": programme.name}},
    )


@permission_required(Perm.PREVENTION_VIEW)
def group_detail(request: HttpRequest, group_uuid) -> HttpResponse:
    user = request.user
    group = selectors.group_get_for_user(user=user, group_uuid=group_uuid)
    can_manage = can_change(user, group)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            return HttpResponse(status=403)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.member_add(
                    actor=user,
                    group=group,
                    name=data["name"],
                    sex=data["sex"],
                    birth_year=data["birth_year"],
                    age_band=data["age_band"] or None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The member was added."))
                return redirect("prevention:group", group_uuid=group.uuid)
    context = {
        "group": group,
        "members": selectors.members_of(user=user, group=group),
        "former_members": selectors.former_members_of(user=user, group=group),
        "sessions": selectors.sessions_visible_to(user=user, group=group)[:20],
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "prevention/group_detail.html", context)


@permission_required(Perm.PREVENTION_MANAGE)
def member_leave_view(request: HttpRequest, group_uuid, member_uuid) -> HttpResponse:
    """Asks to confirm that a member left the group, and when; nothing changes until then."""
    user = request.user
    group = selectors.group_get_for_user(user=user, group_uuid=group_uuid)
    member = selectors.member_get_for_user(user=user, group=group, member_uuid=member_uuid)
    if not can_change(user, member):
        return HttpResponse(status=403)
    if not member.is_active:
        messages.info(request, _("%(name)s has already left the group.") % {"name": member.name})
        return redirect("prevention:group", group_uuid=group.uuid)
    form = MemberLeaveForm(request.POST or None, initial={"version": member.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_leave(
                actor=user,
                member=member,
                left_on=data["left_on"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s has left the group.") % {"name": member.name})
            return redirect("prevention:group", group_uuid=group.uuid)
    context = {
        "group": group,
        "member": member,
        "form": form,
        "attended": selectors.sessions_attended_count(user=user, member=member),
    }
    return render(request, "prevention/member_leave.html", context)


# --- sessions and attendance ---------------------------------------------------------------------


@permission_required(Perm.PREVENTION_MANAGE)
def session_create_view(request: HttpRequest, programme_uuid) -> HttpResponse:
    user = request.user
    programme = selectors.programme_get_for_user(user=user, programme_uuid=programme_uuid)
    groups = selectors.groups_visible_to(user=user, programme=programme)
    form = SessionForm(
        request.POST or None, groups=groups, initial={"group": request.GET.get("group", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The session was recorded. Take the attendance."))
            return redirect("prevention:session", session_uuid=session.uuid)
    return render(request, "prevention/form.html", {"form": form, "title": _("New session")})


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _parse_attendance(post, members_by_uuid: dict) -> tuple[dict, list[str]]:
    """Reads the attendance form: ticked members, walk-in rows and headcounts."""
    errors: list[str] = []
    present = [members_by_uuid[u] for u in post.getlist("present") if u in members_by_uuid]
    walk_ins = []
    for i in range(WALK_IN_ROWS):
        name = post.get(f"walkin-{i}-name", "").strip()
        if not name:
            continue
        sex = post.get(f"walkin-{i}-sex", Sex.UNKNOWN)
        band = post.get(f"walkin-{i}-age_band", "")
        walk_ins.append(
            {
                "name": name,
                "sex": sex if sex in Sex.values else Sex.UNKNOWN,
                "birth_year": _int_or_none(post.get(f"walkin-{i}-birth_year", "")),
                "age_band": band if band in AgeBand.values else None,
            }
        )
    unregistered = {}
    for key in HEADCOUNTS:
        raw = post.get(key, "").strip() or "0"
        if not raw.isdigit():
            errors.append(_("Headcounts are whole numbers, 0 or more."))
            break
        unregistered[key] = int(raw)
    return {
        "present": present,
        "walk_ins": walk_ins,
        "unregistered": unregistered,
        "expected_version": _int_or_none(post.get("version", "")),
    }, errors


@permission_required(Perm.PREVENTION_VIEW)
def session_detail(request: HttpRequest, session_uuid) -> HttpResponse:
    """The attendance sheet: built for a phone, one tick per member, one save."""
    user = request.user
    session = selectors.session_get_for_user(user=user, session_uuid=session_uuid)
    members = list(selectors.members_of(user=user, group=session.group)) if session.group else []
    present = selectors.present_member_ids(user=user, session=session)
    can_manage = can_change(user, session)
    # Before the first save everyone is ticked: the officer unticks the few who are absent
    # (one tap each) instead of ticking thirty children who came.
    absent_mode = can_manage and session.attendance_taken_at is None
    if absent_mode:
        present = {m.pk for m in members}
    errors: list[str] = []
    if request.method == "POST":
        if not can_manage:
            return HttpResponse(status=403)
        data, errors = _parse_attendance(request.POST, {str(m.uuid): m for m in members})
        if not errors:
            try:
                services.attendance_take(actor=user, session=session, **data)
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("Attendance saved."))
                return redirect("prevention:session", session_uuid=session.uuid)
        present = {m.pk for m in data["present"]}
    context = {
        "session": session,
        "rows": [{"member": m, "present": m.pk in present} for m in members],
        "present_count": len(present),
        "absent_mode": absent_mode,
        "walk_in_rows": range(WALK_IN_ROWS),
        "sexes": Sex.choices,
        "age_bands": AgeBand.choices,
        "headcounts": [
            (key, label, getattr(session, f"unregistered_{key}"))
            for key, label in (
                ("girls", _("Girls")),
                ("boys", _("Boys")),
                ("women", _("Women")),
                ("men", _("Men")),
            )
        ],
        "errors": errors,
        "can_manage": can_manage,
    }
    return render(request, "prevention/session_detail.html", context)


# --- reach ---------------------------------------------------------------------------------------


@permission_required(Perm.PREVENTION_VIEW, Perm.PREVENTION_COUNTS)
def reach_view(request: HttpRequest) -> HttpResponse:
    """Unique people reached, as counts only (statistics officers may read it too)."""
    programmes = selectors.programmes_visible_to(user=request.user)
    form = ReachForm(request.GET or None, programmes=programmes)
    filters = form.cleaned_data if form.is_valid() else {}
    province = filters.get("province")
    report = selectors.reach(
        user=request.user,
        start=filters.get("start"),
        end=filters.get("end"),
        province_code=province.code if province else "",
        programme=filters.get("programme"),
    )
    sexes = dict(Sex.choices)
    bands = dict(AgeBand.choices)
    provinces = {p.code: p.display_name for p in Province.objects.all()}
    for row in report.rows:
        row["sex_label"] = sexes.get(row["sex"], row["sex"])
        row["age_band_label"] = bands.get(row["age_band"], row["age_band"])
        row["province"] = provinces.get(row["province"], row["province"])
    campaigns = selectors.campaign_totals(
        user=request.user, start=filters.get("start"), end=filters.get("end")
    )
    channels = dict(Channel.choices)
    for row in campaigns:
        row["channel_label"] = channels.get(row["channel"], row["channel"])
    assessments = selectors.assessment_counts(
        user=request.user, start=filters.get("start"), end=filters.get("end")
    )
    levels, statuses = dict(RiskLevel.choices), dict(AssessmentStatus.choices)
    subjects = dict(AssessmentSubject.choices)
    for row in assessments:
        row["province"] = provinces.get(row["province"], row["province"])
        row["assessed"] = subjects.get(row["assessed"], row["assessed"])
        row["risk"] = levels.get(row["risk"], row["risk"])
        row["state"] = statuses.get(row["state"], row["state"])
    context = {
        "form": form,
        "report": report,
        "assessments": assessments,
        "trainings": selectors.training_summaries(
            user=request.user, start=filters.get("start"), end=filters.get("end")
        ),
        "campaigns": campaigns,
    }
    return render(request, "prevention/reach.html", context)


# --- vulnerability assessments -------------------------------------------------------------------


@permission_required(Perm.PREVENTION_ASSESS)
def assessment_list(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "")
    level = level if level in RiskLevel.values else ""
    status = request.GET.get("status", "")
    status = status if status in AssessmentStatus.values else ""
    assessments = selectors.assessments_visible_to(user=request.user, level=level, status=status)
    page = Paginator(assessments, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "level": level,
        "status": status,
        "levels": RiskLevel.choices,
        "statuses": AssessmentStatus.choices,
    }
    return render(request, "prevention/assessment_list.html", context)


@permission_required(Perm.PREVENTION_ASSESS)
def assessment_create_view(request: HttpRequest) -> HttpResponse:
    indicators = list(selectors.indicators_in_use(user=request.user))
    form = AssessmentForm(request.POST or None, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.vulnerability_assess(actor=request.user, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The assessment was recorded."))
            return redirect("prevention:assessment", assessment_uuid=assessment.uuid)
    return render(
        request, "prevention/form.html", {"form": form, "title": _("New vulnerability assessment")}
    )


@permission_required(Perm.PREVENTION_ASSESS)
def assessment_detail(request: HttpRequest, assessment_uuid) -> HttpResponse:
    user = request.user
    assessment = selectors.assessment_get_for_user(user=user, assessment_uuid=assessment_uuid)
    programmes = selectors.programmes_visible_to(user=user, active_only=True)
    form = ReferForm(
        request.POST or None, programmes=programmes, initial={"version": assessment.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["to"] == "intake":
                services.vulnerability_refer_to_intake(
                    actor=user,
                    assessment=assessment,
                    reason=data["reason"],
                    expected_version=data["version"],
                )
            else:
                services.vulnerability_refer_to_programme(
                    actor=user,
                    assessment=assessment,
                    programme=data["programme"],
                    reason=data["reason"],
                    expected_version=data["version"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The referral was recorded."))
            return redirect("prevention:assessment", assessment_uuid=assessment.uuid)
    context = {
        "assessment": assessment,
        "factors": list(assessment.factors.all()),
        "form": form,
        "can_refer": assessment.status == AssessmentStatus.OPEN and can_change(user, assessment),
        "thresholds": {"medium": services.MEDIUM_RISK_FROM, "high": services.HIGH_RISK_FROM},
    }
    return render(request, "prevention/assessment_detail.html", context)


# --- trainings and campaigns ---------------------------------------------------------------------


@permission_required(Perm.PREVENTION_VIEW)
def training_list(request: HttpRequest) -> HttpResponse:
    trainings = selectors.trainings_visible_to(user=request.user)
    page = Paginator(trainings, 50).get_page(request.GET.get("page"))
    for training in page:
        training.gain = selectors.gain(training.avg_pre, training.avg_post)
    return render(
        request,
        "prevention/training_list.html",
        {"page": page, "can_manage": can(request.user, Perm.PREVENTION_MANAGE)},
    )


@permission_required(Perm.PREVENTION_MANAGE)
def training_create_view(request: HttpRequest) -> HttpResponse:
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.training_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The training was recorded. Add its participants."))
            return redirect("prevention:training", training_uuid=training.uuid)
    return render(request, "prevention/form.html", {"form": form, "title": _("New training")})


@permission_required(Perm.PREVENTION_VIEW)
def training_detail(request: HttpRequest, training_uuid) -> HttpResponse:
    user = request.user
    training = selectors.training_get_for_user(user=user, training_uuid=training_uuid)
    can_manage = can_change(user, training)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                services.training_participant_add(
                    actor=user, training=training, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The participant was added."))
                return redirect("prevention:training", training_uuid=training.uuid)
    context = {
        "training": training,
        "participants": list(training.participants.all()),
        "gain": selectors.gain(training.avg_pre, training.avg_post),
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "prevention/training_detail.html", context)


@permission_required(Perm.PREVENTION_VIEW)
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaigns_visible_to(user=request.user)
    page = Paginator(campaigns, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "prevention/campaign_list.html",
        {"page": page, "can_manage": can(request.user, Perm.PREVENTION_MANAGE)},
    )


@permission_required(Perm.PREVENTION_MANAGE)
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The campaign was recorded."))
            return redirect("prevention:campaigns")
    return render(request, "prevention/form.html", {"form": form, "title": _("New campaign")})

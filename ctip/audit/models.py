"""The append-only, hash-chained audit log.

Each event's `hash` is HMAC-SHA256, under an audit key kept outside the database
(ctip/audit/keys.py), over a canonical JSON serialisation of its content and the previous
event's hash, so editing, deleting, inserting or reordering rows breaks the chain, and whoever
owns the database cannot recompute it. Signed checkpoints written outside the database
(ctip/audit/checkpoints.py) catch events cut from the end (`manage.py audit_verify`). Database
triggers refuse UPDATE and DELETE on this table.

Actor and organisation are kept without database foreign-key constraints: the log must outlive
anything it mentions, and a row must never change because a row elsewhere did.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DEACTIVATE = "deactivate", _("Deactivated")
    READ = "read", _("Read sensitive record")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOCKED_OUT = "locked_out", _("Locked out")
    LOGOUT = "logout", _("Logged out")
    TWO_FACTOR_ENROLLED = "2fa_enrolled", _("Two-factor device enrolled")
    TWO_FACTOR_RESET = "2fa_reset", _("Two-factor device reset")
    ROLES_CHANGED = "roles_changed", _("Roles changed")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
    REFERENCE_LOADED = "reference_loaded", _("Reference data loaded")
    # Cases (issue 4)
    CASE_OPENED = "case_opened", _("Case opened")
    CASE_STATUS_CHANGED = "case_status_changed", _("Case status changed")
    CASE_CLOSURE_REQUESTED = "case_closure_requested", _("Case closure requested")
    APPROVAL_DECIDED = "approval_decided", _("Approval decided")
    CASE_REOPENED = "case_reopened", _("Case reopened")
    CONSENT_RECORDED = "consent_recorded", _("Consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    CONSENT_OVERRIDDEN = "consent_overridden", _("Acted without consent (override)")
    PDF_EXPORTED = "pdf_exported", _("PDF exported")
    # Intake and identification (issue 3)
    REPORT_RECEIVED = "report_received", _("Report received")
    REPORT_TRIAGED = "report_triaged", _("Report triaged")
    REPORT_DISPATCHED = "report_dispatched", _("Report dispatched")
    REPORT_ACCEPTED = "report_accepted", _("Report accepted")
    REPORT_DECLINED = "report_declined", _("Report declined")
    REPORT_CLOSED = "report_closed", _("Report closed")
    REPORT_LINKED = "report_linked", _("Report linked as a repeat")
    TIP_ADDED_TO = "tip_added_to", _("Information added to a tip")
    OPERATION_RECORDED = "operation_recorded", _("Operation recorded")
    PERSON_FOUND = "person_found", _("Person found recorded")
    SCREENING_RECORDED = "screening_recorded", _("Screening recorded")
    SCREENING_REVISED = "screening_revised", _("Screening revised")
    INSTRUMENT_VALIDATED = "instrument_validated", _("Screening instrument validated")
    HANDOFF_CREATED = "handoff_created", _("Hand-off created")
    HANDOFF_DECIDED = "handoff_decided", _("Hand-off decided")
    # Prevention (issue 7)
    VULNERABILITY_ASSESSED = "vulnerability_assessed", _("Vulnerability assessed")
    REFERRED_TO_PROGRAMME = "referred_to_programme", _("Referred to a prevention programme")
    REFERRED_TO_INTAKE = "referred_to_intake", _("Child in danger referred to intake")
    ATTENDANCE_TAKEN = "attendance_taken", _("Attendance taken")
    # Justice and evidence (issue 6)
    EVIDENCE_UPLOADED = "evidence_uploaded", _("Evidence item stored")
    EVIDENCE_VIEWED = "evidence_viewed", _("Evidence item viewed")
    EVIDENCE_EXPORTED = "evidence_exported", _("Court bundle exported")
    CUSTODY_RECORDED = "custody_recorded", _("Custody event recorded")
    # Aftercare: shelters, referrals, returns, reintegration (issue 5)
    PLACEMENT_ADMITTED = "placement_admitted", _("Admitted to a facility")
    PLACEMENT_TRANSFERRED = "placement_transferred", _("Transferred between facilities")
    PLACEMENT_DISCHARGED = "placement_discharged", _("Discharged from a facility")
    CAPACITY_OVERRIDDEN = "capacity_overridden", _("Admitted past capacity (override)")
    REFERRAL_CREATED = "referral_created", _("Referral sent")
    REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
    REFERRAL_DECLINED = "referral_declined", _("Referral declined")
    REFERRAL_COMPLETED = "referral_completed", _("Referral completed")
    REFERRAL_WITHDRAWN = "referral_withdrawn", _("Referral withdrawn")
    CASE_TRANSFERRED = "case_transferred", _("Case transferred to another organisation")
    RETURN_RECORDED = "return_recorded", _("Cross-border return recorded")
    RETURN_UPDATED = "return_updated", _("Cross-border return updated")
    REINTEGRATION_PLANNED = "reintegration_planned", _("Reintegration planned")
    REINTEGRATED = "reintegrated", _("Reintegration done; follow-ups scheduled")
    FOLLOW_UP_RECORDED = "follow_up_recorded", _("Follow-up visit recorded")
    RETRAFFICKING_FLAGGED = "retrafficking_flagged", _("Re-trafficking flag raised")
    # Statistics and data exchange (issue 8)
    STATISTICS_EXPORTED = "statistics_exported", _("Statistics exported for publication")
    HTCDS_EXPORTED = "htcds_exported", _("Case data exported in HTCDS")
    REFERENCE_IMPORTED = "reference_imported", _("Reference data set imported")
    HTCDS_IMPORT_STARTED = "htcds_import_started", _("HTCDS file uploaded for import")
    HTCDS_ROW_IMPORTED = "htcds_row_imported", _("HTCDS row imported as a person and case")
    HTCDS_IMPORT_FINISHED = "htcds_import_finished", _("HTCDS import finished")
    # Matching and networks (issue 9)
    MATCH_FOUND = "match_found", _("Possible duplicate found")
    MATCH_CONFIRMED = "match_confirmed", _("Possible duplicate confirmed")
    MATCH_REJECTED = "match_rejected", _("Possible duplicate rejected")
    MATCH_LINK_REQUESTED = "match_link_requested", _("Linking requested of another organisation")
    MATCH_UNDONE = "match_undone", _("Confirmed match undone")
    # Interoperability with Primero/CPIMS+ and OSCaR (issue 8)
    PARTNER_SYSTEM_CREATED = "partner_system_created", _("Partner system registered")
    PARTNER_SYSTEM_CHANGED = "partner_system_changed", _("Partner system enabled or disabled")
    INTEROP_CASES_PULLED = "interop_cases_pulled", _("Cases sent to a partner system")
    INTEROP_CASE_CREATED = "interop_case_created", _("Case created from a partner system")
    INTEROP_CASE_UPDATED = "interop_case_updated", _("Case updated from a partner system")
    INTEROP_REFUSED = "interop_refused", _("Partner system update refused (no consent)")
    NETWORK_VIEWED = "network_viewed", _("Network viewed")
    NETWORK_EXPORTED = "network_exported", _("Network exported (GraphML)")
    # The audit log itself
    AUDIT_RESEALED = "audit_resealed", _("Audit log sealed with an audit key")


class ActionField(models.CharField):
    """Validates and labels actions with AuditAction, but leaves the choices out of migrations:
    each domain adds its actions to the enum, and the column itself never changes."""

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        return name, path, args, kwargs


# Never alter this table's columns in a migration: on SQLite, Django rebuilds the table to do
# it, and the rebuilt table has lost the append-only triggers (a test would catch it).
class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = ActionField(_("action"), max_length=40, choices=AuditAction.choices)
    target_type = models.CharField(_("target type"), max_length=60, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    # {"field": [old, new]} for ordinary fields; {"field": null} for sensitive ones, whose
    # values are never written here.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    # The audit key the hash was sealed with (ctip/audit/keys.py). Nullable only so that adding
    # the column did not rebuild the table on SQLite; every event carries one.
    key_id = models.CharField(_("audit key"), max_length=16, null=True, blank=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["organisation", "-seq"], name="audit_org_seq"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"

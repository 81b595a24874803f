"""Forms of the complaint and collaboration pages (parsing only; the services check the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.choices import AnswerMethod, Channel, ComplainantKind, ComplaintState, Direction, Outcome
from complaints.collaboration_services import CollaborationInput
from complaints.models import ComplaintCategory, Counterpart
from complaints.permissions import collaboration_units, complaint_units
from complaints.services import ComplaintInput
from incidents.models import DeviationCategory
from responsibility.choices import ContractKind
from responsibility.models import Contract

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE, help_text=help_text)


class ComplaintForm(forms.Form):
    """Register a complaint: unit, when and how received, who, what about, optional patient reference."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False, empty_label=_("Choose unit"))
    received_on = _date_field(_("Received"))
    channel = forms.ChoiceField(
        label=_("Received by"), choices=Channel.choices, widget=forms.RadioSelect, required=False
    )
    complainant_kind = forms.ChoiceField(
        label=_("Who complained"), choices=ComplainantKind.choices, widget=forms.RadioSelect, required=False
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("What the complaint is about"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("What the complainant says. Do not write the patient's name here."),
    )
    patient_identifier = forms.CharField(
        label=_("Patient's personnummer (optional)"),
        required=False,
        max_length=20,
        help_text=_("YYYYMMDD-NNNN. Stored encrypted; shown only to those who handle the complaint."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )
    external_case_number = forms.CharField(
        label=_("IVO's or the patientnämnd's case number"), required=False, max_length=40
    )
    external_deadline = _date_field(
        _("Deadline set by IVO"), help_text=_("For a complaint forwarded by IVO: the date IVO wants the answer.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = complaint_units(user).order_by("name")
        self.fields["unit"].queryset = units
        self.fields["categories"].queryset = ComplaintCategory.objects.filter(
            municipality_id__in=units.values("municipality_id"), active=True
        )

    def to_input(self) -> ComplaintInput:
        d = self.cleaned_data
        return ComplaintInput(
            unit=d.get("unit"),
            received_on=d.get("received_on"),
            channel=d.get("channel") or "",
            complainant_kind=d.get("complainant_kind") or "",
            categories=list(d.get("categories") or []),
            description=d.get("description") or "",
            patient_identifier=(d.get("patient_identifier") or "").strip(),
            external_case_number=d.get("external_case_number") or "",
            external_deadline=d.get("external_deadline"),
        )


class ComplaintEditForm(forms.Form):
    """Correct a registration: how, who, what about, IVO's number and date (unit, date and patient stay)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    channel = ComplaintForm.base_fields["channel"]
    complainant_kind = ComplaintForm.base_fields["complainant_kind"]
    categories = forms.ModelMultipleChoiceField(
        label=_("What the complaint is about"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    description = ComplaintForm.base_fields["description"]
    external_case_number = ComplaintForm.base_fields["external_case_number"]
    external_deadline = ComplaintForm.base_fields["external_deadline"]

    def __init__(self, *args, municipality_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = ComplaintCategory.objects.filter(
            municipality_id=municipality_id, active=True
        )

    def to_input(self, *, unit, received_on) -> ComplaintInput:
        d = self.cleaned_data
        return ComplaintInput(
            unit=unit,
            received_on=received_on,
            channel=d.get("channel") or "",
            complainant_kind=d.get("complainant_kind") or "",
            categories=list(d.get("categories") or []),
            description=d.get("description") or "",
            external_case_number=d.get("external_case_number") or "",
            external_deadline=d.get("external_deadline"),
        )


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AcknowledgeForm(VersionedForm):
    acknowledged_on = _date_field(_("Receipt confirmed on"), required=True)


class SimpleMoveForm(VersionedForm):
    pass


class InvestigationForm(VersionedForm):
    investigation = forms.CharField(label=_("Investigation"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    actions = forms.CharField(label=_("Actions taken"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AnswerForm(VersionedForm):
    answer = forms.CharField(
        label=_("What the complainant was told"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("An understandable explanation of what happened and what was done."),
    )
    answered_on = _date_field(_("Answered on"), required=True)
    method = forms.ChoiceField(label=_("Answered by"), choices=AnswerMethod.choices, widget=forms.RadioSelect)
    actions = forms.CharField(label=_("Actions taken"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    informed_patient_board = forms.BooleanField(label=_("Told about the patientnämnd"), required=False)
    informed_ivo = forms.BooleanField(label=_("Told about IVO"), required=False)
    informed_compensation = forms.BooleanField(label=_("Told about patientskadeersättning"), required=False)


class CloseForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment on the outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class LinkDeviationForm(VersionedForm):
    reference = forms.CharField(label=_("Deviation reference (AV-…)"), max_length=20)


class ComplaintFilter(forms.Form):
    """Queue filters (GET: no patient data is ever filtered on here)."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Open")), ("all", _("All")), *ComplaintState.choices]
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)


class CollaborationForm(forms.Form):
    """Register a collaboration deviation, outgoing or incoming."""

    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, widget=forms.RadioSelect, required=False
    )
    counterpart = forms.ModelChoiceField(
        label=_("Counterpart"), queryset=None, required=False, empty_label=_("Choose counterpart")
    )
    contract = forms.ModelChoiceField(
        label=_("Läkarmedverkan agreement concerned (if any)"), queryset=None, required=False, empty_label=_("None")
    )
    unit = forms.ModelChoiceField(
        label=_("Our unit concerned"), queryset=None, required=False, empty_label=_("Choose unit")
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("Choose category")
    )
    occurred_on = _date_field(_("Occurred"))
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Do not write the patient's name here."),
    )
    counterpart_reference = forms.CharField(label=_("The counterpart's reference"), required=False, max_length=60)
    received_on = _date_field(_("Received (incoming)"))
    reply_due = _date_field(
        _("Answer due (incoming)"), help_text=_("Empty: the counterpart's reply time from the date received.")
    )

    def __init__(self, *args, user, municipality_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = collaboration_units(user).order_by("name")
        self.fields["counterpart"].queryset = Counterpart.objects.filter(municipality_id=municipality_id, active=True)
        self.fields["contract"].queryset = Contract.objects.filter(
            municipality_id=municipality_id, kind=ContractKind.PHYSICIAN
        )
        self.fields["category"].queryset = DeviationCategory.objects.filter(
            municipality_id=municipality_id, active=True
        )

    def to_input(self) -> CollaborationInput:
        d = self.cleaned_data
        return CollaborationInput(
            direction=d.get("direction") or "",
            counterpart=d.get("counterpart"),
            unit=d.get("unit"),
            category=d.get("category"),
            occurred_on=d.get("occurred_on"),
            description=d.get("description") or "",
            contract=d.get("contract"),
            counterpart_reference=d.get("counterpart_reference") or "",
            received_on=d.get("received_on"),
            reply_due=d.get("reply_due"),
        )


class SendForm(VersionedForm):
    sent_on = _date_field(_("Sent on"), required=True)
    reply_due = _date_field(_("Reply due"), help_text=_("Empty: the counterpart's reply time from the date sent."))


class ReplyForm(VersionedForm):
    reply_on = _date_field(_("Reply received on"), required=True)
    reply = forms.CharField(label=_("The counterpart's reply"), widget=forms.Textarea(attrs={"rows": 4}))


class UnitAnswerForm(VersionedForm):
    reply = forms.CharField(label=_("The unit's answer"), widget=forms.Textarea(attrs={"rows": 4}))


class AssessCloseForm(VersionedForm):
    assessment = forms.CharField(label=_("MAS assessment"), widget=forms.Textarea(attrs={"rows": 3}))
    sent_on = _date_field(_("Answer sent to the counterpart on (incoming)"))


class CollaborationFilter(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), required=False, choices=[("", _("All")), *Direction.choices])
    counterpart = forms.ModelChoiceField(label=_("Counterpart"), queryset=None, required=False, empty_label=_("All"))
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)

    def __init__(self, *args, municipality_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].queryset = Counterpart.objects.filter(municipality_id=municipality_id)


class CounterpartForm(forms.ModelForm):
    class Meta:
        model = Counterpart
        fields = ["code", "name", "kind", "contact_name", "contact_email", "contact_phone", "reply_months", "active"]


class LogExtractForm(forms.Form):
    """The patient's personnummer, posted (never in a URL)."""

    patient = forms.CharField(
        label=_("Patient's personnummer"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_patient(self) -> str:
        from incidents import patient

        value = (self.cleaned_data.get("patient") or "").strip()
        patient.normalize_personnummer(value)
        return value

"""Forms of the Lex Maria steps; the rules live in incidents.lexmaria, the forms only parse input."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.lexmaria.actors import action_owners_for, analysis_leaders_for
from incidents.lexmaria.services import AnalysisAction
from incidents.lexmaria.steps import MAY_BE_NOT_APPLICABLE, NOT_APPLICABLE, Step
from responsibility import pickers
from responsibility.models import Person

ANALYSIS_ACTION_ROWS = 3


def _person_picker(field: forms.ModelChoiceField, case, kind: str, people) -> None:
    """Offer only ``people`` (the eligible ones), each with title, workplace and e-mail to tell namesakes apart;
    with JavaScript a type-ahead over the case's picker endpoint (``static/js/picker.js``), without it this select."""
    field.queryset = pickers.with_current(people)
    field.label_from_instance = pickers.person_label
    field.widget.attrs.update(pickers.picker_attrs(kind, reverse("incidents:lex_maria_people", args=[case.pk])))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


def _text(label, *, required: bool = True, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )


class StepForm(forms.Form):
    """A step form; ``version`` carries the case version the user saw (concurrent edits)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case, **kwargs):
        self.case = case
        kwargs.setdefault("prefix", self.step)
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("version", case.version)

    def date_default(self, name: str) -> None:
        if not self.is_bound:
            self.initial.setdefault(name, timezone.localdate())

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class PatientInformedForm(StepForm):
    step = Step.INFORM_PATIENT
    informed_at = _date(_("Date the patient or next of kin was informed"), required=False)
    informed_by = forms.CharField(label=_("Informed by (name and title)"), required=False, max_length=120)
    not_informed_reason = _text(
        _("Why the patient could not be informed"),
        required=False,
        help_text=_("Fill in only if the patient or next of kin could not be informed."),
    )
    patient_statement = _text(_("The patient's own description of the event"), required=False, rows=4)

    def clean(self):
        data = super().clean()
        informed = data.get("informed_at") or data.get("informed_by")
        if not informed and not data.get("not_informed_reason"):
            raise forms.ValidationError(
                _("Enter when and by whom the patient was informed, or why it was not possible.")
            )
        return data


class AnalysisForm(StepForm):
    step = Step.ANALYSE
    leader = forms.ModelChoiceField(
        label=_("Analysis leader (appointed by the operations manager)"), queryset=Person.objects.none()
    )
    team = _text(_("Analysis team"), rows=2)
    timeline = _text(_("Timeline"), rows=4)
    causes = _text(_("Causes"), rows=4)
    summary = _text(_("Summary of the actions"), required=False, rows=2)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        _person_picker(self.fields["leader"], case, "leader", analysis_leaders_for(case))
        for i in range(1, ANALYSIS_ACTION_ROWS + 1):
            required = i == 1
            self.fields[f"action_{i}_description"] = forms.CharField(
                label=_("Action %(n)s") % {"n": i}, required=required, max_length=500
            )
            owner = forms.ModelChoiceField(
                label=_("Owner of action %(n)s") % {"n": i}, queryset=Person.objects.none(), required=required
            )
            _person_picker(owner, case, "owner", action_owners_for(case))
            self.fields[f"action_{i}_owner"] = owner
            self.fields[f"action_{i}_deadline"] = forms.DateField(
                label=_("Deadline of action %(n)s") % {"n": i}, required=required, widget=DateInput()
            )

    def action_rows(self):
        return [
            (self[f"action_{i}_description"], self[f"action_{i}_owner"], self[f"action_{i}_deadline"])
            for i in range(1, ANALYSIS_ACTION_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        actions = []
        for i in range(1, ANALYSIS_ACTION_ROWS + 1):
            parts = [data.get(f"action_{i}_{k}") for k in ("description", "owner", "deadline")]
            if any(parts) and not all(parts):
                self.add_error(f"action_{i}_description", _("An action needs a description, an owner and a deadline."))
            elif all(parts):
                actions.append(AnalysisAction(description=parts[0], owner=parts[1], deadline=parts[2]))
        data["actions"] = actions
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("leader", "team", "timeline", "causes", "summary", "actions")}


class ForwardForm(StepForm):
    step = Step.FORWARD
    forwarded_at = _date(_("Date forwarded to the managing and purchasing boards"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_default("forwarded_at")


class BoardInformedForm(StepForm):
    step = Step.INFORM_BOARD
    informed_at = _date(_("Date the board was informed"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_default("informed_at")


class ReportToIvoForm(StepForm):
    step = Step.REPORT_TO_IVO
    sent_at = _date(_("Date sent through IVO's e-service"))
    ivo_case_number = forms.CharField(label=_("IVO's case number"), max_length=40)


class SendInvestigationForm(StepForm):
    step = Step.SEND_INVESTIGATION
    sent_at = _date(_("Date the investigation was sent to IVO (the report's date if sent with it)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_default("sent_at")


class NotApplicableForm(StepForm):
    """Mark one of the open steps not applicable, with the reason."""

    step = NOT_APPLICABLE
    which = forms.ChoiceField(label=_("Step that does not apply"), choices=())
    reason = _text(_("Why the step does not apply"), rows=2)

    def __init__(self, *args, case, steps=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        allowed = steps if steps is not None else MAY_BE_NOT_APPLICABLE
        self.fields["which"].choices = [(s, Step(s).label) for s in MAY_BE_NOT_APPLICABLE if s in allowed]

    def service_kwargs(self) -> dict:
        return {"step": self.cleaned_data["which"], "reason": self.cleaned_data["reason"]}


class IvoDecisionForm(StepForm):
    step = Step.IVO_DECISION
    decided_at = _date(_("Date of IVO's decision"))
    outcome = _text(_("IVO's outcome"))


class CloseForm(StepForm):
    step = Step.CLOSE
    reason = _text(_("Comment (optional)"), required=False, rows=2)


STEP_FORMS: dict[str, type[StepForm]] = {
    form.step: form
    for form in (
        PatientInformedForm,
        AnalysisForm,
        ForwardForm,
        BoardInformedForm,
        ReportToIvoForm,
        SendInvestigationForm,
        IvoDecisionForm,
        CloseForm,
        NotApplicableForm,
    )
}

"""The registration form (报名表): who registers, single entity or consortium, declarations, stamped scans."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import ValidationError

from procurement.domain.identifiers import InvalidIdentifier, validate_resident_id
from procurement.domain.qualification import ARTICLE22_DECLARATIONS, DOCUMENT_KINDS
from procurement.forms_common import BaseForm, choices, length, required
from procurement.services.registrations import AGENT_DOCUMENTS, Answers
from procurement.formatting import translate

AS_LEGAL_REP = "legal_rep"
AS_AGENT = "agent"
SINGLE = "single"
CONSORTIUM = "consortium"


class RegistrationForm(BaseForm):
    """One form for the whole registration; the uploads are read by the service, not here."""

    registrant = RadioField(
        _l("报名人"),
        choices=choices([(AS_LEGAL_REP, _l("法定代表人本人报名")), (AS_AGENT, _l("经办人（受法定代表人委托）报名"))]),
        validators=[required(_l("请选择由谁报名。"))],
    )
    agent_name = StringField(_l("经办人姓名"), validators=[length(100)], description=_l("经办人报名时填写。"))
    agent_id_number = StringField(
        _l("经办人身份证号码"),
        validators=[length(30)],
        description=_l("经办人报名时填写，18位。"),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    entity = RadioField(
        _l("投标主体"),
        choices=choices([(SINGLE, _l("单一法人主体")), (CONSORTIUM, _l("联合体（两家及以上单位联合）"))]),
        validators=[required(_l("请选择投标主体。"))],
    )

    def validate_agent_name(self, field) -> None:
        """Required when an agent registers."""
        if self.registrant.data == AS_AGENT and not (field.data or "").strip():
            raise ValidationError(_l("经办人报名时，请填写经办人姓名。"))

    def validate_agent_id_number(self, field) -> None:
        """Required and valid (GB 11643 check digit) when an agent registers; stored compact."""
        if self.registrant.data != AS_AGENT:
            return
        if not (field.data or "").strip():
            raise ValidationError(_l("经办人报名时，请填写经办人身份证号码。"))
        try:
            field.data = validate_resident_id(field.data)
        except InvalidIdentifier as error:
            raise ValidationError(translate(error.message, error.params)) from None

    def answers(self) -> Answers:
        """The validated answers as the service takes them."""
        via_agent = self.registrant.data == AS_AGENT
        return Answers(
            via_agent=via_agent,
            agent_name=(self.agent_name.data or "").strip() or None if via_agent else None,
            agent_id_number=self.agent_id_number.data if via_agent else None,
            consortium=self.entity.data == CONSORTIUM,
            declarations={key: bool(getattr(self, key).data) for key in ARTICLE22_DECLARATIONS},
        )

    def draft_values(self) -> dict:
        """The answers as typed, valid or not, for keeping as a draft (see ``registrations.clean_draft``)."""
        return {
            "registrant": self.registrant.data or "",
            "agent_name": self.agent_name.data or "",
            "agent_id_number": self.agent_id_number.data or "",
            "entity": self.entity.data or "",
            "declarations": [key for key in ARTICLE22_DECLARATIONS if getattr(self, key).data],
        }

    @property
    def via_agent(self) -> bool:
        """Whether the posted (or pre-filled) answer is "through an agent"."""
        return self.registrant.data == AS_AGENT

    def declaration_fields(self):
        """The six Article 22 checkboxes, in the notice's order."""
        return [getattr(self, key) for key in ARTICLE22_DECLARATIONS]

    def document_fields(self, agent: bool):
        """The upload fields for the agent's documents (``agent=True``) or the others."""
        return [getattr(self, kind) for kind in DOCUMENT_KINDS if (kind in AGENT_DOCUMENTS) == agent]


for _index, (_key, _text) in enumerate(ARTICLE22_DECLARATIONS.items(), start=1):
    setattr(RegistrationForm, _key, BooleanField(_l("（%(n)s）%(text)s", n=_index, text=_l(_text))))
for _kind, _label in DOCUMENT_KINDS.items():
    setattr(
        RegistrationForm,
        _kind,
        FileField(_l(_label), description=_l("加盖公章的扫描件：PDF、JPEG 或 PNG。")),
    )


def prefill(form: RegistrationForm, registration) -> None:
    """Fill a fresh form from the stored registration (GET): its saved draft if any, else what was submitted."""
    if registration is None:
        return
    if registration.draft:
        draft = registration.draft
        form.registrant.data = draft.get("registrant") or None
        form.agent_name.data = draft.get("agent_name") or ""
        form.agent_id_number.data = draft.get("agent_id_number") or ""
        form.entity.data = draft.get("entity") or None
        for key in ARTICLE22_DECLARATIONS:
            getattr(form, key).data = key in (draft.get("declarations") or ())
        return
    if registration.submitted_at is None:
        return
    form.registrant.data = AS_AGENT if registration.via_agent else AS_LEGAL_REP
    form.agent_name.data = registration.agent_name or ""
    form.agent_id_number.data = registration.agent_id_number or ""
    form.entity.data = CONSORTIUM if registration.consortium else SINGLE
    for key in ARTICLE22_DECLARATIONS:
        getattr(form, key).data = bool((registration.declarations or {}).get(key))

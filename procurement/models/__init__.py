"""SQLAlchemy 2 typed models for the whole workflow, split by area."""
from procurement.models._base import ROLE_BUYER, ROLE_PANEL, ROLE_SUPPLIER, ROLES
from procurement.models.accounts import Company, User
from procurement.models.award import Award, Challenge, ChallengeAttachment, GeneratedDocument
from procurement.models.evaluation import AbnormalLowReview, Evaluation, EvaluationResult, PanelMember, Vote
from procurement.models.jobs import JOB_DONE, JOB_FAILED, JOB_QUEUED, JOB_RUNNING, JOB_UNFINISHED, Job, JobDocument
from procurement.models.mail import MailMessage
from procurement.models.open_data import OcdsRelease
from procurement.models.notifications import CHANNEL_EMAIL, Notification, NotificationPreference
from procurement.models.projects import (
    STATUS_AWARDED,
    STATUS_CANCELLED,
    STATUS_DRAFT,
    STATUS_EVALUATED,
    STATUS_FAILED,
    STATUS_OPENED,
    STATUS_PUBLISHED,
    Amendment,
    BoqItem,
    FileDownload,
    Project,
    ProjectFile,
    StoredFile,
)
from procurement.models.quorum import MODE_QUORUM, MODE_SERVER, OPENING_MODES, OpeningKey, OpeningOfficial, RelayedShare
from procurement.models.quotes import KIND_QUOTE, KIND_WITHDRAWAL, OpenedQuote, OpenedQuoteLine, QuoteDraft, SealedQuote
from procurement.models.registration import (
    REG_ACCEPTED,
    REG_DRAFT,
    REG_REJECTED,
    BlacklistEntry,
    BlacklistImport,
    QualificationCheck,
    Registration,
    RegistrationDocument,
)
from procurement.models.sign_in import SignInAttempt, SignInLock
from procurement.models.storage import StoredBlob
from procurement.models.system import AuditChainHead, AuditEvent, CalendarYear, ClockSetting, Holiday

__all__ = [name for name in dir() if not name.startswith("_")]

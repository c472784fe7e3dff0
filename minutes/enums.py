"""Choices of the minutes app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    APPROVED = "approved", _("Đã thông qua")
    ARCHIVED = "archived", _("Đã ký và lưu trữ")


class ApprovalKind(models.TextChoices):
    """R-P5: the meeting approves the read-back minutes by vote; if it ended without that vote,
    the chair and the recorder approve the text and the minutes say so."""

    READ_BACK_VOTE = "read_back_vote", _("Chi bộ biểu quyết thông qua sau khi nghe đọc lại")
    CHAIR_AND_RECORDER = "chair_and_recorder", _("Chủ trì và thư ký thông qua")


class DocumentKind(models.TextChoices):
    MINUTES = "minutes", _("Biên bản")
    EXTRACT = "extract", _("Trích biên bản")
    RESOLUTION = "resolution", _("Nghị quyết")
    ADDENDUM = "addendum", _("Biên bản đính chính")


class DocumentStatus(models.TextChoices):
    RENDERING = "rendering", _("Đang tạo tệp PDF")
    RENDER_FAILED = "render_failed", _("Tạo tệp PDF không thành công")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Chờ ký số")
    ARCHIVED = "archived", _("Đã ký và lưu trữ")


class RenderState(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang tạo")
    SUCCEEDED = "succeeded", _("Đã tạo xong")
    FAILED = "failed", _("Không thành công")


class SignerRole(models.TextChoices):
    """The signature blocks: chair then recorder on minutes and addenda, the secretary
    ("T/M CHI BỘ / BÍ THƯ") on extracts and resolutions."""

    CHAIR = "chair", _("Chủ trì")
    RECORDER = "recorder", _("Thư ký")
    SECRETARY = "secretary", _("Bí thư")


class ReviewKind(models.TextChoices):
    COMMENT = "comment", _("Ý kiến")
    ACKNOWLEDGEMENT = "acknowledgement", _("Đã xem, ghi nhận")

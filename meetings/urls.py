from django.urls import path

from meetings.views import (
    agenda,
    calendar,
    documents,
    invitations,
    media,
    meetings,
    notifications,
    ratification,
    room,
)

app_name = "meetings"

urlpatterns = [
    path("lich-sinh-hoat/", calendar.upcoming, name="upcoming"),
    path("chi-bo/<int:cell_id>/lich-sinh-hoat/", calendar.cell_calendar, name="calendar"),
    path(
        "chi-bo/<int:cell_id>/lich-sinh-hoat/<int:year>/<int:month>/",
        calendar.cell_calendar_month,
        name="calendar_month",
    ),
    path("chi-bo/<int:cell_id>/ke-hoach/<int:year>/", calendar.year_plan, name="year_plan"),
    path(
        "chi-bo/<int:cell_id>/ke-hoach/<int:year>/tao-lich/",
        calendar.year_generate,
        name="year_generate",
    ),
    path("chi-bo/<int:cell_id>/sinh-hoat/moi/", meetings.meeting_create, name="create"),
    path("sinh-hoat/<int:meeting_id>/", meetings.meeting_detail, name="detail"),
    path("sinh-hoat/<int:meeting_id>/sua/", meetings.meeting_edit, name="edit"),
    path(
        "sinh-hoat/<int:meeting_id>/trang-thai/",
        meetings.meeting_change_status,
        name="change_status",
    ),
    path("sinh-hoat/<int:meeting_id>/lich.ics", invitations.meeting_calendar_file, name="ics"),
    path("sinh-hoat/<int:meeting_id>/chuong-trinh/", agenda.agenda, name="agenda"),
    path(
        "sinh-hoat/<int:meeting_id>/chuong-trinh/mau/",
        agenda.agenda_apply_template,
        name="agenda_template",
    ),
    path(
        "sinh-hoat/<int:meeting_id>/chuong-trinh/<int:item_id>/",
        agenda.agenda_item_edit,
        name="agenda_item_edit",
    ),
    path(
        "sinh-hoat/<int:meeting_id>/chuong-trinh/<int:item_id>/bo/",
        agenda.agenda_item_remove,
        name="agenda_item_remove",
    ),
    path(
        "sinh-hoat/<int:meeting_id>/chuong-trinh/<int:item_id>/chuyen/",
        agenda.agenda_item_move,
        name="agenda_item_move",
    ),
    path(
        "sinh-hoat/<int:meeting_id>/tai-lieu/them/",
        documents.document_upload,
        name="document_upload",
    ),
    path(
        "sinh-hoat/<int:meeting_id>/tai-lieu/<int:document_id>/",
        documents.document_download,
        name="document_download",
    ),
    path(
        "sinh-hoat/<int:meeting_id>/tai-lieu/<int:document_id>/go/",
        documents.document_remove,
        name="document_remove",
    ),
    path("sinh-hoat/<int:meeting_id>/phong-hop/", room.room, name="room"),
    path(
        "sinh-hoat/<int:meeting_id>/phieu-kin/<int:vote_id>.json",
        room.ballot_record,
        name="ballot_record",
    ),
    path(
        "sinh-hoat/<int:meeting_id>/phong-hop/am-thanh-hinh-anh/",
        media.media_access,
        name="media_access",
    ),
    path(
        "sinh-hoat/<int:meeting_id>/phong-hop/am-thanh-hinh-anh/da-phat/",
        media.media_published,
        name="media_published",
    ),
    path(
        "sinh-hoat/<int:meeting_id>/phong-hop/am-thanh-hinh-anh/tat-mic/",
        media.media_mute,
        name="media_mute",
    ),
    path("sinh-hoat/<int:meeting_id>/tra-loi/", invitations.reply, name="reply"),
    path(
        "sinh-hoat/<int:meeting_id>/vang-mat/<int:invitation_id>/",
        invitations.decide_absence,
        name="decide_absence",
    ),
    path("chuan-y-bau-cu/", ratification.ratifications, name="ratifications"),
    path("chuan-y-bau-cu/<int:vote_id>/", ratification.ratify, name="ratify"),
    path("thong-bao/", notifications.notification_list, name="notifications"),
    path(
        "thong-bao/<int:notification_id>/",
        notifications.notification_open,
        name="notification_open",
    ),
    path("thong-bao/da-doc/", notifications.notifications_mark_read, name="notifications_read"),
]

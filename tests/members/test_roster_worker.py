"""The roster import through Redis and a real Celery worker: the page hands the file over,
polls the progress, and lands on the cell with the members imported."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from members.models import Member, RosterImport
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.integration

WORKER_TIMEOUT = 90
CSV = (
    "Họ và tên;Ngày vào Đảng;Ngày chính thức;Loại đảng viên\r\n"
    "Trần Văn An;19/05/2000;19/05/2001;chính thức\r\n"
    "Lê Thị Bình;03/02/2025;;dự bị\r\n"
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"),
    reason="needs REDIS_URL and DATABASE_URL: a real worker process shares the test database",
)
def test_a_roster_file_is_imported_by_the_worker_while_the_page_shows_progress(tree, real_worker):
    secretary = sign_in_verified(Client(), tree.secretary.user)
    file = SimpleUploadedFile("danh-sach.csv", CSV.encode("utf-8-sig"), content_type="text/csv")
    conf = real_worker.app.conf
    default_queue, conf.task_default_queue = conf.task_default_queue, real_worker.queue
    try:
        with real_worker.through_redis():
            handed_over = secretary.post(
                reverse("members:roster_import", args=[tree.cell.pk]), {"file": file}
            )
            job = RosterImport.objects.get()
            progress_url = reverse("members:roster_import_progress", args=[tree.cell.pk, job.pk])
            deadline = time.monotonic() + WORKER_TIMEOUT
            while not (progress := secretary.get(progress_url).json())["done"]:
                assert time.monotonic() < deadline, real_worker.stop()
                time.sleep(0.2)
    finally:
        conf.task_default_queue = default_queue
    output = real_worker.stop()

    assert handed_over["Location"] == reverse(
        "members:roster_import_status", args=[tree.cell.pk, job.pk]
    )
    assert progress["state"] == "succeeded", output
    landing = secretary.get(handed_over["Location"], follow=True)
    assert landing.redirect_chain[-1][0] == reverse("members:cell", args=[tree.cell.pk])
    assert "Đã nhập 2 đảng viên từ tệp danh-sach.csv." in landing.content.decode()
    imported = Member.objects.filter(home_cell=tree.cell, user=None)
    assert sorted(imported.values_list("full_name", flat=True)) == ["Lê Thị Bình", "Trần Văn An"]
    job.refresh_from_db()
    assert bytes(job.data) == b""  # the file is not kept once read

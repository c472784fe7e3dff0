"""The reviewers' archive: filters, search without diacritics, downloads, ZIP, reviews, and
who sees what."""

import io
import zipfile

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from meetings.models import Notification
from members.models import ReadAudit
from minutes.models import MinutesReview
from tests.conftest import sign_in_verified
from tests.review.seed import at, held_meeting, really_signed, sign

pytestmark = pytest.mark.integration


def client_of(member) -> Client:
    return sign_in_verified(Client(), member.user)


@pytest.fixture
def docs(tree):
    """Signed minutes in A1 (March, April) and A2 (May), minutes awaiting signatures in A1, and
    the sibling's B1 minutes."""
    march = sign(
        held_meeting(tree.cell, "regular", at(3, 5)),
        at(3, 6),
        "BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ. Quán triệt nghị quyết về chuyển đổi số.",
    )
    april = sign(
        held_meeting(tree.cell, "thematic", at(4, 5)),
        at(4, 6),
        "Biên bản sinh hoạt chuyên đề: học tập và làm theo tư tưởng, đạo đức, "
        "phong cách Hồ Chí Minh.",
    )
    may = sign(
        held_meeting(tree.neighbour_cell, "regular", at(5, 5)),
        at(5, 6),
        "Biên bản của chi bộ A2 về công tác phát triển đảng viên.",
    )
    waiting = sign(
        held_meeting(tree.cell, "regular", at(6, 5)), at(6, 6), "", "awaiting_signatures"
    )
    far = sign(held_meeting(tree.far_cell, "regular", at(3, 8)), at(3, 9), "Biên bản chi bộ B1.")
    return {"march": march, "april": april, "may": may, "waiting": waiting, "far": far}


def listed(response) -> list[int]:
    import re

    return [int(n) for n in re.findall(r'data-document="(\d+)"', response.content.decode())]


def test_the_reviewer_lists_their_subtree_awaiting_first_then_newest_signed(tree, docs):
    response = client_of(tree.reviewer).get(reverse("review:archive", args=[tree.grassroots.pk]))

    assert response.status_code == 200
    assert listed(response) == [
        docs[name].pk for name in ("waiting", "may", "april", "march")
    ]  # never the sibling's B1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"cell": "A1"}, ["waiting", "april", "march"]),
        ({"kind": "minutes", "status": "archived"}, ["may", "april", "march"]),
        ({"status": "awaiting_signatures"}, ["waiting"]),
        ({"since": "01/04/2025", "until": "31/05/2025"}, ["may", "april"]),
        ({"q": "bien ban chuyen de"}, ["april"]),
        ({"q": "chuyển đổi số"}, ["march"]),
        ({"q": "dang vien", "cell": "A2"}, ["may"]),
    ],
)
def test_filters_and_search(tree, docs, query, expected):
    if "cell" in query:
        query["cell"] = {"A1": tree.cell.pk, "A2": tree.neighbour_cell.pk}[query["cell"]]

    response = client_of(tree.reviewer).get(
        reverse("review:archive", args=[tree.grassroots.pk]), query
    )

    assert listed(response) == [docs[name].pk for name in expected]


def test_search_results_quote_the_text_with_its_diacritics(tree, docs):
    response = client_of(tree.reviewer).get(
        reverse("review:archive", args=[tree.grassroots.pk]), {"q": "tu tuong dao duc"}
    )

    assert (
        "<mark>tư</mark> <mark>tưởng</mark>, <mark>đạo</mark> <mark>đức</mark>, phong cách Hồ Chí"
        in response.content.decode()
    )


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"since": "31/02/2025"}, "Nhập một ngày hợp lệ."),
        ({"since": "01/06/2025", "until": "01/05/2025"}, "Ngày kết thúc phải sau ngày bắt đầu."),
        ({"cell": "999999"}, "Chi bộ này không thuộc phạm vi xem xét."),
    ],
)
def test_bad_filters_are_explained(tree, docs, query, error):
    if query.get("cell"):
        query["cell"] = str(tree.far_cell.pk)  # a cell of the sibling: not a choice here

    response = client_of(tree.reviewer).get(
        reverse("review:archive", args=[tree.grassroots.pk]), query
    )

    assert response.status_code == 400
    assert error in response.content.decode()


def test_the_archive_is_paginated(tree, settings):
    for day in range(1, 28):
        sign(held_meeting(tree.cell, "extraordinary", at(1, day)), at(1, day), "Biên bản")
    client = client_of(tree.reviewer)
    url = reverse("review:archive", args=[tree.grassroots.pk])

    first, second = client.get(url), client.get(url, {"trang": 2})

    assert len(listed(first)) == 25
    assert len(listed(second)) == 2
    assert "Trang 1/2" in first.content.decode()


def test_a_broad_search_says_more_match_than_it_counted_and_its_pages_go_on(tree, monkeypatch):
    """docs/benchmarks.md, Archive: a search's matches are counted no further than
    SEARCH_COUNT_CAP past the page asked for (here 2 pages of 2), the rest of the list stays."""
    monkeypatch.setattr("minutes.review.views.ARCHIVE_PAGE", 2)
    monkeypatch.setattr("minutes.review.archive.SEARCH_COUNT_CAP", 4)
    for day in range(1, 28):
        sign(held_meeting(tree.cell, "extraordinary", at(1, day)), at(1, day), "Biên bản")
    client = client_of(tree.reviewer)
    url = reverse("review:archive", args=[tree.grassroots.pk])

    first = client.get(url, {"q": "bien ban"})
    twelfth = client.get(url, {"q": "bien ban", "trang": 12})
    thirteenth = client.get(url, {"q": "biên bản", "trang": 13})
    last = client.get(url, {"q": "biên bản", "trang": 14})
    unsearched = client.get(url)

    assert len(listed(first)) == 2
    assert "Hơn 4 văn bản" in first.content.decode()
    assert "Có quá nhiều văn bản phù hợp để đếm hết" in first.content.decode()
    assert "Trang 1/hơn 2" in first.content.decode()
    assert "trang=2" in first.content.decode()
    assert "Trang 12/hơn 13" in twelfth.content.decode()
    assert "Trang 13/14" in thirteenth.content.decode()
    assert "27 văn bản" in thirteenth.content.decode()
    assert "đếm hết" not in thirteenth.content.decode()
    assert len(listed(last)) == 1
    assert "27 văn bản" in unsearched.content.decode()
    assert "Trang 1/14" in unsearched.content.decode()
    seen = set()
    for page in range(1, 15):
        seen |= set(listed(client.get(url, {"q": "bien ban", "trang": page})))
    assert len(seen) == 27


def test_downloads_and_zip_of_signed_pdfs(tree, docs):
    client = client_of(tree.reviewer)

    pdf = client.get(reverse("review:document_pdf", args=[docs["march"].pk]))
    bundle = client.post(
        reverse("review:archive_zip", args=[tree.grassroots.pk]),
        {"document": [docs["march"].pk, docs["may"].pk, docs["waiting"].pk, docs["far"].pk]},
    )

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == b"%PDF-1.7 signed"
    names = zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()
    assert sorted(names) == sorted(
        [
            f"chi-bo-a1-2025-03-05-minutes-{docs['march'].verification_code}.pdf",
            f"chi-bo-a2-2025-05-05-minutes-{docs['may'].verification_code}.pdf",
        ]
    )  # not the unsigned one, not the sibling's


def test_an_empty_zip_selection_is_explained(tree, docs):
    response = client_of(tree.reviewer).post(
        reverse("review:archive_zip", args=[tree.grassroots.pk]), {}, follow=True
    )

    assert "Hãy chọn từ 1 đến 200 văn bản đã ký để tải về." in response.content.decode()


@pytest.mark.parametrize("value", [str(2**64), "9" * 5000, "-1", "0", "²"])
def test_a_zip_selection_naming_no_possible_document_is_explained(tree, docs, value):
    """Regression (issue 14): a number beyond any row id reached the query; on SQLite it
    raised OverflowError (a 500)."""
    response = client_of(tree.reviewer).post(
        reverse("review:archive_zip", args=[tree.grassroots.pk]),
        {"document": [docs["march"].pk, value]},
        follow=True,
    )

    assert "Hãy chọn từ 1 đến 200 văn bản đã ký để tải về." in response.content.decode()


def test_nobody_outside_sees_the_archive(tree, docs):
    pages = [
        reverse("review:archive", args=[tree.grassroots.pk]),
        reverse("review:archive", args=[tree.cell.pk]),
        reverse("review:document", args=[docs["march"].pk]),
        reverse("review:document_pdf", args=[docs["may"].pk]),
    ]
    for person in (tree.sibling_reviewer, tree.member, tree.secretary, tree.neighbour):
        for url in pages:
            assert client_of(person).get(url).status_code == 404, (person, url)
        zip_url = reverse("review:archive_zip", args=[tree.grassroots.pk])
        assert client_of(person).post(zip_url, {"document": [docs["march"].pk]}).status_code == 404
    sibling = client_of(tree.sibling_reviewer).get(
        reverse("review:archive", args=[tree.sibling.pk])
    )
    assert listed(sibling) == [docs["far"].pk]


def test_a_comment_reaches_the_cells_secretary(tree, docs):
    document = docs["march"]
    url = reverse("review:document", args=[document.pk])

    response = client_of(tree.reviewer).post(
        url, {"kind": "comment", "text": "Đề nghị bổ sung phân công thực hiện nghị quyết."}
    )
    seen = client_of(tree.secretary).get(reverse("review:cell_reviews", args=[tree.cell.pk]))

    assert response.status_code == 302
    assert MinutesReview.objects.get().reviewer == tree.reviewer
    page = seen.content.decode()
    assert "Đề nghị bổ sung phân công thực hiện nghị quyết." in page
    assert tree.reviewer.full_name in page
    neighbour_list = reverse("review:cell_reviews", args=[tree.neighbour_cell.pk])
    assert client_of(tree.secretary).get(neighbour_list).status_code == 404
    assert (
        client_of(tree.member).get(reverse("review:cell_reviews", args=[tree.cell.pk])).status_code
        == 403
    )


def test_a_comment_needs_words_an_acknowledgement_does_not(tree, docs):
    url = reverse("review:document", args=[docs["march"].pk])
    client = client_of(tree.reviewer)

    empty = client.post(url, {"kind": "comment", "text": "  "})
    acknowledged = client.post(url, {"kind": "acknowledgement", "text": ""})
    nonsense = client.post(url, {"kind": "approve-everything", "text": "x"})

    assert empty.status_code == 400
    assert "Hãy nhập nội dung ý kiến." in empty.content.decode()
    assert acknowledged.status_code == 302
    assert nonsense.status_code == 400
    assert "Hãy chọn ý kiến hoặc ghi nhận đã xem." in nonsense.content.decode()
    assert list(MinutesReview.objects.values_list("kind", flat=True)) == ["acknowledgement"]


def test_the_document_page_verifies_the_signatures(tree):
    meeting = held_meeting(tree.cell, "regular", at(9, 5))
    document = really_signed(meeting, tree.secretary, tree.member)

    page = client_of(tree.reviewer).get(reverse("review:document", args=[document.pk]))

    html = page.content.decode()
    assert "HỢP LỆ" in html
    assert "Hợp lệ: văn bản có 2 chữ ký số hợp lệ" in html
    assert "khớp với bản lưu trữ" in html
    assert "BIÊN BẢN" in html


def test_reading_documents_is_logged(tree, docs):
    client = client_of(tree.reviewer)

    client.get(reverse("review:document", args=[docs["march"].pk]))
    client.get(reverse("review:document_pdf", args=[docs["may"].pk]))

    # The reviewer's home is A2: reading A2's minutes is not an outside read.
    assert list(ReadAudit.objects.values_list("kind", "object_id")) == [
        ("minutes", docs["march"].pk)
    ]


@pytest.mark.parametrize("count", [3, 30])
def test_the_archive_needs_the_same_queries_whatever_the_data(
    tree, django_assert_num_queries, count
):
    for day in range(count):
        cell = tree.cell if day % 2 else tree.neighbour_cell
        sign(held_meeting(cell, "regular", at(1 + day % 12, 1 + day % 28)), at(2, 1), "Biên bản")
    client = client_of(tree.reviewer)
    url = reverse("review:archive", args=[tree.grassroots.pk])
    client.get(url, {"q": "bien ban"})

    # The same on both databases: no planner setting around the search (minutes 0004).
    with django_assert_num_queries(15):
        client.get(url, {"q": "bien ban"})


def test_the_search_page_shows_the_passage_found(tree):
    letterhead = "ĐẢNG BỘ XÃ HƯƠNG SƠN. BIÊN BẢN SINH HOẠT CHI BỘ. Theo Hướng dẫn số 12-HD/BTCTW. "
    found = sign(
        held_meeting(tree.cell, "regular", at(3, 5)),
        at(3, 6),
        letterhead + "x " * 80 + "Đồng chí Hương Sen phát biểu về chuyển đổi số.",
    )
    sign(held_meeting(tree.cell, "regular", at(4, 5)), at(4, 6), letterhead + "Đồng chí Hưởng.")

    response = client_of(tree.reviewer).get(
        reverse("review:archive", args=[tree.grassroots.pk]), {"q": "Hương Sen"}
    )

    page = response.content.decode()
    assert listed(response) == [found.pk]
    assert "<mark>Hương</mark> <mark>Sen</mark> phát biểu" in page
    assert "BIÊN BẢN SINH HOẠT" not in page.split("<tbody>", 1)[1]


@pytest.mark.parametrize(
    ("q", "error"),
    [
        ("?!… -- ,,", "Hãy nhập ít nhất một từ để tìm."),
        ('""', "Cụm từ trong ngoặc kép đang trống."),
        ('biên bản "  "', "Cụm từ trong ngoặc kép đang trống."),
        ("biên bản " * 223, "Nội dung tìm kiếm dài quá"),
    ],
)
def test_a_search_without_words_or_too_long_is_explained(tree, docs, q, error):
    response = client_of(tree.reviewer).get(
        reverse("review:archive", args=[tree.grassroots.pk]), {"q": q}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert "Chưa tìm được. Đồng chí hãy sửa các lỗi sau:" in page  # not "Chưa lưu được"
    assert "Chưa lưu được" not in page
    assert listed(response) == []


def test_the_cells_secretary_is_notified_of_a_comment_not_of_an_acknowledgement(tree, docs):
    # A comment waited unseen on a page behind the cell's "Ý kiến của cấp ủy cấp trên" button:
    # nothing told the secretary it was there.
    url = reverse("review:document", args=[docs["march"].pk])
    client = client_of(tree.reviewer)

    client.post(url, {"kind": "acknowledgement", "text": ""})
    client.post(url, {"kind": "comment", "text": "Đề nghị bổ sung phân công."})

    notices = Notification.objects.filter(user=tree.secretary.user)
    assert [(n.kind, n.body, n.url) for n in notices] == [
        (
            "review_comment",
            "Đề nghị bổ sung phân công.",
            reverse("review:cell_reviews", args=[tree.cell.pk]),
        )
    ]
    assert notices.get().title.startswith(f"Ý kiến của cấp ủy cấp trên ({tree.reviewer.full_name})")
    # A secretary reading English reads it in English, the document kind too.
    secretary = client_of(tree.secretary)
    secretary.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = secretary.get(reverse("meetings:notifications")).content.decode()
    translation.activate(settings.LANGUAGE_CODE)  # the middleware left English on
    assert f"Comment of the superior committee ({tree.reviewer.full_name}) on minutes: " in page
    assert "Đề nghị bổ sung phân công." in page

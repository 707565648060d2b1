"""The notices board (공지사항): staff write, publish, pin; everyone reads what is published."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from programmes.models import CallStatus
from public_pages import boards
from public_pages.models import Notice
from tests.factories import CallFactory
from tests.proposals.conftest import PDF

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def write(ministry, title="2027년 공모 설명회 안내", body="설명회를 엽니다.\n장소: 세종", **extra) -> Notice:
    return boards.notice_save(actor=ministry, notice=Notice(), title=title, body=body, **extra)


def published(ministry, **extra) -> Notice:
    return boards.notice_publish(actor=ministry, notice=write(ministry, **extra), published=True)


def detail(notice) -> str:
    return reverse("public:notice_detail", args=[notice.pk])


def test_staff_write_a_notice_with_a_file_through_the_form_and_it_stays_unpublished(browser, ministry, anonymous):
    response = browser(ministry).post(reverse("public:notice_create"), {
        "title": "서식 개정 안내", "body": "서식 3이 바뀌었습니다.",
        "attachment": SimpleUploadedFile("개정 서식.pdf", PDF, content_type="application/pdf")})
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(notice)
    assert (notice.is_published, notice.attachment_name, notice.created_by) == (False, "개정_서식.pdf", ministry)
    assert anonymous.get(detail(notice)).status_code == 404
    assert anonymous.get(reverse("public:notice_attachment", args=[notice.pk])).status_code == 404
    assert "서식 개정 안내" not in anonymous.get(reverse("public:notices")).content.decode()


def test_a_published_notice_and_its_file_are_read_without_log_in(anonymous, ministry):
    notice = published(ministry, upload=SimpleUploadedFile("안내.pdf", PDF))
    assert "2027년 공모 설명회 안내" in anonymous.get(reverse("public:notices")).content.decode()
    html = anonymous.get(detail(notice)).content.decode()
    assert "설명회를 엽니다.<br>장소: 세종" in html
    download = anonymous.get(reverse("public:notice_attachment", args=[notice.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


def test_an_unpublished_notice_is_a_404_to_the_public_again(anonymous, ministry, browser):
    notice = boards.notice_publish(actor=ministry, notice=published(ministry), published=False)
    assert anonymous.get(detail(notice)).status_code == 404
    assert "2027년 공모 설명회 안내" not in anonymous.get(reverse("public:notices")).content.decode()
    assert browser(ministry).get(detail(notice)).status_code == 200  # staff still find it to publish it


def test_officials_and_experts_see_only_published_notices_and_manage_none(browser, official, expert, ministry):
    draft = write(ministry, title="작성 중 공지")
    notice = published(ministry)
    for person in (official, expert):
        client = browser(person)
        assert client.get(detail(draft)).status_code == 404
        assert client.get(detail(notice)).status_code == 200
        assert client.get(reverse("public:notice_create")).status_code == 403
        assert client.get(reverse("public:notice_edit", args=[notice.pk])).status_code == 403
        assert client.post(reverse("public:notice_publish", args=[draft.pk]), {"published": "1"}).status_code == 403
        assert client.post(reverse("public:notice_pin", args=[notice.pk]), {"pinned": "1"}).status_code == 403
    with pytest.raises(PermissionDenied):
        write(official)
    draft.refresh_from_db()
    assert draft.is_published is False


def test_a_pinned_notice_comes_first(anonymous, ministry):
    older = published(ministry, title="먼저 쓴 공지")
    published(ministry, title="나중에 쓴 공지")
    boards.notice_pin(actor=ministry, notice=older, pinned=True)
    titles = [n.title for n in anonymous.get(reverse("public:notices")).context["page"].object_list]
    assert titles == ["먼저 쓴 공지", "나중에 쓴 공지"]


def test_staff_publish_pin_and_edit_through_the_page_and_each_change_is_recorded(browser, ministry):
    notice = write(ministry)
    client = browser(ministry)
    client.post(reverse("public:notice_publish", args=[notice.pk]), {"published": "1"})
    client.post(reverse("public:notice_pin", args=[notice.pk]), {"pinned": "1"})
    client.post(reverse("public:notice_edit", args=[notice.pk]), {"title": "바뀐 제목", "body": "바뀐 본문"})
    notice.refresh_from_db()
    assert (notice.is_published, notice.is_pinned, notice.title, notice.updated_by) == (True, True, "바뀐 제목", ministry)
    assert notice.published_at is not None
    summaries = list(AuditEvent.objects.filter(action=AuditAction.PUBLIC_BOARD).order_by("pk")
                     .values_list("summary", flat=True))
    assert summaries == ["notice written", "notice published", "notice pinned", "notice changed"]


def test_a_file_that_lies_about_its_content_is_refused_and_nothing_is_saved(browser, ministry, _media_root):
    response = browser(ministry).post(reverse("public:notice_create"), {
        "title": "공지", "body": "본문", "attachment": SimpleUploadedFile("서식.pdf", b"MZ\x90\x00 not a pdf")})
    assert response.status_code == 400
    assert Notice.objects.count() == 0
    assert not any(p.is_file() for p in _media_root.rglob("*")) if _media_root.exists() else True


def test_the_attachment_can_be_removed(ministry, anonymous):
    notice = published(ministry, upload=SimpleUploadedFile("안내.pdf", PDF))
    boards.notice_save(actor=ministry, notice=notice, title=notice.title, body=notice.body, remove_attachment=True)
    notice.refresh_from_db()
    assert (notice.attachment.name, notice.attachment_name) == ("", "")
    assert anonymous.get(reverse("public:notice_attachment", args=[notice.pk])).status_code == 404


def test_script_in_a_notice_is_shown_as_text(anonymous, ministry):
    notice = published(ministry, title=f"공지 {SCRIPT}", body=f'본문 {SCRIPT}\n="=cmd|x"')
    for url in (reverse("public:notices"), detail(notice)):
        html = anonymous.get(url).content.decode()
        assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(("title", "body"), [("", "본문"), ("제목", "가" * 10_001), ("제목\x00", "본문")])
def test_an_empty_huge_or_nul_notice_is_refused(ministry, title, body):
    with pytest.raises(ValidationError):
        write(ministry, title=title, body=body)
    assert Notice.objects.count() == 0


def test_a_notice_cannot_name_a_draft_call(browser, ministry, call):
    draft = CallFactory(status=CallStatus.DRAFT, title="비공개 초안 공모", created_by=ministry, updated_by=ministry)
    client = browser(ministry)
    assert "비공개 초안 공모" not in client.get(reverse("public:notice_create")).content.decode()
    response = client.post(reverse("public:notice_create"), {"title": "공지", "body": "본문", "call": str(draft.pk)})
    assert response.status_code == 400 and Notice.objects.count() == 0
    client.post(reverse("public:notice_create"), {"title": "공지", "body": "본문", "call": str(call.pk)})
    assert Notice.objects.get().call == call


def test_the_list_searches_titles_and_text(anonymous, ministry):
    published(ministry, title="설명회 안내", body="세종에서")
    published(ministry, title="서식 개정", body="서식 3 변경")
    titles = [n.title for n in anonymous.get(reverse("public:notices"), {"q": "서식"}).context["page"].object_list]
    assert titles == ["서식 개정"]


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_costs_the_same_queries_for_one_or_three_notices(anonymous, ministry, call, count,
                                                                   django_assert_num_queries):
    for n in range(count):
        published(ministry, title=f"공지 {n}", call=call)
    anonymous.get(reverse("public:notices"))
    with django_assert_num_queries(2):  # the count, the page with its calls
        assert anonymous.get(reverse("public:notices")).status_code == 200


@pytest.mark.parametrize("bad", ["abc", "-1", "99999999999999999999", "1.5"])
def test_a_bad_notice_id_is_a_404(anonymous, bad):
    assert anonymous.get(f"/public/notices/{bad}/").status_code == 404

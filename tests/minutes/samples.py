"""A realistic sample: the November 2026 regular meeting of a residential cell in Hà Nội.

Two hours five minutes, 30 speaking turns, 5 votes (one by secret ballot, one that fails). Used
by the tests, `bench/minutes.py` and the demo. The figures are consistent with the charter
engine: N = 12 (15 official on the roll, less one exempt, one temporarily out and one approved
absentee), so more than half is 7 and two thirds is 8.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid

from meetings.charter.citations import sources_of
from minutes.document import (
    Absence,
    AgendaItem,
    Assignment,
    Attendance,
    Closing,
    Conclusion,
    DocumentHeader,
    Guest,
    Integrity,
    MeetingMode,
    MinutesDocument,
    MinutesKind,
    Person,
    QualityAssessment,
    ReadBack,
    ReservedOpinion,
    Setting,
    Speech,
    minutes_title,
)
from minutes.document_votes import (
    BallotCount,
    OptionCount,
    OutcomeWording,
    VoteRecord,
    VotingMethod,
)
from minutes.issued_documents import ExtractDocument, ResolutionDocument

MEETING_DATE = datetime.date(2026, 11, 5)
STARTED_AT = datetime.datetime(2026, 11, 5, 19, 30)  # noqa: DTZ001 -- local wall-clock time
ENDED_AT = datetime.datetime(2026, 11, 5, 21, 35)  # noqa: DTZ001 -- local wall-clock time
VERIFICATION_BASE = "https://chibo.hoangliet.vn/x/"

CHAIR = Person("Nguyễn Thị Hằng", "Bí thư chi bộ")
RECORDER = Person("Trần Văn Đức", "Chi ủy viên")
DEPUTY = "Lê Minh Tuấn"

HEADER = DocumentHeader(
    superior_name="ĐẢNG BỘ PHƯỜNG HOÀNG LIỆT",
    cell_name="CHI BỘ TỔ DÂN PHỐ SỐ 7",
    place_name="Hà Nội",
    date=MEETING_DATE,
)

N = 12
HALF = "quá nửa N"
TWO_THIRDS = "ít nhất hai phần ba N"


def _integrity(kind: str) -> Integrity:
    document_id = uuid.uuid5(uuid.NAMESPACE_URL, f"chibo:sample:2026-11-05:{kind}")
    return Integrity(
        document_id=str(document_id),
        event_chain_head=hashlib.sha256(b"sample meeting 2026-11-05, event 412").hexdigest(),
        verification_url=VERIFICATION_BASE + document_id.hex[:10].upper(),
    )


AGENDA_VOTE = VoteRecord(
    question="Thông qua chương trình sinh hoạt chi bộ",
    method=VotingMethod.SHOW_OF_HANDS,
    vote_base=N,
    participants=11,
    yes=11,
    no=0,
    abstain=0,
    threshold_label=HALF,
    required=7,
    rule_ids=("R-V3", "R-V2"),
    basis=sources_of(("R-V3", "R-V2")),
    passed=True,
    explanation="",  # the threshold line says it all (as drafted from the charter)
)

ADMISSION_VOTE = VoteRecord(
    question="Đề nghị kết nạp quần chúng Lê Thị Mai vào Đảng",
    method=VotingMethod.SECRET_BALLOT,
    vote_base=N,
    participants=11,
    yes=10,
    no=1,
    abstain=0,
    threshold_label=TWO_THIRDS,
    required=8,
    rule_ids=("R-A1", "R-V2"),
    basis=sources_of(("R-A1", "R-V2")),
    passed=True,
    wording=OutcomeWording.THRESHOLD,
    explanation="",  # the threshold line says it all (as drafted from the charter)
    ballot_count=BallotCount(
        board=("Lê Minh Tuấn (Trưởng ban)", "Vũ Thị Thu Hà", "Phan Văn Hùng"),
        issued=11,
        received=11,
        valid=11,
        invalid=0,
        options=(OptionCount("đồng ý kết nạp", 10), OptionCount("không đồng ý kết nạp", 1)),
    ),
)

RECOGNITION_VOTE = VoteRecord(
    question="Đề nghị công nhận đảng viên chính thức cho đồng chí Đỗ Quang Huy",
    method=VotingMethod.SHOW_OF_HANDS,
    vote_base=N,
    participants=11,
    yes=11,
    no=0,
    abstain=0,
    threshold_label=TWO_THIRDS,
    required=8,
    rule_ids=("R-A3", "R-V2"),
    basis=sources_of(("R-A3", "R-V2")),
    passed=True,
    wording=OutcomeWording.THRESHOLD,
    explanation="",  # the threshold line says it all (as drafted from the charter)
)

SCHEDULE_VOTE = VoteRecord(
    question="Chuyển ngày sinh hoạt chi bộ thường kỳ sang tối thứ Sáu tuần đầu tiên của tháng",
    method=VotingMethod.ELECTRONIC,
    vote_base=N,
    participants=11,
    yes=5,
    no=6,
    abstain=0,
    threshold_label=HALF,
    required=7,
    rule_ids=("R-V3", "R-V2"),
    basis=sources_of(("R-V3", "R-V2")),
    passed=False,
    explanation="",  # the threshold line says it all (as drafted from the charter)
)

CONCLUSION_VOTE = VoteRecord(
    question="Thông qua kết luận của đồng chí chủ trì và Nghị quyết tháng 11/2026",
    method=VotingMethod.SHOW_OF_HANDS,
    vote_base=N,
    participants=11,
    yes=11,
    no=0,
    abstain=0,
    threshold_label=HALF,
    required=7,
    rule_ids=("R-V3", "R-V2"),
    basis=sources_of(("R-V3", "R-V2")),
    passed=True,
    explanation="",  # the threshold line says it all (as drafted from the charter)
)

ATTENDANCE = Attendance(
    total=17,
    official=15,
    probationary=2,
    exempt=1,
    temporarily_out=1,
    temporary_in=1,
    present_official=11,
    present_probationary=2,
    present_temporary=1,
    present_exempt=0,
    absent_with_reason=(Absence("Phạm Văn Long", "đi công tác tại Đà Nẵng, đã báo cáo chi ủy"),),
    absent_without_reason=("Cao Văn Thắng",),
    rate_present=13,
    rate_base=15,
    vote_base=N,
    vote_base_policy="exclude_approved_absentees",
    vote_base_policy_label=(
        "trừ đảng viên vắng mặt có lý do được chấp thuận (Quy định 24-QĐ/TW, 9.3.2)"
    ),
    chair=CHAIR,
    recorder=RECORDER,
    guests=(
        Guest(
            "Nguyễn Văn Thành",
            "Đảng ủy viên",
            "Đảng ủy phường Hoàng Liệt (cấp ủy cấp trên theo dõi chi bộ)",
        ),
    ),
    documents=(
        "Báo cáo kết quả thực hiện nhiệm vụ tháng 10 và phương hướng nhiệm vụ tháng 11/2026 "
        "của Chi ủy (đăng trên Sổ tay đảng viên điện tử ngày 02/11/2026)",
        "Hướng dẫn số 12-HD/ĐU ngày 20/10/2026 của Đảng ủy phường về tổ chức sinh hoạt chi bộ "
        "chuyên đề năm 2027",
        "Hồ sơ đề nghị kết nạp quần chúng Lê Thị Mai; hồ sơ đề nghị công nhận đảng viên chính "
        "thức của đồng chí Đỗ Quang Huy",
    ),
)


def _speeches(*pairs: tuple[str, str]) -> tuple[Speech, ...]:
    return tuple(Speech(speaker, opinion) for speaker, opinion in pairs)


OPENING = AgendaItem(
    title="Phần mở đầu",
    presenter=CHAIR.name,
    summary=(
        "Đồng chí Nguyễn Thị Hằng, Bí thư chi bộ, tuyên bố lý do, giới thiệu đại biểu Đảng ủy "
        "phường dự sinh hoạt; cử đồng chí Trần Văn Đức làm thư ký; thông báo tình hình đảng viên "
        "dự sinh hoạt: có mặt 14 đồng chí (chính thức 11, dự bị 2, sinh hoạt tạm thời 1), vắng "
        "2 đồng chí; đủ điều kiện tiến hành sinh hoạt.",
        "Chi bộ biểu quyết thông qua chương trình sinh hoạt gồm 6 nội dung.",
    ),
    votes=(AGENDA_VOTE,),
)

CURRENT_AFFAIRS = AgendaItem(
    title="Thông tin thời sự, quán triệt văn bản cấp trên",
    presenter=DEPUTY,
    summary=(
        "Đồng chí Lê Minh Tuấn, Phó Bí thư chi bộ, thông tin tình hình kinh tế – xã hội của "
        "thành phố và phường trong tháng 10/2026; quán triệt Hướng dẫn số 12-HD/ĐU của Đảng ủy "
        "phường về tổ chức sinh hoạt chi bộ chuyên đề năm 2027 và Kế hoạch của Ủy ban nhân dân "
        "phường về ra quân tổng vệ sinh môi trường, phòng cháy chữa cháy mùa hanh khô.",
    ),
)

REVIEW_AND_PLAN = AgendaItem(
    title="Đánh giá kết quả thực hiện nhiệm vụ tháng 10 và phương hướng nhiệm vụ tháng 11/2026",
    presenter=CHAIR.name,
    summary=(
        "Ưu điểm: chi bộ duy trì sinh hoạt đúng kỳ, tỷ lệ đảng viên dự sinh hoạt tháng 10 đạt "
        "92,86%; 100% đảng viên hoàn thành đóng đảng phí đúng hạn; phối hợp với Ban công tác "
        "Mặt trận vận động 212/230 hộ tham gia tổng vệ sinh; hướng dẫn 38 người cao tuổi kích "
        "hoạt tài khoản định danh điện tử mức 2.",
        "Hạn chế: việc phân loại rác tại nguồn ở ngõ 45 chưa duy trì thường xuyên; còn 3 hộ "
        "kinh doanh chưa ký cam kết an toàn phòng cháy chữa cháy; một số đảng viên chưa cập "
        "nhật tài liệu trên Sổ tay đảng viên điện tử trước buổi sinh hoạt.",
        "Phương hướng tháng 11: tổ chức Ngày hội Đại đoàn kết toàn dân tộc ngày 15/11; hoàn "
        "thành kiểm tra an toàn điện, phòng cháy chữa cháy tại các hộ kinh doanh; thu Quỹ Vì "
        "người nghèo; chuẩn bị nội dung sinh hoạt chuyên đề quý IV.",
    ),
    speeches=_speeches(
        (
            "Phạm Thị Lan",
            "Nhất trí với báo cáo. Đề nghị bổ sung kết quả vận động 15 hộ lắp bình chữa cháy "
            "mini; đề nghị chi bộ giao cụ thể việc đôn đốc 3 hộ kinh doanh chưa ký cam kết.",
        ),
        (
            "Hoàng Văn Nam",
            "Tình trạng đỗ xe trên vỉa hè đầu ngõ 45 vào buổi tối gây mất an toàn; đề nghị phối "
            "hợp với Công an phường nhắc nhở, đồng thời vận động các hộ sắp xếp lại chỗ để xe.",
        ),
        (
            "Vũ Thị Thu Hà",
            "Phân loại rác tại nguồn chưa đều vì thùng rác hữu cơ ở điểm tập kết đã hỏng; đề "
            "nghị tổ dân phố đề xuất phường bổ sung 2 thùng và in lại tờ hướng dẫn.",
        ),
        (
            "Đặng Quốc Bảo",
            "Việc hướng dẫn người cao tuổi dùng dịch vụ công trực tuyến có hiệu quả; đề nghị duy "
            "trì buổi hỗ trợ vào sáng Chủ nhật tại nhà văn hóa, phân công đoàn viên thanh niên "
            "cùng tham gia.",
        ),
        (
            "Bùi Thị Ngọc Anh",
            "Báo cáo cần nêu rõ nguyên nhân chủ quan của hạn chế; một số đảng viên chưa gương "
            "mẫu phân loại rác thì khó vận động nhân dân.",
        ),
        (
            "Phan Văn Hùng",
            "Đề nghị bổ sung chỉ tiêu vận động Quỹ Vì người nghèo năm nay ít nhất bằng năm trước "
            "(18,5 triệu đồng); chi bộ nên công khai kết quả trên bảng tin tổ dân phố.",
        ),
        (
            "Trịnh Thị Hồng",
            "Ban công tác Mặt trận đã lên chương trình Ngày hội Đại đoàn kết; đề nghị mỗi đảng "
            "viên vận động ít nhất 3 hộ liền kề tham dự.",
        ),
        (
            "Lý Văn Khoa",
            "Trong tháng có 2 vụ mất trộm xe đạp điện; đề nghị lắp thêm camera tại ngõ 45 và "
            "ngõ 47 bằng nguồn xã hội hóa, giao tổ an ninh cơ sở khảo sát.",
        ),
        (
            "Dương Thị Mai Hương",
            "Đề nghị chi ủy gửi tài liệu sinh hoạt sớm hơn ít nhất 3 ngày để đảng viên lớn tuổi "
            "có thời gian nghiên cứu; có thể in bản giấy cho đảng viên không dùng điện thoại "
            "thông minh.",
        ),
        (
            "Ngô Thị Phương",
            "Là đảng viên dự bị, tôi xin nhận nhiệm vụ hỗ trợ in tài liệu và nhắc lịch sinh "
            "hoạt qua nhóm Zalo của chi bộ.",
        ),
        (
            "Mai Xuân Trường",
            "Đảng viên sinh hoạt tạm thời: ở chi bộ nơi cư trú cũ đã làm tốt mô hình “Tuyến phố "
            "văn minh”, có thể tham khảo cách tổ chức tổ tự quản theo từng dãy nhà.",
        ),
        (
            "Lê Minh Tuấn",
            "Tiếp thu các ý kiến; chi ủy sẽ chỉnh sửa báo cáo, bổ sung nguyên nhân chủ quan và "
            "các chỉ tiêu cụ thể; đề nghị chi bộ tập trung vào ba việc chính trong tháng 11.",
        ),
        (
            "Phạm Thị Lan",
            "Đề nghị gắn việc kiểm tra phòng cháy chữa cháy với việc rà soát hệ thống điện ở "
            "khu nhà tập thể C4, nơi dây điện đã xuống cấp.",
        ),
        (
            "Hoàng Văn Nam",
            "Nhất trí ba nhiệm vụ trọng tâm; xin nhận phụ trách vận động các hộ kinh doanh ký "
            "cam kết an toàn phòng cháy chữa cháy.",
        ),
        (
            "Trần Văn Đức",
            "Với tư cách chi ủy viên phụ trách tuyên truyền: sẽ cập nhật bảng tin và trang của "
            "tổ dân phố trên mạng xã hội về lịch Ngày hội Đại đoàn kết.",
        ),
        (
            "Đặng Quốc Bảo",
            "Đề nghị đưa nội dung chuyển đổi số vào chuyên đề quý IV, lấy chủ đề “Đảng viên "
            "gương mẫu sử dụng dịch vụ công trực tuyến”.",
        ),
        (
            "Vũ Thị Thu Hà",
            "Nhất trí với đề xuất của đồng chí Bảo; xin nhận chuẩn bị tài liệu tham khảo cho "
            "chuyên đề.",
        ),
        (
            "Nguyễn Văn Thành",
            "Đại biểu Đảng ủy phường: ghi nhận chi bộ chuẩn bị chu đáo, nhiều ý kiến thẳng thắn. "
            "Đề nghị chi bộ chú ý đảng viên vắng mặt không lý do cần được nhắc nhở, kiểm điểm "
            "theo quy định.",
        ),
    ),
)

ADMISSION = AgendaItem(
    title="Xét đề nghị kết nạp quần chúng Lê Thị Mai vào Đảng",
    presenter="Bùi Thị Ngọc Anh",
    summary=(
        "Đồng chí Bùi Thị Ngọc Anh, đảng viên được phân công giúp đỡ, báo cáo quá trình phấn "
        "đấu của quần chúng Lê Thị Mai, sinh năm 1994, giáo viên Trường Tiểu học Hoàng Liệt, "
        "Phó Bí thư Chi đoàn tổ dân phố; đã học lớp bồi dưỡng nhận thức về Đảng (giấy chứng "
        "nhận số 215/GCN ngày 12/6/2026); nhận xét của chi ủy nơi làm việc và đoàn thể đều tốt.",
    ),
    speeches=_speeches(
        (
            "Bùi Thị Ngọc Anh",
            "Quần chúng Lê Thị Mai có lập trường tư tưởng vững vàng, tích cực trong phong trào "
            "của tổ dân phố, được nhân dân tín nhiệm; tôi đề nghị chi bộ xem xét kết nạp.",
        ),
        (
            "Trịnh Thị Hồng",
            "Đồng chí Mai nhiệt tình trong các hoạt động hè cho thiếu nhi; tôi nhất trí đề nghị "
            "kết nạp.",
        ),
        (
            "Lý Văn Khoa",
            "Nhất trí về phẩm chất; đề nghị quần chúng tiếp tục chú ý rèn luyện kỹ năng nói trước "
            "đông người khi tham gia công tác vận động.",
        ),
        (
            "Phan Văn Hùng",
            "Đề nghị chi bộ làm rõ việc gia đình quần chúng còn nợ đóng góp quỹ khuyến học năm "
            "2025; sau khi nghe giải trình đã nộp đủ, tôi không có ý kiến thêm.",
        ),
        (
            "Dương Thị Mai Hương",
            "Tôi nhất trí đề nghị kết nạp, đề nghị đồng chí Ngọc Anh tiếp tục giúp đỡ trong thời "
            "gian dự bị.",
        ),
    ),
    votes=(ADMISSION_VOTE,),
)

RECOGNITION = AgendaItem(
    title="Xét đề nghị công nhận đảng viên chính thức cho đồng chí Đỗ Quang Huy",
    presenter=DEPUTY,
    summary=(
        "Đồng chí Đỗ Quang Huy hết thời gian dự bị ngày 28/10/2026; đồng chí trình bày bản tự "
        "kiểm điểm; đồng chí Lê Minh Tuấn, đảng viên được phân công giúp đỡ, đọc bản nhận xét; "
        "ý kiến nhận xét của Ban công tác Mặt trận và Chi đoàn nơi cư trú đều đánh giá tốt.",
    ),
    speeches=_speeches(
        (
            "Đỗ Quang Huy",
            "Trong thời gian dự bị, tôi hoàn thành các nhiệm vụ được giao, tham gia đầy đủ 12/12 "
            "buổi sinh hoạt; hạn chế là đôi lúc chưa mạnh dạn phát biểu; tôi xin hứa khắc phục.",
        ),
        (
            "Hoàng Văn Nam",
            "Đồng chí Huy tích cực trong tổ an ninh cơ sở, đi tuần đầy đủ; nhất trí đề nghị công "
            "nhận đảng viên chính thức.",
        ),
        (
            "Vũ Thị Thu Hà",
            "Nhất trí; đề nghị đồng chí Huy phát huy vai trò trong việc hỗ trợ chuyển đổi số cho "
            "người cao tuổi.",
        ),
    ),
    votes=(RECOGNITION_VOTE,),
)

SCHEDULE = AgendaItem(
    title="Đề xuất chuyển ngày sinh hoạt chi bộ thường kỳ",
    presenter="Đặng Quốc Bảo",
    summary=(
        "Đồng chí Đặng Quốc Bảo đề xuất chuyển ngày sinh hoạt chi bộ thường kỳ từ tối ngày 05 "
        "hằng tháng sang tối thứ Sáu tuần đầu tiên của tháng để đảng viên còn đi làm thuận tiện "
        "tham dự.",
    ),
    speeches=_speeches(
        (
            "Đặng Quốc Bảo",
            "Nhiều đảng viên trẻ đi làm ca, tối ngày 05 trùng ngày làm việc nên khó thu xếp; thứ "
            "Sáu thuận tiện hơn.",
        ),
        (
            "Phạm Thị Lan",
            "Tôi không nhất trí vì Đảng ủy phường hướng dẫn thống nhất lịch sinh hoạt ngày 05 "
            "hằng tháng để cấp trên dự và theo dõi.",
        ),
        (
            "Lý Văn Khoa",
            "Nhất trí với đồng chí Lan, nên giữ lịch cũ và linh hoạt dời giờ bắt đầu sang 19 giờ "
            "45 phút.",
        ),
        (
            "Đặng Quốc Bảo",
            "Tôi chấp hành kết quả biểu quyết và xin được bảo lưu ý kiến để chi ủy báo cáo Đảng "
            "ủy phường xem xét.",
        ),
    ),
    reserved_opinions=(
        ReservedOpinion(
            "Đặng Quốc Bảo",
            "Đề nghị chuyển ngày sinh hoạt thường kỳ sang tối thứ Sáu tuần đầu tiên của tháng; "
            "đề nghị chi ủy báo cáo Đảng ủy phường.",
        ),
    ),
    votes=(SCHEDULE_VOTE,),
)

CONCLUSION = Conclusion(
    paragraphs=(
        "Đồng chí chủ trì kết luận: chi bộ nhất trí với báo cáo kết quả tháng 10 đã được bổ "
        "sung theo ý kiến thảo luận; tháng 11/2026 tập trung ba nhiệm vụ trọng tâm: tổ chức "
        "thành công Ngày hội Đại đoàn kết toàn dân tộc; hoàn thành kiểm tra an toàn phòng cháy "
        "chữa cháy tại 100% hộ kinh doanh và khu nhà tập thể C4; vận động Quỹ Vì người nghèo "
        "không thấp hơn năm 2025.",
        "Chi bộ thống nhất đề nghị Đảng ủy phường xem xét kết nạp quần chúng Lê Thị Mai và công "
        "nhận đảng viên chính thức cho đồng chí Đỗ Quang Huy; giữ nguyên lịch sinh hoạt thường "
        "kỳ tối ngày 05 hằng tháng, báo cáo ý kiến bảo lưu của đồng chí Đặng Quốc Bảo lên Đảng "
        "ủy phường.",
        "Đồng chí Cao Văn Thắng vắng mặt không có lý do: giao đồng chí Phó Bí thư gặp, nhắc nhở "
        "và báo cáo chi bộ tại kỳ sinh hoạt tới.",
    ),
    assignments=(
        Assignment(
            "Hoàng Văn Nam",
            "Vận động 3 hộ kinh doanh còn lại ký cam kết an toàn phòng cháy chữa cháy",
            datetime.date(2026, 11, 20),
        ),
        Assignment(
            "Trịnh Thị Hồng",
            "Phối hợp Ban công tác Mặt trận tổ chức Ngày hội Đại đoàn kết toàn dân tộc",
            datetime.date(2026, 11, 15),
        ),
        Assignment(
            "Lý Văn Khoa",
            "Khảo sát, lập dự toán lắp camera an ninh ngõ 45, ngõ 47",
            datetime.date(2026, 11, 30),
        ),
        Assignment(
            "Lê Minh Tuấn",
            "Hoàn thiện hồ sơ kết nạp, công nhận đảng viên chính thức trình Đảng ủy phường; gặp "
            "nhắc nhở đồng chí Cao Văn Thắng",
            datetime.date(2026, 11, 12),
        ),
        Assignment(
            "Vũ Thị Thu Hà",
            "Chuẩn bị tài liệu sinh hoạt chuyên đề quý IV về chuyển đổi số",
            datetime.date(2026, 11, 28),
        ),
        Assignment("Ngô Thị Phương", "In tài liệu, nhắc lịch sinh hoạt cho đảng viên lớn tuổi"),
    ),
    vote=CONCLUSION_VOTE,
)

QUALITY = QualityAssessment(
    grade="Khá",
    score=88,
    notes=(
        "Chuẩn bị nội dung chu đáo, nhiều đảng viên phát biểu (30 lượt), thời lượng 125 phút, "
        "biên bản ghi đầy đủ.",
        "Trừ điểm tiêu chí dự sinh hoạt: 1 đảng viên vắng mặt không có lý do (Hướng dẫn "
        "12-HD/BTCTW, mục II.3).",
    ),
)


def sample_minutes() -> MinutesDocument:
    """The November 2026 regular meeting of Chi bộ Tổ dân phố số 7 (30 speeches, 5 votes)."""
    return MinutesDocument(
        header=HEADER,
        kind=MinutesKind.REGULAR,
        title=minutes_title(MinutesKind.REGULAR, MEETING_DATE),
        setting=Setting(
            started_at=STARTED_AT,
            place="Nhà văn hóa Tổ dân phố số 7, ngõ 45 phố Linh Đường, phường Hoàng Liệt",
            mode=MeetingMode.HYBRID,
            online_approval=(
                "Công văn số 85-CV/ĐU ngày 15/9/2026 của Đảng ủy phường Hoàng Liệt cho phép chi "
                "bộ sinh hoạt kết hợp trực tiếp và trực tuyến"
            ),
            content_summary=(
                "Đánh giá kết quả thực hiện nhiệm vụ tháng 10, phương hướng nhiệm vụ tháng "
                "11/2026; xét đề nghị kết nạp đảng viên mới; xét công nhận đảng viên chính "
                "thức; đề xuất chuyển ngày sinh hoạt chi bộ."
            ),
        ),
        attendance=ATTENDANCE,
        items=(OPENING, CURRENT_AFFAIRS, REVIEW_AND_PLAN, ADMISSION, RECOGNITION, SCHEDULE),
        conclusion=CONCLUSION,
        quality=QUALITY,
        closing=Closing(ended_at=ENDED_AT, minimum_minutes=90, read_back=ReadBack(yes=11, of=11)),
        integrity=_integrity("minutes"),
    )


def sample_extract() -> ExtractDocument:
    """The admission item of the sample meeting, as an extract for the admission dossier."""
    return ExtractDocument(
        header=HEADER,
        meeting_date=MEETING_DATE,
        subject="đề nghị kết nạp quần chúng Lê Thị Mai vào Đảng",
        attendance=ATTENDANCE,
        item=ADMISSION,
        secretary=CHAIR,
        integrity=_integrity("extract"),
    )


def sample_resolution() -> ResolutionDocument:
    """The resolution adopted at the sample meeting."""
    return ResolutionDocument(
        header=DocumentHeader(
            superior_name=HEADER.superior_name,
            cell_name=HEADER.cell_name,
            place_name=HEADER.place_name,
            date=MEETING_DATE,
            number="11-NQ/CB",
        ),
        subtitle="Sinh hoạt chi bộ tháng 11 năm 2026",
        grounds=(
            "Căn cứ Điều lệ Đảng Cộng sản Việt Nam;",
            "Căn cứ Hướng dẫn số 12-HD/ĐU ngày 20/10/2026 của Đảng ủy phường Hoàng Liệt;",
            "Căn cứ biên bản sinh hoạt chi bộ ngày 05/11/2026,",
        ),
        meeting_date=MEETING_DATE,
        cell_name="Chi bộ Tổ dân phố số 7",
        present=13,
        total=15,
        vote_base=N,
        resolutions=(
            "Tổ chức thành công Ngày hội Đại đoàn kết toàn dân tộc ngày 15/11/2026.",
            "Hoàn thành kiểm tra an toàn phòng cháy chữa cháy tại 100% hộ kinh doanh và khu nhà "
            "tập thể C4 trước ngày 20/11/2026.",
            "Vận động Quỹ Vì người nghèo năm 2026 không thấp hơn năm 2025 (18,5 triệu đồng).",
            "Đề nghị Đảng ủy phường xem xét kết nạp quần chúng Lê Thị Mai vào Đảng và công nhận "
            "đảng viên chính thức cho đồng chí Đỗ Quang Huy.",
            "Giữ nguyên lịch sinh hoạt chi bộ thường kỳ vào tối ngày 05 hằng tháng.",
        ),
        adoption=CONCLUSION_VOTE,
        recipients=(
            "Đảng ủy phường Hoàng Liệt (để b/c),",
            "Đảng viên trong chi bộ,",
            "Lưu chi bộ.",
        ),
        secretary=CHAIR,
        integrity=_integrity("resolution"),
    )

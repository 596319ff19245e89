"""The tenant's fixed vocabulary: folders, bins and statuses, lists, and the names records draw from.

Ids follow the tenant conventions seen in real payloads: `D…` for iCIMS default list nodes and `C…`
for nodes the customer created. They are this sandbox's own; every real tenant has different ones.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from integrations.icims.bins_statuses import BINS_LIST_ID


@dataclass(frozen=True)
class ListNode:
    id: str
    value: str

    def as_json(self) -> dict:
        return {"id": self.id, "value": self.value, "formattedvalue": self.value}


@dataclass(frozen=True)
class Status:
    id: str
    value: str
    bin: ListNode

    def as_json(self) -> dict:
        return {"id": self.id, "value": self.value, "formattedvalue": self.value}


CANDIDATE_FOLDERS = (
    ListNode("D32005", "Cand:Active"),
    ListNode("D32006", "Cand:Unreviewed"),
    ListNode("D32007", "Cand:Inactive"),
)
USER_FOLDERS = (
    ListNode("D32011", "HM:Active"),
    ListNode("D32012", "HM:Inactive"),
    ListNode("D32013", "Emp:Current Employee"),  # the id recorded in G1's tenant notes (icims-api.md section 15)
)
PERSON_FOLDERS = CANDIDATE_FOLDERS + USER_FOLDERS

JOB_FOLDERS = (
    ListNode("D31001", "Approved"),
    ListNode("D31002", "Open"),
    ListNode("D31003", "On Hold"),
    ListNode("D31004", "Closed (Filled)"),
    ListNode("D31005", "Draft"),
    ListNode("D31099", "Deleted"),
)
JOB_FOLDER_DELETED = JOB_FOLDERS[-1]
# Custom job fields this tenant has (a field map points the portal at them): coordinator, sourcer, cost centre.
JOB_CUSTOM_FIELDS = ("rcf3047", "rcf3048", "field23848")

_BINS_AND_STATUSES = (
    ("D10010", "Incomplete", (("D10105", "Incomplete Application"),)),
    (
        "D10020",
        "New Submissions",
        (
            ("D10100", "New Submissions - External Portal"),
            ("D10101", "New Submissions - Internal Portal"),
            ("D10102", "Recently Applied"),
        ),
    ),
    (
        "C51200",
        "Reviewed by Recruiter",
        (
            ("C51210", "Recruiter Reviewed"),
            ("C51211", "Recruiter Phone Screen"),
        ),
    ),
    (
        "C51201",
        "Hiring Manager Review",
        (
            ("C51212", "Sent to Hiring Manager"),
            ("C51213", "Hiring Manager Approved"),
        ),
    ),
    (
        "C51202",
        "Interview",
        (
            ("C51218", "First Interview - Schedule"),
            ("C51219", "First Interview - Scheduled"),
            ("C51220", "Second Interview - Schedule"),
            ("C51221", "Second Interview - Scheduled"),
            ("C51222", "Panel Interview – Schedule"),  # noqa: RUF001 - tenants type en dashes
            ("C51223", "Final Interview - Completed"),
        ),
    ),
    (
        "C2020",
        "Offer",
        (
            ("C2028", "Offer - Pending Approval"),
            ("C38354", "Offer - Extended"),
            ("C38356", "Offer - Accepted"),
        ),
    ),
    ("D10040", "Hired", (("D10400", "Hired"),)),
    (
        "D10050",
        "Rejected",
        (
            ("D10500", "Rejected - Not Qualified"),
            ("D10501", "Rejected - Position Filled"),
            ("D10502", "Candidate Withdrew"),
        ),
    ),
)
STATUSES = tuple(
    Status(status_id, status_name, ListNode(bin_id, bin_name))
    for bin_id, bin_name, statuses in _BINS_AND_STATUSES
    for status_id, status_name in statuses
)
STATUS_BY_ID = {status.id: status for status in STATUSES}

PHONE_TYPES = (ListNode("D83001", "Home"), ListNode("D83002", "Mobile"), ListNode("D83003", "Work"))
ADDRESS_TYPES = (ListNode("D84002", "Home"), ListNode("D84001", "Work"))
# (city, zip, state id, state, state abbrev, country id, country, country abbrev)
PLACES = (
    ("New York", "10001", "D41001035", "New York", "NY", "D41001", "United States", "US"),
    ("Chicago", "60661", "D41001014", "Illinois", "IL", "D41001", "United States", "US"),
    ("San José", "95113", "D41001005", "California", "CA", "D41001", "United States", "US"),
    ("Kraków", "31-000", "D41172006", "Małopolskie", "MA", "D41172", "Poland", "PL"),
    ("München", "80331", "D41082002", "Bayern", "BY", "D41082", "Germany", "DE"),
    ("Montréal", "H2Y 1C6", "D41038011", "Québec", "QC", "D41038", "Canada", "CA"),
    ("上海", "200000", "D41044025", "Shanghai", "SH", "D41044", "China", "CN"),
)
# One street per place above, in the same order.
STREETS = (
    "1 Penn Plaza",
    "540 W. Madison Street",
    "1 Market Plaza",
    "ul. Floriańska 12",
    "Große Straße 5",
    "88 Rue Sainte-Catherine",
    "南京东路 100号",
)
# (location id, company id, description)
JOB_LOCATIONS = (
    (5, 6, "Chicago - 540 W. Madison Street, Chicago, IL 60661"),
    (7, 6, "New York - 1 Penn Plaza, New York, NY 10001"),
    (11, 9, "Kraków - ul. Floriańska 12, 31-000 Kraków"),
    (12, 9, "Remote"),
)

FIRST_NAMES = (
    "José",
    "Zoë",
    "Łukasz",
    "王芳",
    "Jane",
    "John",
    "Amélie",
    "Søren",
    "Chloé",
    "Björn",
    "Renée",
    "Mohammed",
    "Aoife",
    "Nguyễn",
    "Priya",
    "Maria",
    "Ольга",
    "Kwame",
    "Yuki",
    "Siobhán",
    "Ana",
    "David",
    "Fatima",
    "Liam",
)
LAST_NAMES = (
    "García",
    "Müller",
    "Kowalczyk",
    "Nørgaard",
    "O'Brien",
    "Smith",
    "Doe",
    "Dubois",
    "Østergaard",
    "Brontë",
    "Иванова",
    "Zhang",
    "Nakamura",
    "Okafor",
    "Ní Bhriain",
    "Patel",
    "Santos",
    "Ångström",
    "Łęcka",
    "Jones",
)
MIDDLE_NAMES = ("Anne", "Marie", "J.", "Ólafur", "Lee")
JOB_TITLES = (
    "Senior Software Engineer",
    "Staff Data Scientist",
    "Recruiting Coordinator",
    "Account Executive",
    "Product Designer",
    "Customer Success Manager",
    "Site Reliability Engineer",
    "Financial Analyst",
    "Ingénieur Qualité",
    "Registered Nurse",
    "Warehouse Associate – Night Shift",  # noqa: RUF001
    "Head of People",
)
SOURCES = (
    ("Other (Please Specify)", "Applicant from previous year"),
    ("Job Board", "LinkedIn"),
    ("Job Board", "Indeed"),
    ("Referral", "Employee Referral"),
    ("Career Site", "iCIMS Career Portal"),
)

FEEDBACK_FORMS = (
    {"id": "form-1", "name": "Technical Interview Scorecard"},
    {"id": "form-2", "name": "Culture Add Interview"},
    {"id": "form-3", "name": "Hiring Manager Debrief"},
)

LISTS: dict[str, tuple[ListNode, ...]] = {
    "lists.person.folders": PERSON_FOLDERS,
    "lists.job.folders": JOB_FOLDERS,
    "lists.phone_type": PHONE_TYPES,
    "lists.sources": tuple(ListNode(f"C9{index:03d}", source) for index, (source, _) in enumerate(SOURCES)),
    "lists.sourcechannels": (ListNode("D9101", "Online"), ListNode("D9102", "Offline")),
    "lists.notes.rejection": (ListNode("D9201", "Not qualified"), ListNode("D9202", "Position filled")),
    "lists.customfields_lists": (),
    # Assumed (integrations/icims/bins_statuses.py): the bins, each bin's statuses one level down.
    BINS_LIST_ID: tuple(ListNode(bin_id, bin_name) for bin_id, bin_name, _ in _BINS_AND_STATUSES),
}
LIST_CHILDREN: dict[tuple[str, str], tuple[ListNode, ...]] = {
    (BINS_LIST_ID, bin_id): tuple(ListNode(status_id, name) for status_id, name in statuses)
    for bin_id, _, statuses in _BINS_AND_STATUSES
}


def bins_and_statuses_csv() -> str:
    """The export a customer's iCIMS resource would send: one row per status, with its bin and id."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Bin", "Status", "Status ID"])
    for status in STATUSES:
        writer.writerow([status.bin.value, status.value, status.id])
    return out.getvalue()

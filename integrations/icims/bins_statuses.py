"""A tenant's Recruiting Workflow bins and statuses from the List API: an ASSUMED list id, one adapter.

The List API (`GET /customers/{cid}/v2/lists` and `/v2/lists/{listId}`, icims-api.md section 5)
returns one level of nodes at a time, `{"nodes": [{"id", "value", "_links"}]}`, and a node's
children are read at `/v2/lists/{listId}/{nodeId}`. No public source names the list that holds
the bins and statuses (section 13, unknown 7): this portal assumes `BINS_LIST_ID`, with the bins
as its nodes and each bin's statuses one level down (a status node's id is the status id).
A tenant whose `/v2/lists` does not name that list is told so, and imports the export file instead.
Confirm the list id and node shape with iCIMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import IcimsError

if TYPE_CHECKING:
    from .client import IcimsClient

BINS_LIST_ID = "lists.applicantworkflow.statuses"


class BinsListUnavailable(IcimsError):
    """The tenant's List API does not offer the bins and statuses list."""


@dataclass(frozen=True)
class ListedStatus:
    bin: str
    status: str
    status_id: str


def bins_and_statuses(client: IcimsClient) -> list[ListedStatus]:
    """Every status of every bin, in the List API's order. One call for the lists, one for the bins,
    one per bin. Raises BinsListUnavailable when the tenant does not list them."""
    if BINS_LIST_ID not in client.get_lists():
        raise BinsListUnavailable(
            f"this tenant's List API does not offer the bins and statuses list ({BINS_LIST_ID}); "
            "import the bins & statuses export file instead."
        )
    listed = []
    for bin_node in client.get_list_nodes(BINS_LIST_ID):
        for status_node in client.get_list_nodes(f"{BINS_LIST_ID}/{bin_node['id']}"):
            listed.append(
                ListedStatus(
                    bin=str(bin_node.get("value", "")),
                    status=str(status_node.get("value", "")),
                    status_id=str(status_node.get("id", "")),
                )
            )
    return listed

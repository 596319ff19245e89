"""One method per iCIMS endpoint the portal uses (icims-api.md sections 2-7).

Every method goes through IcimsTransport.request, so budgets, retries and typed errors apply
to all of them. Interview and feedback calls live in interviews.py: their shapes are assumed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .config import IcimsConfig
from .data_stream import stream_events_url
from .transport import IcimsTransport

SEARCH_PAGE_SIZE = 1000
LIST_PAGE_SIZE = 1000
MAX_PAGES = 100_000  # a cap, so a server that never stops paging cannot keep a worker forever
_FIELD_WARNING = re.compile(r"(?:^|,)\s*4:([A-Za-z0-9_.]+):")


@dataclass(frozen=True)
class Resume:
    content: bytes
    content_type: str


class IcimsClient:
    def __init__(self, *, config: IcimsConfig, transport: IcimsTransport) -> None:
        self.config = config
        self.transport = transport

    def _url(self, path: str) -> str:
        return f"{self.config.customer_url}/{path.lstrip('/')}"

    def _get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return self.transport.request("GET", url, params=params).json()

    # -- health --------------------------------------------------------------------------------
    def get_customer(self) -> dict:
        """`GET /customers/{customerId}`: the cheapest call that proves the credentials reach the tenant."""
        return self._get_json(self.config.customer_url)

    # -- search --------------------------------------------------------------------------------
    def search(
        self,
        entity: str,
        filters: Iterable[dict],
        *,
        operator: str = "&",
        staleness: int = 0,
        after_id: int | None = None,
    ) -> Iterator[int]:
        """`POST /customers/{cid}/search/{entity}?staleness=N`: the matching ids, ascending.

        iCIMS returns at most 1,000 ids a call, sorted by id; the next page adds the filter
        `<entity singular>.id > last id`. Each page is one call. `after_id` starts after that id.
        """
        filters = list(filters)
        last_id = after_id
        for _ in range(MAX_PAGES):
            ids = self.search_page(entity, filters, operator=operator, staleness=staleness, after_id=last_id)
            yield from ids
            if len(ids) < SEARCH_PAGE_SIZE:
                return
            last_id = ids[-1]

    def search_page(
        self,
        entity: str,
        filters: Iterable[dict],
        *,
        operator: str = "&",
        staleness: int = 0,
        after_id: int | None = None,
    ) -> list[int]:
        """One search call: up to 1,000 matching ids greater than `after_id`, ascending.

        Fewer than 1,000 means this was the last page. Callers that must retry or checkpoint between
        pages page with this instead of `search`.
        """
        page_filters = list(filters)
        if after_id is not None:
            id_filter_name = f"{entity.removesuffix('s') if entity != 'people' else 'person'}.id"
            page_filters.append({"name": id_filter_name, "value": [str(after_id)], "operator": ">"})
        response = self.transport.request(
            "POST",
            self._url(f"search/{entity}"),
            params={"staleness": staleness},
            json={"filters": page_filters, "operator": operator},
            idempotent=True,
        )
        return [int(result["id"]) for result in response.json().get("searchResults") or []]

    # -- profiles ------------------------------------------------------------------------------
    def get_profile(self, profile_type: str, system_id: int | str, *, fields: Iterable[str] = ()) -> dict:
        """`GET /customers/{cid}/{profileType}/{id}?fields=a,b`: absent fields are empty or hidden."""
        fields = list(fields)
        params = {"fields": ",".join(fields)} if fields else None
        return self._get_json(self._url(f"{profile_type}/{system_id}"), params)

    def profile_unknown_fields(self, profile_type: str, system_id: int | str, *, fields: Iterable[str]) -> list[str]:
        """`GET /customers/{cid}/{profileType}/{id}?fields=...`: the asked-for names iCIMS does not know.

        iCIMS answers the fields it knows and warns about each other one with `X-Warning:
        4:<fieldId>:<detail>` (icims-api.md section 11): "not valid or hidden". An absent field
        without a warning just has no value on this record.
        """
        fields = list(fields)
        response = self.transport.request(
            "GET", self._url(f"{profile_type}/{system_id}"), params={"fields": ",".join(fields)}
        )
        warned = {name.lower() for name in _FIELD_WARNING.findall(response.headers.get("X-Warning", ""))}
        return [name for name in fields if name.lower() in warned]

    def get_person(self, person_id: int | str, *, fields: Iterable[str] = ()) -> dict:
        """`GET /customers/{cid}/people/{id}`: candidates and users alike."""
        return self.get_profile("people", person_id, fields=fields)

    def get_job(self, job_id: int | str, *, fields: Iterable[str] = ()) -> dict:
        """`GET /customers/{cid}/jobs/{id}`."""
        return self.get_profile("jobs", job_id, fields=fields)

    def get_applicant_workflow(self, workflow_id: int | str, *, fields: Iterable[str] = ()) -> dict:
        """`GET /customers/{cid}/applicantworkflows/{id}`: a candidate's application and its status."""
        return self.get_profile("applicantworkflows", workflow_id, fields=fields)

    def update_applicant_workflow_status(self, workflow_id: int | str, *, status_id: str) -> None:
        """`PATCH /customers/{cid}/applicantworkflows/{id}` with `{"status": {"id": ...}}`: move a candidate."""
        self.transport.request(
            "PATCH", self._url(f"applicantworkflows/{workflow_id}"), json={"status": {"id": status_id}}
        )

    # -- resume --------------------------------------------------------------------------------
    def resume_url(self, person_id: int | str) -> str:
        """The iCIMS address of a person's resume (needs our credentials: serve it through `get_resume`)."""
        return self._url(f"people/{person_id}/fields/resume/binary")

    def get_resume(self, person_id: int | str) -> Resume | None:
        """`GET /customers/{cid}/people/{id}/fields/resume/binary`: the file, or None when there is none.

        iCIMS answers with the file's own content type; a JSON answer means "no resume".
        """
        response = self.transport.request("GET", self.resume_url(person_id), headers={"Accept": "*/*"})
        content_type = response.headers.get("Content-Type", "application/octet-stream")
        if response.status_code == 204 or content_type.split(";")[0].strip().endswith("json"):
            return None
        return Resume(content=response.content, content_type=content_type)

    # -- lists ---------------------------------------------------------------------------------
    def get_lists(self) -> list[str]:
        """`GET /customers/{cid}/v2/lists`: the ids of the lists the API user may read."""
        return list(self._get_json(self._url("v2/lists")).get("lists") or [])

    def get_list_nodes(self, list_id: str, *, size: int = LIST_PAGE_SIZE) -> Iterator[dict]:
        """`GET /customers/{cid}/v2/lists/{listId}?size=N`: one level of nodes, page by page.

        The node JSON is not documented (icims-api.md section 5): nodes are read from `nodes`, and
        the next page is the `_links.next.href` link when iCIMS gives one.
        """
        url: str | None = self._url(f"v2/lists/{list_id}")
        params: dict[str, Any] | None = {"size": size}
        for _ in range(MAX_PAGES):
            if url is None:
                return
            page = self._get_json(url, params)
            yield from page.get("nodes") or []
            url = ((page.get("_links") or {}).get("next") or {}).get("href")
            params = None  # the next link carries its own query

    # -- data stream ---------------------------------------------------------------------------
    def _stream_url(self, path: str = "") -> str:
        return f"{self.config.stream_url.rstrip('/')}/streams/{path}"

    def get_streams(self) -> list:
        """`GET {stream_url}/streams/`: the streams these credentials may read."""
        return _listed(self._get_json(self._stream_url()), key="streams")

    def get_stream_subscriptions(self, stream_id: str) -> list[dict]:
        """`GET {stream_url}/streams/{stream}/subscriptions`: `[{"subscriptionId": ...}, ...]`."""
        return _listed(self._get_json(self._stream_url(f"{stream_id}/subscriptions")), key="subscriptions")

    def get_stream_events(self, stream_ref: str, *, start_key: str | None = None) -> Iterator[dict]:
        """`GET {stream_url}/streams/{stream}/subscriptions/{subscription}/events`, all pages.

        `stream_ref` is the connection's configured StreamId; the address comes from the stream and
        subscription the connection test resolved it to (data_stream.py), never from a guess.
        Each page is `{"events": [...], "lastEvaluatedKey": ...}`; the next page repeats the call
        with `?exclusiveStartKey=<lastEvaluatedKey>` until the key is empty or no events come.
        To resume later, persist what `stream_event_pages` yields instead.
        """
        for events, _ in self.stream_event_pages(stream_ref, start_key=start_key):
            yield from events

    def stream_event_pages(
        self, stream_ref: str, *, start_key: str | None = None
    ) -> Iterator[tuple[list[dict], str | None]]:
        """Like get_stream_events, page by page: (events, the key that reads the next page).

        The key is None on the last page (iCIMS sends `""` there): there is nothing after it yet, so a
        caller resuming later keeps the last non-empty key it saw.
        """
        key = start_key
        for _ in range(MAX_PAGES):
            events, key = self.stream_events_page(stream_ref, start_key=key)
            yield events, key
            if not key or not events:
                return

    def stream_events_page(self, stream_ref: str, *, start_key: str | None = None) -> tuple[list[dict], str | None]:
        """One data stream call: the events after `start_key`, and the key of the next page (None: no more yet).

        Raises data_stream.StreamNotResolved, without a call, when the StreamId is not resolved.
        """
        url = stream_events_url(self.config, stream_ref)
        page = self._get_json(url, {"exclusiveStartKey": start_key} if start_key else None)
        return list(page.get("events") or []), page.get("lastEvaluatedKey") or None


def _listed(payload: Any, *, key: str) -> list:
    """The data stream's list answers, as a list.

    Their shape is not public (icims-api.md section 6): the one client seen reads a bare JSON
    array, which the sandbox serves; an object wrapping the array under `key` is read too.
    """
    if isinstance(payload, dict):
        payload = payload.get(key)
    return list(payload) if isinstance(payload, list) else []

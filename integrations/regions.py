"""Where each iCIMS region lives (icims-api.md sections 1.1 and 2).

Only the US hosts are confirmed. The EU REST host is documented; the EU/CA login hosts are
reported by third parties; no Canadian REST or data-stream host is known, so Canada falls back
to the US ones. Every host can be overridden per connection for iCIMS sandboxes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Region(models.TextChoices):
    US = "us", "United States"
    EU = "eu", "Europe"
    CA = "ca", "Canada"


@dataclass(frozen=True)
class RegionHosts:
    api_url: str
    token_url: str
    stream_url: str

    @property
    def audience(self) -> str:
        return f"{self.api_url}/v1/"


_DATA_STREAM_URL = "https://data-transfer-assembler.production.env.icims.tools/datastream/v2"

REGION_HOSTS: dict[str, RegionHosts] = {
    Region.US: RegionHosts("https://api.icims.com", "https://login.icims.com/oauth/token", _DATA_STREAM_URL),
    Region.EU: RegionHosts("https://api-eu.icims.com", "https://login.icims.eu/oauth/token", _DATA_STREAM_URL),
    Region.CA: RegionHosts("https://api.icims.com", "https://login.icims.ca/oauth/token", _DATA_STREAM_URL),
}

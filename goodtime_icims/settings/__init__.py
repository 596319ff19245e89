"""Settings, one module per concern, all read from the environment (see README)."""

from .alerts import *  # noqa: F403
from .api import *  # noqa: F403
from .base import *  # noqa: F403
from .celery import *  # noqa: F403
from .content_security import *  # noqa: F403
from .credential_links import *  # noqa: F403
from .icims import *  # noqa: F403
from .monitoring import *  # noqa: F403
from .platform_webhooks import *  # noqa: F403
from .retention import *  # noqa: F403
from .sign_in import *  # noqa: F403
from .sync import *  # noqa: F403
from .webhooks import *  # noqa: F403
from .writebacks import *  # noqa: F403

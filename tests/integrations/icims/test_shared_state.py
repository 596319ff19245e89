"""The one-machine shared state: a Django cache made atomic by a file lock."""

from __future__ import annotations

import uuid

from django.core.cache.backends.locmem import LocMemCache

from integrations.icims.shared_state import LockedCacheSharedState


def test_the_lock_files_folder_is_made_when_a_fresh_clone_has_none(tmp_path):
    lock_path = tmp_path / "var" / "icims-shared-state.lock"
    state = LockedCacheSharedState(LocMemCache(f"icims-test-{uuid.uuid4()}", {}), lock_path=lock_path)
    assert state.incr("calls", ttl=60) == 1
    assert lock_path.parent.is_dir()

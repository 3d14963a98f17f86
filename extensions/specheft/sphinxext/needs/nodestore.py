"""A reading worker's need nodes come back as one pickle, unpickled when first used.

sphinx-needs keeps a copy of every need's node (``env._needs_all_nodes``, for
``needextract`` and links derived from content). A parallel worker sends it back inside
its pickled environment, and the build's process unpickles it while merging: at N=1000
about 1.1 MB and most of the merge's time, after reading, with nothing else to do. A
check drops all of them right after (``checkbuilder._drop_need_nodes``: nothing reads
them there, unless content links are used).

So the worker sends its node store as one pickle (:func:`pack_worker_nodes`, before its
environment is pickled: a :class:`PackedNodes`, an empty dict holding the bytes), and the
build's process keeps those bytes (:func:`keep_packed_nodes`, after sphinx-needs merged
the worker's environment) in its store, now a :class:`LazyNodes`: a dict that unpickles
them into itself, in merge order, the first time anything looks at it or changes it.
A check that drops the store replaces it without ever unpickling the workers' nodes.
What a merge drops from the worker's store (the node of an id this process holds
already: sphinx-needs' ``merge_data``, specheft's ``take_worker_duplicates``) is noted
and left out when the bytes are unpickled, so the store holds, in the same order, what
the merges would have put there.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

from specheft.sphinxext.needs.data import NODES_STORE

_MISSING: Any = object()


class PackedNodes(dict[str, Any]):
    """A worker's node store as one pickle (``blob``): an empty dict to sphinx-needs'
    merge, which only drops entries from it (noted in ``dropped``) and adds it to the
    build's store (adding nothing: :func:`keep_packed_nodes` adds the bytes)."""

    def __init__(self, blob: bytes) -> None:
        super().__init__()
        self.blob = blob
        self.dropped: list[str] = []

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        self.dropped.append(key)
        return None if default is _MISSING else default


class LazyNodes(dict[str, Any]):
    """The build's node store with workers' packed nodes not unpickled yet (``pending``:
    bytes and dropped ids, in merge order): every look or change unpickles them first."""

    def __init__(self, store: dict[str, Any]) -> None:
        super().__init__(store)
        self.pending: list[tuple[bytes, list[str]]] = []

    def unpack(self) -> None:
        pending, self.pending = self.pending, []
        for blob, dropped in pending:
            nodes = pickle.loads(blob)
            for key in dropped:
                nodes.pop(key, None)
            dict.update(self, nodes)

    def __getitem__(self, key: str) -> Any:
        self.unpack()
        return dict.__getitem__(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self.unpack()
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        self.unpack()
        dict.__delitem__(self, key)

    def __contains__(self, key: object) -> bool:
        self.unpack()
        return dict.__contains__(self, key)

    def __iter__(self) -> Iterator[str]:
        self.unpack()
        return dict.__iter__(self)

    def __reversed__(self) -> Iterator[str]:
        self.unpack()
        return dict.__reversed__(self)

    def __len__(self) -> int:
        self.unpack()
        return dict.__len__(self)

    def __eq__(self, other: object) -> bool:
        self.unpack()
        if isinstance(other, LazyNodes):
            other.unpack()
        return dict.__eq__(self, other)

    def __repr__(self) -> str:
        self.unpack()
        return dict.__repr__(self)

    def __or__(self, other: Any) -> dict[str, Any]:  # type: ignore[override]
        self.unpack()
        merged: dict[str, Any] = dict(dict.items(self)) | other
        return merged

    def __ior__(self, other: Any) -> LazyNodes:  # type: ignore[override]
        self.update(other)
        return self

    def __reduce_ex__(self, protocol: Any) -> Any:  # pickled and copied as a plain dict
        self.unpack()
        return (dict, (dict(dict.items(self)),))

    def get(self, key: str, default: Any = None) -> Any:
        self.unpack()
        return dict.get(self, key, default)

    def keys(self) -> Any:
        self.unpack()
        return dict.keys(self)

    def values(self) -> Any:
        self.unpack()
        return dict.values(self)

    def items(self) -> Any:
        self.unpack()
        return dict.items(self)

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        self.unpack()
        return dict.pop(self, key) if default is _MISSING else dict.pop(self, key, default)

    def popitem(self) -> tuple[str, Any]:
        self.unpack()
        return dict.popitem(self)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.unpack()
        return dict.setdefault(self, key, default)

    def clear(self) -> None:
        self.pending = []
        dict.clear(self)

    def copy(self) -> dict[str, Any]:
        self.unpack()
        return dict(dict.items(self))

    def update(self, *args: Any, **kwargs: Any) -> None:
        if len(args) == 1 and isinstance(args[0], PackedNodes) and not args[0] and not kwargs:
            return  # a worker's packed store being merged: keep_packed_nodes adds it
        self.unpack()
        dict.update(self, *args, **kwargs)


def pack_worker_nodes(env: Any) -> None:
    """In a reading worker, before its environment is pickled: its node store as one
    pickle."""
    nodes = getattr(env, NODES_STORE, None)
    if type(nodes) is dict:
        setattr(env, NODES_STORE, PackedNodes(pickle.dumps(nodes, pickle.HIGHEST_PROTOCOL)))


def keep_packed_nodes(app: Any, env: Any, docnames: Any, other: Any) -> None:
    """``env-merge-info``, after sphinx-needs merged the worker's environment: its packed
    nodes join this process's store, to be unpickled when the store is first used."""
    packed = getattr(other, NODES_STORE, None)
    if not isinstance(packed, PackedNodes):
        return
    store = getattr(env, NODES_STORE, None)
    if not isinstance(store, LazyNodes):
        store = LazyNodes(store if isinstance(store, dict) else {})
        setattr(env, NODES_STORE, store)
    store.pending.append((packed.blob, list(packed.dropped)))

"""JSON as the atlas writes it: compact, UTF-8 as it is (no \\u escapes for umlauts or Arabic), keys in their order.

orjson writes the same text as `json.dumps(data, ensure_ascii=False, separators=(",", ":"))` five to ten times as
fast – the map data of every project, the API's pages and the downloads are written with it (docs/benchmarks.md).
Unlike the standard library, it writes NaN as null (valid JSON); numpy's numbers (a frame's values) are written as
the numbers they are."""

from __future__ import annotations

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY  # {1: …} as {"1": …}, as the standard library does


def dumps(data) -> str:
    """`data` as compact JSON text."""
    return orjson.dumps(data, option=_OPTIONS).decode("utf-8")

"""JSON as the atlas writes it: compact, UTF-8 as it is (no \\u escapes for umlauts or Arabic), keys in their order.

orjson writes the same text as `json.dumps(data, ensure_ascii=False, separators=(",", ":"))` five to ten times as
fast – the map data of every project, the API's pages and the downloads are written with it (docs/benchmarks.md).
Unlike the standard library, it writes NaN as null (valid JSON); numpy's numbers (a frame's values) are written as
the numbers they are."""

from __future__ import annotations

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY  # {1: …} as {"1": …}, as the standard library does
_TEXT_KEYS = orjson.OPT_SERIALIZE_NUMPY  # every key a str: the same text without the look at each key's type


def dumps(data) -> str:
    """`data` as compact JSON text."""
    return orjson.dumps(data, option=_OPTIONS).decode("utf-8")


def dumps_utf8(data, text_keys: bool = False) -> bytes:
    """`data` as compact JSON, encoded in UTF-8: for a body that is sent as it is (decoding it to text only to encode
    it again cost a tenth of a millisecond for a page of the API's features). `text_keys`: the caller's every key
    is a str (a key of another type then raises orjson's TypeError): orjson writes the same text without
    OPT_NON_STR_KEYS, whose look at each key was a third of writing a page of the API's features."""
    return orjson.dumps(data, option=_TEXT_KEYS if text_keys else _OPTIONS)

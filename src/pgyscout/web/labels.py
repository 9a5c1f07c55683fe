"""The dashboard's words come from the one label table: a page's own wording under
``web.<key>``, else the figure's shared name."""

from __future__ import annotations

from collections.abc import Callable

from pgyscout.labels import LABELS, Lang


def label_function(lang: Lang) -> Callable[..., str]:
    index = 0 if lang == "zh" else 1

    def t(key: str, **values: object) -> str:
        pair = LABELS.get(f"web.{key}") or LABELS[key]
        text = pair[index]
        return text.format(**values) if values else text

    return t

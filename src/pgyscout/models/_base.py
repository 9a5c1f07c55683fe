from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr
from typing_extensions import Self


class UpstreamModel(BaseModel):
    """A typed view of one upstream record.

    Attributes are snake_case; ``.raw`` is the upstream dict exactly as received, and fields
    this model does not name are kept (``model_extra``) under their upstream names.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def raw(self) -> dict[str, Any]:
        return self._raw

    @classmethod
    def from_raw(cls, data: dict[str, Any]) -> Self:
        model = cls.model_validate(data)
        model._raw = data
        return model

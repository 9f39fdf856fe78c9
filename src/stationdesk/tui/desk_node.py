"""What screens and dialogs ask of the app: the desk app itself and its language."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from stationdesk.tui.app import StationDeskApp


class DeskNode:
    """Mixed into Screen classes, whose ``app`` is always the StationDeskApp."""

    @property
    def desk_app(self) -> StationDeskApp:
        return cast("StationDeskApp", self.app)  # type: ignore[attr-defined]  # a Screen supplies .app; the mixin alone has none

    @property
    def lang(self) -> str:
        return self.desk_app.lang

"""The command palette's own words in the screen's language.

Textual's palette says 'No matches found' in English, and only when no provider answers. This
provider answers exactly then, with the words of the desk's catalogue: a line that does nothing
when chosen, so a Chinese desk never shows the English one.
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual.command import Hit, Hits, Provider

from stationdesk.tui.i18n import tr


class NoMatchProvider(Provider):
    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, *_ in self.app.get_system_commands(self.screen):
            if matcher.match(name) > 0:
                return  # the system commands answer: nothing to say
        lang = cast(str, getattr(self.app, "lang", "zh"))
        words = tr("palette.none", lang)
        yield Hit(0.01, Text(words, style="not bold"), _nothing, text=words, help=tr("palette.none_help", lang))


def _nothing() -> None:
    """Choosing the 'no matching command' line closes the palette and does nothing else."""

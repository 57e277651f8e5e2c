"""How an annotation looks: colour, stroke width, fill and font size."""

from __future__ import annotations

from dataclasses import dataclass

from medsnap.document import checks

DEFAULT_COLOUR = "#E53935"  # a clinical red that reads on scans and photos alike
HIGHLIGHTER_COLOUR = "#FFEB3B"
REDACTION_COLOUR = "#000000"  # redactions are always painted opaque black, whatever the style


@dataclass(frozen=True)
class Style:
    """colour/fill are '#RRGGBB' or '#RRGGBBAA' (alpha last); sizes in image pixels."""

    colour: str = DEFAULT_COLOUR
    width: float = 4.0
    fill: str | None = None
    font_size: float = 28.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "colour", checks.colour(self.colour, "style colour"))
        if self.fill is not None:
            object.__setattr__(self, "fill", checks.colour(self.fill, "style fill"))
        object.__setattr__(self, "width", checks.positive(self.width, "style width"))
        object.__setattr__(self, "font_size",
                           checks.positive(self.font_size, "style font size", high=2_000.0))


def rgba(colour: str) -> tuple[int, int, int, int]:
    """'#RRGGBB[AA]' -> (r, g, b, a) with a = 255 when absent."""
    value = checks.colour(colour, "colour")
    alpha = int(value[7:9], 16) if len(value) == 9 else 255
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16), alpha)


HIGHLIGHTER_STYLE = Style(colour=HIGHLIGHTER_COLOUR, width=24.0)
REDACTION_STYLE = Style(colour=REDACTION_COLOUR, width=24.0, fill=REDACTION_COLOUR)

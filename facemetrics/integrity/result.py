"""The result of the pixel checks (:mod:`facemetrics.integrity.pixels`, :mod:`facemetrics.integrity.jpeg`):
:class:`PixelCheck`."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PixelCheck",
]


@dataclass(frozen=True)
class PixelCheck:
    """Result of :func:`check_pixels`.

    Attributes
    ----------
    damaged : bool
        True when the pixels show decoder garbage.
    score : float
        Strength of the strongest signature relative to its threshold
        (``>= 1.0`` means damaged; 0.0 when nothing at all was seen).
    kind : str
        ``"colour_noise"``, ``"colour_specks"``, ``"dc_drift"``, ``"wrong_mcu"``, ``"repeated_coefficients"``,
        ``"dc_range"`` or ``""``
        (nothing found).
    row : int or None
        First pixel row (0 = top of the array given) of the damage, in the
        pixel grid of the array given; None when not damaged.
    col : int or None
        Pixel column where the damage starts on that row (drift: the
        damage point, to within a few MCUs; colour noise: the left edge of
        the first garbage block on that row); None when not damaged.
    what : str
        What was seen, without where, e.g. ``"colour garbage in 40 blocks
        of 8 x 8 px"``; ``""`` when not damaged.
    """

    damaged: bool
    score: float
    kind: str = ""
    row: int | None = None
    col: int | None = None
    what: str = ""

    @property
    def detail(self) -> str:
        """One clause for an error message: `what` and from which row (of the array given), e.g.
        ``"colour garbage in 40 blocks of 8 x 8 px from row 212 down"``; ``""`` when not damaged."""
        return f"{self.what} from row {self.row} down" if self.damaged else ""

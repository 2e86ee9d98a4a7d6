"""Draw procurement/static/favicon.ico (16, 32 and 48 px) from the same shapes as favicon.svg.

Run once after changing the icon: ``.venv/bin/python tools/make_favicon.py``. Needs only Pillow
(a WeasyPrint dependency), no network and no SVG renderer.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = "#8c1c13"
TARGET = Path(__file__).resolve().parent.parent / "procurement" / "static" / "favicon.ico"


def draw(scale: int = 8) -> Image.Image:
    """The 32-unit icon of favicon.svg, drawn at ``scale`` pixels per unit."""
    image = Image.new("RGBA", (32 * scale, 32 * scale), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)

    def box(x, y, w, h):
        return [x * scale, y * scale, (x + w) * scale - 1, (y + h) * scale - 1]

    pen.rounded_rectangle(box(0, 0, 32, 32), radius=6 * scale, fill=BRAND)
    pen.rounded_rectangle(box(7, 4, 16, 22), radius=int(1.5 * scale), fill="white")
    for y, w in ((9, 10), (13, 10), (17, 6)):
        pen.rectangle(box(10, y, w, 2), fill=BRAND)
    pen.ellipse(box(17, 18, 10, 10), fill=BRAND)
    pen.ellipse(box(18, 19, 8, 8), fill="white")
    pen.ellipse(box(20.2, 21.2, 3.6, 3.6), fill=BRAND)
    return image


def main() -> None:
    """Write the ICO next to the SVG."""
    draw().save(TARGET, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

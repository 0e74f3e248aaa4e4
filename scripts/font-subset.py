#!/usr/bin/env python3
"""Make the font that composenet embeds in its SVG output.

Reads Liberation Sans 2 Regular and Bold (SIL OFL 1.1; Debian package
fonts-liberation2), keeps the characters the diagrams use (printable ASCII,
Latin-1, dashes, quotes, the ellipsis, arrows and a few box-drawing and
geometric shapes), renames the family "composenet sans" (the OFL reserves the
name "Liberation" for unmodified versions; a subset is a modified version),
and writes WOFF2 files to render/svg/font/.

Liberation Sans has the advance widths of Arial, which are the Helvetica
metrics Graphviz measures every label with, so text drawn with it is exactly
as wide as Graphviz laid it out.

Usage: python3 scripts/font-subset.py [FONTDIR]   (needs python3-fonttools and python3-brotli)
"""
import os
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/liberation2"
dst = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "render", "svg", "font")
chars = list(range(0x20, 0x7F)) + list(range(0xA0, 0x100)) + [
    0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026,
    0x2190, 0x2191, 0x2192, 0x2193, 0x2500, 0x2502, 0x25A0, 0x25BC, 0x25CF,
]
for style, weight in (("Regular", "regular"), ("Bold", "bold")):
    font = TTFont(os.path.join(src, "LiberationSans-%s.ttf" % style))
    opts = subset.Options()
    opts.flavor = "woff2"
    opts.layout_features = []
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    opts.hinting = False
    opts.desubroutinize = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=chars)
    sub.subset(font)
    for rec in font["name"].names:
        text = rec.toUnicode()
        if rec.nameID in (1, 4, 16):
            text = "composenet sans" if rec.nameID != 4 else "composenet sans " + style
        elif rec.nameID == 3:
            text = "composenet sans %s (subset of Liberation Sans 2.1.5)" % style
        elif rec.nameID == 6:
            text = "composenet-sans-" + style
        rec.string = text
    font.flavor = "woff2"
    out = os.path.join(dst, "composenet-sans-%s.woff2" % weight)
    font.save(out)
    print(out, os.path.getsize(out), "bytes")

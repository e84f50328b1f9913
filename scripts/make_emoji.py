"""Build the embedded emoji set tfgan_zoo/data/files/emoji.npz from two Debian packages:
`fonts-noto-color-emoji` (Google's Noto Color Emoji: images Apache-2.0, font OFL-1.1) and
`unicode-data` (Unicode's emoji-test.txt, whose groups are the labels).

    apt-get install -y fonts-noto-color-emoji unicode-data        # as root
    python scripts/make_emoji.py [--font PATH] [--emoji-test PATH] [--out PATH]

One image per fully-qualified emoji of emoji-test.txt, skin-tone variants (sequences holding
U+1F3FB..U+1F3FF) dropped: 1,870 emoji with emoji-test.txt 15.0. The font draws 9 of them exactly
like an earlier one (flags shared by several regions -- Bouvet Island, Norway and Svalbard &
Jan Mayen; Clipperton Island, France and St. Martin; Australia and Heard & McDonald Islands;
Ceuta & Melilla and Spain; Diego Garcia and British Indian Ocean Territory; U.S. Outlying Islands
and United States -- and "family" = "family: man, man, boy"): each picture is kept once, named
by all its emoji (names joined by " = ", code points by ", "), leaving 1,861 distinct images.
Each is drawn by Pillow from
the font's only bitmap strike (size 109: glyphs of 136 x 128 px) straight onto a white 136 x 136
canvas, the glyph centred vertically (4 px above and below), then resized to 64 x 64 with
Pillow's Lanczos filter (antialiased). The loader makes emoji32 as the exact 2x2 mean of these.
Drawn straight onto the opaque background, the colours match the font's PNG bitmaps
alpha-composited on white to within one level; drawn onto a transparent canvas first, Pillow
leaves premultiplied colours at the antialiased edges (dark fringes of up to 60 levels once
composited), so the script does not do that.

Labels: the index of the emoji's group among the groups that hold images, in file order
(Smileys & Emotion, People & Body, Animals & Nature, Food & Drink, Travel & Places, Activities,
Objects, Symbols, Flags). emoji-test.txt's "Component" group (skin tones, hair styles) has no
fully-qualified emoji, so it is absent. Flags (269, nearly all distinct rectangles) are kept: a
natural class. Split: 20% of each group held out (rounded half up: 372 of 1,861), the images
whose sha256 of their code points ranks lowest: fixed by the data alone, no random generator.

The output is byte-reproducible: the arrays are written as .npy members of a zip (what np.load
reads) with fixed LZMA compression, fixed member order and no timestamps. The script prints the
counts per group and the sha256 of the file and of the image array.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import os
import sys
import zipfile
from pathlib import Path

import numpy as np

FONT_PATH = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
EMOJI_TEST_PATH = Path("/usr/share/unicode/emoji/emoji-test.txt")
OUT = Path(__file__).resolve().parents[1] / "tfgan_zoo" / "data" / "files" / "emoji.npz"

FONT_SIZE = 109  # the font's single CBDT strike: every glyph a 136 x 128 bitmap
GLYPH_WIDTH, GLYPH_HEIGHT = 136, 128
RESOLUTION = 64
BACKGROUND = (255, 255, 255)
HELDOUT_FRACTION = 0.2
SKIN_TONES = range(0x1F3FB, 0x1F400)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest zip date: no build timestamp in the file


@dataclasses.dataclass(frozen=True)
class Emoji:
    """One line of emoji-test.txt."""

    codepoints: tuple[int, ...]
    status: str
    name: str
    group: str

    @property
    def text(self) -> str:
        return "".join(map(chr, self.codepoints))

    @property
    def key(self) -> str:
        """The code points as emoji-test.txt writes them: '1F468 200D 1F469'."""
        return " ".join(f"{c:04X}" for c in self.codepoints)


def read_emoji_test(path: Path) -> tuple[list[Emoji], str]:
    """Every emoji line of emoji-test.txt with its group, and the file's version."""
    entries, group, version = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# group:"):
            group = line.partition(":")[2].strip()
        elif line.startswith("# Version:"):
            version = line.partition(":")[2].strip()
        elif line.strip() and not line.startswith("#"):
            fields, _, comment = line.partition("#")
            codes, _, status = fields.partition(";")
            # comment: "<emoji> E<version> <name>"
            name = comment.strip().split(" ", 2)[2]
            entries.append(Emoji(tuple(int(c, 16) for c in codes.split()), status.strip(), name, group))
    if not entries or version is None:
        raise SystemExit(f"{path} does not look like emoji-test.txt (no entries or no '# Version:').")
    return entries, version


def select(entries: list[Emoji]) -> list[Emoji]:
    """Fully-qualified emoji without skin-tone modifiers, in file order."""
    return [
        e for e in entries
        if e.status == "fully-qualified" and not any(c in SKIN_TONES for c in e.codepoints)
    ]


def render(font, emoji: Emoji) -> np.ndarray:
    """One emoji as uint8 (RESOLUTION, RESOLUTION, 3) on the background."""
    from PIL import Image, ImageDraw

    # One glyph (not a fallback run of several): one advance and the full bitmap box.
    advance = font.getlength(emoji.text)
    box = font.getbbox(emoji.text)
    if abs(advance - GLYPH_WIDTH) > 1 or box != (0, 0, GLYPH_WIDTH, GLYPH_HEIGHT):
        raise SystemExit(
            f"The font draws {emoji.key} ({emoji.name}) as advance {advance:g}, box {box}; expected one "
            f"{GLYPH_WIDTH}x{GLYPH_HEIGHT} glyph (is Pillow built with raqm for emoji sequences?)."
        )
    side = GLYPH_WIDTH
    canvas = Image.new("RGB", (side, side), BACKGROUND)
    ImageDraw.Draw(canvas).text((0, (side - GLYPH_HEIGHT) // 2), emoji.text, font=font, embedded_color=True)
    if canvas.getextrema() == tuple((v, v) for v in BACKGROUND):
        raise SystemExit(f"The font draws nothing for {emoji.key} ({emoji.name}).")
    small = canvas.resize((RESOLUTION, RESOLUTION), Image.Resampling.LANCZOS)
    return np.asarray(small, dtype=np.uint8)


def heldout_mask(emoji: list[Emoji], groups: list[str]) -> np.ndarray:
    """Per group, the round-half-up HELDOUT_FRACTION whose sha256(code points) ranks lowest."""
    heldout = np.zeros(len(emoji), dtype=bool)
    for group in groups:
        members = [i for i, e in enumerate(emoji) if e.group == group]
        count = int(len(members) * HELDOUT_FRACTION + 0.5)
        ranked = sorted(members, key=lambda i: hashlib.sha256(emoji[i].key.encode()).hexdigest())
        heldout[ranked[:count]] = True
    return heldout


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An .npz np.load reads, byte-identical for identical arrays: LZMA, no timestamps."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for key, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array, order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_LZMA
            info.create_system = 3  # unix, whatever the build machine
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())
    os.replace(tmp, path)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_of(font_path: Path, emoji_test_path: Path) -> str:
    """The provenance string stored in the file: the font's version and emoji-test.txt's."""
    from fontTools.ttLib import TTFont

    font_version = TTFont(str(font_path), lazy=True)["name"].getDebugName(5)
    _, version = read_emoji_test(emoji_test_path)
    return f"{font_path.name} {font_version}; {emoji_test_path.name} {version}"


def build(font_path: Path, emoji_test_path: Path) -> dict[str, np.ndarray]:
    """The arrays of the emoji file."""
    from PIL import ImageFont, features

    for path, package in ((font_path, "fonts-noto-color-emoji"), (emoji_test_path, "unicode-data")):
        if not path.is_file():
            raise SystemExit(f"{path} not found: install the Debian package {package} (apt-get install -y {package}).")
    if not features.check("raqm"):
        raise SystemExit("Pillow lacks raqm (libraqm): it cannot shape emoji sequences into one glyph.")
    emoji = select(read_emoji_test(emoji_test_path)[0])
    groups = list(dict.fromkeys(e.group for e in emoji))
    font = ImageFont.truetype(str(font_path), FONT_SIZE, layout_engine=ImageFont.Layout.RAQM)
    pictures: dict[bytes, tuple[np.ndarray, list[Emoji]]] = {}  # insertion order: file order
    for e in emoji:
        image = render(font, e)
        pictures.setdefault(image.tobytes(), (image, []))[1].append(e)
    for image, same in pictures.values():
        if len({e.group for e in same}) > 1:
            raise SystemExit(f"Identical pictures in different groups: {[e.name for e in same]}.")
    firsts = [same[0] for _, same in pictures.values()]
    return {
        "images": np.stack([image for image, _ in pictures.values()]),
        "labels": np.array([groups.index(e.group) for e in firsts], dtype=np.uint8),
        "heldout": heldout_mask(firsts, groups),
        "codepoints": np.array([", ".join(e.key for e in same) for _, same in pictures.values()]),
        "names": np.array([" = ".join(e.name for e in same) for _, same in pictures.values()]),
        "groups": np.array(groups),
        "source": np.array(source_of(font_path, emoji_test_path)),
    }


def main(argv: list[str] | None = None) -> dict[str, str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", type=Path, default=FONT_PATH)
    parser.add_argument("--emoji-test", type=Path, default=EMOJI_TEST_PATH)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    arrays = build(args.font, args.emoji_test)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_npz(args.out, arrays)
    labels, heldout = arrays["labels"], arrays["heldout"]
    print(f"source: {arrays['source']}")
    print(f"{'group':<20} {'train':>6} {'heldout':>8} {'total':>6}")
    for k, group in enumerate(arrays["groups"]):
        members = labels == k
        print(f"{group:<20} {np.sum(members & ~heldout):>6} {np.sum(members & heldout):>8} {np.sum(members):>6}")
    print(f"{'all':<20} {np.sum(~heldout):>6} {np.sum(heldout):>8} {len(labels):>6}")
    digests = {
        "file_sha256": sha256(args.out.read_bytes()),
        "images_sha256": sha256(arrays["images"].tobytes()),
    }
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB), images {arrays['images'].shape} uint8")
    print(f"sha256 {digests['file_sha256']}  {args.out.name}")
    print(f"sha256 {digests['images_sha256']}  (the image array's bytes)")
    return digests


if __name__ == "__main__":
    main(sys.argv[1:])

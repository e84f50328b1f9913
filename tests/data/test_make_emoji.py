"""scripts/make_emoji.py: its parts on small inputs, and the whole build reproducing the shipped
emoji file byte for byte when the two Debian packages are installed (CI installs nothing with
apt: there the build test skips, and everything else runs from the shipped file)."""
import hashlib
import importlib.resources
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_emoji.py"
SHIPPED = importlib.resources.files("tfgan_zoo.data").joinpath("files", "emoji.npz")


def _load_script():
    spec = importlib.util.spec_from_file_location("make_emoji", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


make_emoji = _load_script()

EMOJI_TEST = """\
# Version: 15.0
# group: Smileys & Emotion
# subgroup: face-smiling
1F600                                                  ; fully-qualified     # 😀 E1.0 grinning face
263A FE0F                                              ; fully-qualified     # ☺️ E0.6 smiling face
263A                                                   ; unqualified         # ☺ E0.6 smiling face
# group: People & Body
1F44B                                                  ; fully-qualified     # 👋 E0.6 waving hand
1F44B 1F3FB                                            ; fully-qualified     # 👋🏻 E1.0 waving hand: light skin tone
1F468 200D 1F9B0                                       ; fully-qualified     # 👨‍🦰 E11.0 man: red hair
# group: Component
1F3FB                                                  ; component           # 🏻 E1.0 light skin tone
"""


def test_parse_and_select_drop_skin_tones_and_unqualified(tmp_path):
    path = tmp_path / "emoji-test.txt"
    path.write_text(EMOJI_TEST, encoding="utf-8")
    entries, version = make_emoji.read_emoji_test(path)
    assert version == "15.0" and len(entries) == 7
    chosen = make_emoji.select(entries)
    assert [e.name for e in chosen] == ["grinning face", "smiling face", "waving hand", "man: red hair"]
    assert [e.group for e in chosen] == ["Smileys & Emotion"] * 2 + ["People & Body"] * 2
    assert chosen[1].key == "263A FE0F" and chosen[1].text == "\u263a\ufe0f"
    # Component holds no fully-qualified emoji: it never becomes a label
    assert "Component" not in {e.group for e in chosen}


def test_heldout_mask_takes_a_rounded_fifth_of_every_group():
    emoji = [make_emoji.Emoji((0x1F600 + i,), "fully-qualified", f"e{i}", "A" if i < 8 else "B")
             for i in range(10)]
    mask = make_emoji.heldout_mask(emoji, ["A", "B"])
    assert mask[:8].sum() == 2 and mask[8:].sum() == 0  # 8 * 0.2 = 1.6 -> 2; 2 * 0.2 = 0.4 -> 0
    np.testing.assert_array_equal(mask, make_emoji.heldout_mask(list(emoji), ["A", "B"]))


def test_write_npz_is_byte_reproducible_and_loads(tmp_path):
    arrays = {"images": np.arange(96, dtype=np.uint8).reshape(2, 4, 4, 3),
              "names": np.array(["a", "bc"]), "source": np.array("x")}
    make_emoji.write_npz(tmp_path / "a.npz", arrays)
    make_emoji.write_npz(tmp_path / "b.npz", arrays)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    with np.load(tmp_path / "a.npz", allow_pickle=False) as loaded:
        assert list(loaded.files) == ["images", "names", "source"]
        np.testing.assert_array_equal(loaded["images"], arrays["images"])
        assert loaded["source"].shape == () and str(loaded["source"]) == "x"


def test_build_reproduces_the_shipped_file(tmp_path):
    missing = [f"{path} (Debian package {package})" for path, package in (
        (make_emoji.FONT_PATH, "fonts-noto-color-emoji"), (make_emoji.EMOJI_TEST_PATH, "unicode-data"))
        if not path.is_file()]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}: apt-get install -y fonts-noto-color-emoji unicode-data")
    from PIL import features

    if not features.check("raqm"):
        pytest.skip("Pillow is built without raqm, so it cannot shape emoji sequences")
    with SHIPPED.open("rb") as handle, np.load(handle) as shipped:
        recorded = str(shipped["source"])
    installed = make_emoji.source_of(make_emoji.FONT_PATH, make_emoji.EMOJI_TEST_PATH)
    if installed != recorded:
        pytest.skip(f"the installed packages ({installed}) are not the ones the shipped file was built from "
                    f"({recorded})")
    digests = make_emoji.main(["--out", str(tmp_path / "emoji.npz")])
    assert digests["file_sha256"] == hashlib.sha256(SHIPPED.read_bytes()).hexdigest()

"""One architecture-selection grammar for every command: files, gt:NAME, inline lists, subsets, seeded samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from naslens.selection import SelectionError, select_archs
from naslens.spaces import get_space
from naslens.types import SpaceCapabilityError

NB201 = get_space("nb201")
MACRO = get_space("nb-macro")


def test_whole_space_defaults() -> None:
    assert len(select_archs(NB201)) == 6466 and len(select_archs(NB201, subset="all")) == 15625
    assert select_archs(MACRO, subset="deiso") == list(MACRO.representatives())


def test_sample_is_the_seeded_choice_in_candidate_order() -> None:
    pool = list(NB201.representatives())
    idx = np.sort(np.random.default_rng(3).choice(len(pool), size=50, replace=False))
    assert select_archs(NB201, sample=50, seed=3) == [pool[i] for i in idx]
    assert select_archs(NB201, sample=50, seed=3) != select_archs(NB201, sample=50, seed=4)


def test_nested_samples_extend_each_other() -> None:
    small = select_archs(MACRO, sample=20, seed=0, nested=True)
    large = select_archs(MACRO, sample=60, seed=0, nested=True)
    assert large[:20] == small


def test_file_with_comments_any_encoding_and_line_numbers(tmp_path: Path) -> None:
    f = tmp_path / "archs.txt"
    f.write_text("# my picks\n\n284\n(4, 3, 3, 3, 2, 3)\n" + NB201.key(NB201.parse(9930)) + "\n")
    assert [NB201.index(a) for a in select_archs(NB201, archs=f)] == [284, 14822, 9930]
    assert [NB201.index(a) for a in select_archs(NB201, archs=str(f))] == [284, 14822, 9930]
    f.write_text("284\n|nor_conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|\n")
    with pytest.raises(SelectionError, match=r"archs.txt:2: .*nor_conv_5x5"):
        select_archs(NB201, archs=f)
    f.write_text("284\n1\n(1, 1, 1, 1, 1, 1)\n284\n")
    with pytest.raises(SelectionError, match=r"archs.txt:4: duplicate of line 1"):
        select_archs(NB201, archs=f)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\xff\xfe\x00", "not UTF-8"), (b"# nothing\n", "lists no architecture")],
)
def test_unreadable_files(tmp_path: Path, content: bytes, message: str) -> None:
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(SelectionError, match=message):
        select_archs(NB201, archs=f)
    with pytest.raises(SelectionError, match="no such architecture file"):
        select_archs(NB201, archs=tmp_path / "missing.txt")
    with pytest.raises(SelectionError, match="is a folder"):
        select_archs(NB201, archs=tmp_path)


def test_inline_lists() -> None:
    assert [MACRO.key(a) for a in select_archs(MACRO, archs="02012100; 11111221")] == ["02012100", "11111221"]
    with pytest.raises(SelectionError, match="items 1 and 2 are the same"):
        select_archs(MACRO, archs="02012100;02012100")
    with pytest.raises(SelectionError, match="no file of that name"):
        select_archs(MACRO, archs="archs.txt")


def test_deiso_of_a_list_keeps_the_first_member_of_each_class() -> None:
    picked = select_archs(MACRO, archs="10201000;10210000;22222222", subset="deiso")
    assert [MACRO.key(a) for a in picked] == ["10201000", "22222222"]


def test_ground_truth_architectures_and_space_mismatch() -> None:
    archs = select_archs(NB201, archs="gt:nb201-fmnist")
    assert len(archs) == 600
    with pytest.raises(SelectionError, match="ground truth is for space 'nb201'"):
        select_archs(MACRO, archs="gt:nb201-fmnist")


def test_bad_subsets_and_samples() -> None:
    with pytest.raises(SelectionError, match="--subset"):
        select_archs(NB201, subset="some")
    with pytest.raises(SelectionError, match=r"--sample must be an integer in 1\.\.6466"):
        select_archs(NB201, sample=7000)
    with pytest.raises(SelectionError, match="--sample"):
        select_archs(NB201, sample=0)


def test_spaces_without_isomorphism_or_enumeration_refuse_clearly() -> None:
    class NoIso:
        def __init__(self, enumerable: bool) -> None:
            self._inner = MACRO
            from dataclasses import replace

            size = MACRO.info.size if enumerable else None
            self.info = replace(MACRO.info, has_isomorphism=False, num_classes=None, enumerable=enumerable, size=size)
            self.name = "no-iso"

        def __getattr__(self, item: str) -> object:
            return getattr(self._inner, item)

    with pytest.raises(SpaceCapabilityError, match="no isomorphism"):
        select_archs(NoIso(True), subset="deiso")
    assert len(select_archs(NoIso(True))) == 6561  # default subset: all
    with pytest.raises(SpaceCapabilityError, match="not enumerable"):
        select_archs(NoIso(False))
    assert len(select_archs(NoIso(False), archs="02012100")) == 1


def test_a_long_inline_list_is_not_taken_for_a_file_name() -> None:
    nb201 = NB201
    keys = [nb201.key(a) for a in nb201.enumerate()[:20]]
    text = ";".join(keys)
    assert len(text) > 255  # longer than a file name may be (the OS raises "File name too long" on is_file)
    assert [nb201.key(a) for a in select_archs(nb201, archs=text)] == keys
    assert [nb201.key(a) for a in select_archs(nb201, archs=keys[0])] == keys[:1]

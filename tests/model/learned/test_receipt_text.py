"""How receipt header rows become name and address candidates (model/learned/receipt_text.py): the readings the
chooser can only pick if they are proposed."""

from __future__ import annotations

from model.learned.receipt_text import _digits_as_letters


def test_two_zeros_read_for_two_letters_are_respelled_and_numbers_left_alone() -> None:
    # 'F00DICIOUS' (a train receipt's name): before, only a lone digit was respelled, so no candidate was right
    assert _digits_as_letters("KMF F00DICIOUS SDN BHD") == ("KMF FOODICIOUS SDN BHD", 1)
    assert _digits_as_letters("URBAN 1DEA") == ("URBAN IDEA", 1)
    assert _digits_as_letters("10GRAM 3RD") == ("10GRAM 3RD", 0)

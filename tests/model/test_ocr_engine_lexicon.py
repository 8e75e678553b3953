"""Respelling of common business and address words misread by OCR."""

from __future__ import annotations

import pytest

from model.layout.lexicon import respell


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("SIN THYE& COMFANY", "SIN THYE& COMPANY"),  # p read as f
        ("41150 KLANG,SCLANGOR", "41150 KLANG,SELANGOR"),  # e read as c
        ("Guardian Health And Heauty", "Guardian Health And Beauty"),  # b read as h
        ("99 SPEED NART S/B", "99 SPEED MART S/B"),  # m read as n
        ("Ground Foor,Wsma UOA Il", "Ground Floor,Wisma UOA II"),  # letters dropped, roman two
        ("NO.12,JA_AN SS4C/5", "NO.12,JALAN SS4C/5"),  # a letter not read at all
        ("40300Shah Alami,Selangor.", "40300Shah Alam,Selangor."),  # the comma read as a thin letter
        ("Bandar Baru Rawan9", "Bandar Baru Rawang"),
    ],
)
def test_misread_common_words_are_respelled(raw: str, fixed: str) -> None:
    assert respell(raw) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "81100 JOHOR BAHRU",  # a word of its own, one letter from BARU
        "GERBANG ALAF RESTAURANTS SDN BHD",  # ALAF is not a misread ALAM: F and M do not look alike
        "MEGAH RETAIL SDN BHD",  # MEGAH vs MEWAH: G and W do not look alike
        "Kepong Utara",  # UTARA vs UTAMA
        "SeksyenU3",  # a letter too many is not dropped
        "Total 12.90",
        "E-MAIL: SALES@SHOP.MY",  # MAIL is one look-alike letter from MALL
    ],
)
def test_words_that_are_not_misreadings_are_kept(text: str) -> None:
    assert respell(text) == text


def test_an_opening_bracket_read_as_a_letter_is_put_back() -> None:
    from model.layout.receipt import _reopen

    assert _reopen("AIK HUAT HARDWARE ENTERPRISEISETIA ALAM)SDN BHD") == (
        "AIK HUAT HARDWARE ENTERPRISE (SETIA ALAM)SDN BHD"
    )
    assert _reopen("KEDAI (SETIA) SDN BHD") == "KEDAI (SETIA) SDN BHD"

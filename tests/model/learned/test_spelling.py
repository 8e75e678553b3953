"""The fitted lexicon: confusions counted from pages against their true values, OCR slips put right, no more."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from model.learned.core import Doc, field_specs
from model.learned.fit import Example, train_all
from model.learned.spelling import Contribution, Lexicon
from model.types import Word

ADDRESSES = [
    "NO 5, JALAN SECTION 7, 40000 SHAH ALAM, SELANGOR",
    "LOT 12, JALAN SECTION 13, 40100 SHAH ALAM, SELANGOR",
    "NO 8, JALAN PERMAS, 81750 MASAI, JOHOR",
    "NO 24, JALAN SECTION 2, 40200 SHAH ALAM, SELANGOR",
]


def _lexicon(misread: str = "SECT1ON", times: int = 6) -> Lexicon:
    """Receipts whose pages print 'SECTION' as misread, and whose truths spell it right."""
    contributions = []
    for k in range(times):
        truth = {"merchant_name": f"KEDAI {k} SDN BHD", "merchant_address": ADDRESSES[k % len(ADDRESSES)]}
        page = f"KEDAI {k} SDN BHD {ADDRESSES[k % len(ADDRESSES)].replace('SECTION', misread)}"
        contributions.append(Contribution.of(truth, page))
    return Lexicon.fit(contributions)


def test_a_misread_seen_often_is_learned_and_put_right() -> None:
    lexicon = _lexicon()
    assert lexicon.confusions[("1", "I")] >= 5
    text, fixed = lexicon.correct("NO 3, JALAN SECT1ON 9, 40150 SHAH ALAM")
    assert (text, fixed) == ("NO 3, JALAN SECTION 9, 40150 SHAH ALAM", 1)


def test_what_could_be_right_is_left_alone() -> None:
    lexicon = _lexicon()
    # 'NO24' has as many digits as letters: a house number, not a misread; a word OCR cannot be shown to misread
    # (no learned confusion reaches a known word) stays as printed; numbers are never changed
    for text in ("NO24, JALAN BENTONG", "JALAN SECT0N", "40100 SHAH ALAM"):
        assert lexicon.correct(text) == (text, 0)


def test_a_confusion_seen_once_is_not_trusted() -> None:
    lexicon = _lexicon(times=1)
    assert lexicon.correct("JALAN SECT1ON") == ("JALAN SECT1ON", 0)


def test_leaving_a_receipt_out_forgets_its_words(tmp_path: Path) -> None:
    lexicon = _lexicon()
    own = Contribution.of({"merchant_address": "JALAN RAREWORD"}, None)
    both = Lexicon.fit([own, own, Contribution(lexicon.words, lexicon.confusions)])
    assert both.known_share("RAREWORD") == 1.0
    assert both.without(own).without(own).known_share("RAREWORD") == 0.0
    lexicon.save(tmp_path)
    again = Lexicon.load(tmp_path)
    assert again.words == lexicon.words and again.confusions == lexicon.confusions
    assert Lexicon.load(tmp_path / "missing").words == Counter()


def _row(y: float, text: str) -> list[Word]:
    return [Word(t, (0.1 + 0.06 * k, y, 0.15 + 0.06 * k, y + 0.015)) for k, t in enumerate(text.split())]


def test_the_fitted_model_offers_the_corrected_reading(tmp_path: Path) -> None:
    """docai train writes the lexicon beside the model; a misread address gets its corrected reading as a candidate."""
    examples = []
    for k in range(12):
        address = ADDRESSES[k % len(ADDRESSES)]
        pages = [
            [
                *_row(0.05, f"KEDAI {k} SDN BHD"),
                *_row(0.1, address.replace("SECTION", "SECT1ON")),
                *_row(0.2, "DATE: 01/03/2018"),
                *_row(0.4, "TOTAL 9.90"),
            ]
        ]
        truth = {"merchant_name": f"KEDAI {k} SDN BHD", "merchant_address": address, "total": "9.90"}
        examples.append(Example(f"r{k}", f"KEDAI {k}", "receipt", pages, truth))
    from model.learned.core import LearnedModel

    train_all(examples, tmp_path, seed=0, log=lambda _m: None)
    model = LearnedModel(tmp_path)
    assert model.lexicon.confusions[("1", "I")] >= 5
    doc = Doc.from_pages([[*_row(0.05, "KEDAI BARU SDN BHD"), *_row(0.1, "NO 9, JALAN SECT1ON 4, 40000 SHAH ALAM")]])
    doc.memo["lexicon"] = model.lexicon
    spec = next(s for s in field_specs("receipt") if s.name == "merchant_address")
    values = {c.value: c.features["corrected"] for c in spec.propose(doc)}
    assert values.get("NO 9, JALAN SECTION 4, 40000 SHAH ALAM") == 1.0
    assert values.get("NO 9, JALAN SECT1ON 4, 40000 SHAH ALAM") == 0.0


def test_cross_validation_counts_a_near_reading_as_wrong(tmp_path: Path) -> None:
    """The fit learns from a reading one slip away from the truth, but its CV figures and calibration score exactly."""
    examples = []
    for k in range(10):
        pages = [
            [*_row(0.05, f"TOKO{k}X AMANAH SDN BHD"), *_row(0.1, "JALAN MAJU 81200 JOHOR"), *_row(0.4, "TOTAL 9.90")]
        ]
        truth = {"merchant_name": f"TOKO{k}Y AMANAH SDN BHD", "total": "9.90"}
        examples.append(Example(f"r{k}", f"TOKO {k}", "receipt", pages, truth))
    manifest = train_all(examples, tmp_path, seed=0, log=lambda _m: None)
    figures = manifest["fields"]["receipt.merchant_name"]["figures"]
    assert figures["reachable"] == 1.0 and figures["reachable_exact"] == 0.0
    assert figures["cv_accuracy"] == 0.0


def test_a_remembered_merchant_is_found_where_ocr_glued_its_name_to_the_next_words() -> None:
    from model.learned.memory import Vendor, VendorMemory

    memory = VendorMemory(
        [Vendor("gardeniabakeriesklsdnbhd", "GARDENIA BAKERIES (KL) SDN BHD", "LOT 3, JALAN PELABUR")]
    )
    found = memory.match(["TAX INVOICE", "GARDENIABAKERIES(KL)SDNBHD(139386X) Lot3,Jalan Pelabur 23/1"])
    assert found is not None and found[0].name == "GARDENIA BAKERIES (KL) SDN BHD" and found[2] == 1
    short = VendorMemory([Vendor("aeon", "AEON")])  # a short name could start any row: whole rows only
    assert short.match(["AEONIC TRADING SDN BHD"]) is None and short.match(["AEON"]) is not None


def test_a_three_letter_word_and_a_rare_copy_of_a_slip_are_put_right() -> None:
    """'JIN' for 'JLN': labels copy OCR's slips now and then, so the slip can be a known word; it is corrected only
    toward a word one learned confusion away and seen RARER_BY times as often, and words of three letters count."""
    words = Counter({"JLN": 34, "JIN": 4, "TMN": 10, "TAN": 9})
    lexicon = Lexicon(words, Counter({("I", "L"): 19, ("A", "M"): 15}))
    assert lexicon.correct("NO 1, JIn DESA") == ("NO 1, JLN DESA", 1)
    # 'TAN' is a name as common as 'TMN': a known word is kept unless the other one is far more common
    assert lexicon.correct("TAN WOON YANN") == ("TAN WOON YANN", 0)


def test_a_word_one_letter_from_a_known_one_counts_as_a_likely_misreading() -> None:
    lexicon = Lexicon(Counter({"PERMAS": 5, "IBRAHIM": 3, "JOHOR": 9, "ONCE": 1}), Counter())
    assert lexicon.near_known("JALAN PERHAS JOHOR") == 1  # PERHAS: one letter from PERMAS; JOHOR is known
    assert lexicon.near_known("Ibrahin Sultan") == 1
    assert lexicon.near_known("KEMBANGAN ONCF") == 0  # far from every known word; ONCE was seen once, not known


def test_an_unknown_word_one_letter_from_a_common_one_is_respelled_as_a_candidate() -> None:
    """'SELANGUR' is no confusion the lexicon counted, but 'SELANGOR' (seen 8 times or more, and far commoner than any
    other word one letter away) is one letter off: the address read that way is one more candidate, marked; a rarer
    word one letter away ('PERMAS', seen 3 times) and a short word are left alone."""
    lexicon = _lexicon(times=12)
    assert lexicon.words["SELANGOR"] >= 8 > lexicon.words["PERMAS"] >= 2
    text, fixed = lexicon.respell_near("NO 3, JALAN SECTION 9, 40150 SHAH ALAM, SELANGUR")
    assert (text, fixed) == ("NO 3, JALAN SECTION 9, 40150 SHAH ALAM, SELANGOR", 1)
    assert lexicon.respell_near("NO 8, JALAN PERHAS, 81750 MASAI") == ("NO 8, JALAN PERHAS, 81750 MASAI", 0)
    assert lexicon.respell_near("LOT 5, SHAX ALAM") == ("LOT 5, SHAX ALAM", 0)  # four letters: too short
    row = "NO 3, JALAN SHAH ALAM, SELANGUR".split()
    words = [Word(t, (0.1 + 0.1 * i, 0.2, 0.18 + 0.1 * i, 0.22), 0.9) for i, t in enumerate(row)]
    doc = Doc.from_pages([words])
    doc.memo["lexicon"] = lexicon
    [spec] = [s for s in field_specs("receipt") if s.name == "merchant_address"]
    respelled = [c for c in spec.propose(doc) if c.features.get("respelled_near")]
    assert respelled and all("SELANGOR" in c.value for c in respelled)


def _header_doc(rows: list[str]) -> Doc:
    words = []
    for r, row in enumerate(rows):
        x = 0.1
        for t in row.split():
            words.append(Word(t, (x, 0.05 + 0.03 * r, x + 0.02 * len(t), 0.07 + 0.03 * r), 0.95))
            x += 0.02 * len(t) + 0.015
    return Doc.from_pages([words])


def test_an_approved_address_is_proposed_where_the_page_prints_it_not_at_another_branch() -> None:
    """Learning bench's X51006619496: the same chain approved at its branch '1317 TRILLIUM S6 BESI'; a receipt of
    branch '1320-TMN BATU' prints the same street and other words, so the approved address is no candidate there; a
    receipt of the approved branch with OCR slips ('BERKELEV', glued 'LOTP.T.2811') still gets it."""
    from model.learned.memory import Vendor, VendorMemory

    approved = "LOT P.T. 2811, JALAN ANGSA, TAMAN BERKELEY 41150 KLANG, SELANGOR 1317 TRILLIUM S6 BESI"
    memory = VendorMemory([Vendor("99speedmartsb", "99 SPEED MART S/B", approved)])
    [spec] = [s for s in field_specs("receipt") if s.name == "merchant_address"]
    head = ["99 SPEED MART S/B (519537-X)"]
    tail = ["GST ID NO: 000181747712", "INVOICE NO: 17881/102/T0298", "MI SEDAAP RM3.79", "TOTAL RM3.79"]
    other = _header_doc(
        [*head, "LOT P.T.2811, JALAN ANGSA,", "TAMAN BERKELEY", "41150 KLANG,SELANGOR", "1320-TMN BATU", *tail]
    )
    same = _header_doc(
        [*head, "LOTP.T.2811, JALAN ANGSA,", "TAMAN BERKELEV", "41150 KLANG,SELANGOR", "1317 TRILLIUM S6 BESI", *tail]
    )
    for doc in (other, same):
        doc.memo["vendor_memory"] = memory
    assert approved not in [c.value for c in spec.propose(other)]
    assert approved in [c.value for c in spec.propose(same)]

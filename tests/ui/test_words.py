"""Picking words by pointing: a click takes the word under it, a drag the words inside, zoom taken into account."""

from ui import words
from ui.render import View

PAGE = words.usable(
    [
        {"text": "TOTAL", "bbox": [0.1, 0.80, 0.2, 0.82]},
        {"text": "RM", "bbox": [0.6, 0.80, 0.65, 0.82]},
        {"text": "9.90", "bbox": [0.66, 0.80, 0.75, 0.82]},
        {"text": "  ", "bbox": [0.1, 0.1, 0.2, 0.2]},  # blank: never picked
        {"text": "bad", "bbox": [0.5, 0.5, 0.4, 0.6]},  # not a box
    ]
)


def test_usable_words_keep_their_reading_position() -> None:
    assert [(w["n"], w["text"]) for w in PAGE] == [(0, "TOTAL"), (1, "RM"), (2, "9.90")]


def test_a_click_takes_the_word_under_or_next_to_it() -> None:
    assert words.at_point(PAGE, 0.70, 0.81)["text"] == "9.90"
    assert words.at_point(PAGE, 0.70, 0.825)["text"] == "9.90"  # just below: still it
    assert words.at_point(PAGE, 0.40, 0.5) is None


def test_pointer_events_on_the_shown_picture() -> None:
    click = {"x1": 630, "y1": 729, "x2": 630, "y2": 729, "width": 900, "height": 900}
    assert [w["text"] for w in words.from_pointer(PAGE, click, View())] == ["9.90"]
    drag = {"x1": 520, "y1": 700, "x2": 700, "y2": 760, "width": 900, "height": 900}
    picked = words.from_pointer(PAGE, drag, View())
    assert words.join(list(reversed(picked))) == "RM 9.90"
    zoomed = View(zoom=2.0, cx=0.75, cy=0.75)  # window (0.5, 0.5)–(1, 1): 9.90 sits at x≈(0.705-0.5)*1800
    plain = {"x": 369, "y": 558, "width": 900, "height": 900}
    assert [w["text"] for w in words.from_pointer(PAGE, plain, zoomed)] == ["9.90"]

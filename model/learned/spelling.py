"""OCR slips in names and addresses put right from words seen before ('SECT1ON' -> 'SECTION', 'GELANGOR' -> 'SELANGOR').

`docai eval` and a reviewer compare text exactly (case, spaces and punctuation aside), so one misread letter makes an
address wrong. The lexicon is fitted, not written: the words of every merchant name and address in the training
receipts and in this deployment's approvals, and which characters OCR mistakes for which (counted by aligning each
training receipt's header with its true values). A corrected reading becomes one more candidate beside the page's own,
with features saying how much was changed; the chooser learns when to trust it. Kept as JSON beside the model
(`lexicon.json`), rebuilt by `docai train`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.learned.compare import norm_text
from model.learned.core import Candidate, Doc

FILE = "lexicon.json"
FIELDS = ("merchant_name", "merchant_address")
TOKEN = re.compile(r"[A-Za-z0-9]+")
MIN_LENGTH = 3  # shorter tokens ('NO', 'JL', '2') are not words of the lexicon; only longer ones are corrected ('GND')
MAX_FIXES = 2  # letters changed per word at most
MIN_COUNT = 2  # a word seen once may be a one-off
MIN_CONFUSIONS = 5  # letter<->digit confusions seen this often are taken as OCR's
OFTEN = 15  # letter<->letter confusions need to be this common
RARER_BY = 5  # a known word is read as another one confusion away only when that one is this much more common
NEAR_LENGTH = 5  # an unknown word this long or longer may be read as the known word one letter away ('SELANGUR')
NEAR_COUNT = 8  # ... when that word was seen this often, and this many times as often as any other one letter away


def _plausible(seen: str, meant: str, count: int) -> bool:
    """A confusion worth correcting: a letter read as a digit or back ('SECT1ON', '10T') seen a few times, or one
    letter for another seen often ('JIN' for 'JLN'). Rarer letter pairs mostly come from two different words
    ('BENTONG'/'BINTANG') and would turn right readings wrong; digit pairs are different numbers, not misreadings."""
    if seen.isdigit() == meant.isdigit():
        return not seen.isdigit() and count >= OFTEN
    return count >= MIN_CONFUSIONS


def _upper_tokens(text: str) -> list[str]:
    return [t.upper() for t in TOKEN.findall(text)]


def _words(text: str) -> list[str]:
    """The text's longer words, and each two neighbours glued (OCR often drops the space: 'SHAHALAM')."""
    tokens = _upper_tokens(text)
    glued = [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
    return [t for t in tokens + glued if len(t) >= MIN_LENGTH]


def _confusions(page: str, truth: str) -> Counter[tuple[str, str]]:
    """Characters OCR read in place of others: every page word of a true word's length that differs from it in one
    or two places (and is no true word itself) counts its differing pairs (read, meant)."""
    truths = set(_words(truth))
    by_length: dict[int, list[str]] = {}
    for t in truths:
        by_length.setdefault(len(t), []).append(t)
    out: Counter[tuple[str, str]] = Counter()
    for word in set(_words(page)) - truths:
        if len(word) < 4:
            continue
        for t in by_length.get(len(word), ()):
            diff = [(a, b) for a, b in zip(word, t, strict=True) if a != b]
            if len(diff) <= MAX_FIXES:
                out.update(diff)
    return out


@dataclass
class Contribution:
    """What one labelled receipt adds to the lexicon: its value words and the confusions its page shows."""

    words: Counter[str] = field(default_factory=Counter)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, other: Contribution) -> None:
        self.words.update(other.words)
        self.confusions.update(other.confusions)

    @classmethod
    def of(cls, truth: dict[str, Any], page_text: str | None) -> Contribution:
        out = cls()
        for name in FIELDS:
            value = truth.get(name)
            if not value:
                continue
            out.words.update(_words(str(value)))
            if page_text:
                out.confusions.update(_confusions(page_text, str(value)))
        return out


class Lexicon:
    def __init__(self, words: Counter[str], confusions: Counter[tuple[str, str]]):
        self.words = words
        self.confusions = confusions
        self._subs: dict[str, list[str]] = {}
        for (seen, meant), n in confusions.items():
            if seen != meant and _plausible(seen, meant, n):
                self._subs.setdefault(seen, []).append(meant)
        self._known = {w for w, n in words.items() if n >= MIN_COUNT}
        self._cache: dict[str, str] = {}
        self._near: set[str] | None = None
        self._near_seen: dict[str, bool] = {}
        self._near_words: dict[str, list[str]] | None = None
        self._near_fixes: dict[str, str] = {}

    @classmethod
    def fit(cls, contributions: Iterable[Contribution]) -> Lexicon:
        total = Contribution()
        for c in contributions:
            total.add(c)
        return cls(total.words, total.confusions)

    def without(self, own: Contribution) -> Lexicon:
        """The lexicon as if this receipt had not been seen (for honest cross-validation)."""
        return Lexicon(self.words - own.words, self.confusions - own.confusions)

    def save(self, folder: Path) -> None:
        data = {
            "words": dict(sorted(self.words.items())),
            "confusions": sorted([a, b, n] for (a, b), n in self.confusions.items()),
        }
        (folder / FILE).write_text(json.dumps(data, indent=0, sort_keys=True) + "\n")

    @classmethod
    def load(cls, folder: Path) -> Lexicon:
        path = folder / FILE
        if not path.exists():
            return cls(Counter(), Counter())
        data = json.loads(path.read_text())
        return cls(Counter(data["words"]), Counter({(a, b): n for a, b, n in data["confusions"]}))

    def known_share(self, text: str) -> float:
        """The share of the text's longer words the lexicon knows (how much it reads like names and addresses seen)."""
        tokens = [t for t in _upper_tokens(text) if len(t) >= MIN_LENGTH]
        return sum(t in self._known for t in tokens) / len(tokens) if tokens else 0.0

    def near_known(self, text: str) -> int:
        """How many of the text's words the lexicon does not know but knows a word one letter away from ('PERHAS' by
        'PERMAS', 'Ibrahin' by 'IBRAHIM'): likely misreadings, where a word far from any known one is more likely a
        name the lexicon never saw."""
        return sum(self._near_one(t) for t in _upper_tokens(text))

    def _near_one(self, token: str) -> bool:
        if len(token) <= MIN_LENGTH or token in self._known:
            return False
        if self._near is None:
            self._near = {w[:i] + "?" + w[i + 1 :] for w in self._known if len(w) > MIN_LENGTH for i in range(len(w))}
        hit = self._near_seen.get(token)  # the overlapping spans of a header repeat its words many times
        if hit is None:
            hit = self._near_seen[token] = any(
                token[:i] + "?" + token[i + 1 :] in self._near for i in range(len(token))
            )
        return hit

    def _near_fix(self, token: str) -> str:
        """The known word one letter away from an unknown one ('SELANGUR' -> 'SELANGOR', 'PERHAS' -> 'PERMAS'), where
        one such word is clearly the commonest; the token if none. Any letter may be the one misread, unlike `_fix`,
        so the chooser is told (a feature) and learns how far to trust it."""
        upper = token.upper()
        if len(upper) < NEAR_LENGTH or upper in self._known or not upper.isalpha():
            return upper
        if upper in self._near_fixes:
            return self._near_fixes[upper]
        if self._near_words is None:
            self._near_words = {}
            for w in self._known:
                if len(w) >= NEAR_LENGTH:
                    for i in range(len(w)):
                        self._near_words.setdefault(w[:i] + "?" + w[i + 1 :], []).append(w)
        near = sorted(
            {w for i in range(len(upper)) for w in self._near_words.get(upper[:i] + "?" + upper[i + 1 :], ())},
            key=lambda w: -self.words[w],
        )
        best = upper
        if near and self.words[near[0]] >= NEAR_COUNT:
            if len(near) == 1 or self.words[near[0]] >= NEAR_COUNT * self.words[near[1]]:
                best = near[0]
        self._near_fixes[upper] = best
        return best

    def respell_near(self, text: str) -> tuple[str, int]:
        """The text with each unknown word read as the known word one letter away (`_near_fix`); how many were."""
        return _swap_words(text, self._near_fix)

    def _fix(self, token: str) -> str:
        """The most frequent known word reachable by at most MAX_FIXES learned confusions; the token if none. Only a
        digit inside a word ('SECT1ON') or a letter inside a number ('52ooo') may change, one letter for another too:
        'NO24', as many digits as letters, stays. A known word is kept unless one confusion away lies a word seen
        RARER_BY times as often: labels copy OCR's slips now and then ('JIN' 4 times, 'JLN' 34 times)."""
        upper = token.upper()
        if len(upper) < MIN_LENGTH or upper.isdigit():
            return upper
        if upper in self._cache:
            return self._cache[upper]
        digits = sum(ch.isdigit() for ch in upper)
        known = upper in self._known
        frontier, best = {upper}, (self.words[upper] * RARER_BY if known else 0, upper)
        for _ in range(1 if known else MAX_FIXES if digits * 2 != len(upper) else 0):
            wordy = digits * 2 < len(upper)
            frontier = {
                t[:i] + meant + t[i + 1 :]
                for t in frontier
                for i, ch in enumerate(t)
                for meant in self._subs.get(ch, ())
                if meant.isalpha() == wordy or ch.isalpha() == meant.isalpha()
            }
            for t in frontier:
                if t in self._known and self.words[t] > best[0]:
                    best = (self.words[t], t)
            if best[1] != upper:
                break
        self._cache[upper] = best[1]
        return best[1]

    def correct(self, text: str) -> tuple[str, int]:
        """The text with each unknown word put right where a known one is within reach; and how many were changed."""
        return _swap_words(text, self._fix)


def _swap_words(text: str, fix: Callable[[str], str]) -> tuple[str, int]:
    """The text with each word replaced by fix's reading of it (upper case, kept lower where the word was); how many
    words changed."""
    fixed = 0

    def swap(m: re.Match[str]) -> str:
        nonlocal fixed
        token = m.group(0)
        better = fix(token)
        if better == token.upper():
            return token
        fixed += 1
        return better if not token.islower() else better.lower()

    return TOKEN.sub(swap, text), fixed


def header_text(doc: Doc, rows: int = 20) -> str:
    return " ".join(line.text for line in doc.lines[:rows])


def with_corrections(doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
    """Each candidate's corrected reading added beside it (where it differs), every candidate with features saying how
    much of it the lexicon knows and how many words were corrected."""
    lexicon: Lexicon | None = doc.memo.get("lexicon")
    if lexicon is None or not lexicon.words:
        return candidates
    seen = {norm_text(c.value) for c in candidates}
    out = list(candidates)
    for c in candidates:
        c.features["known_share"] = lexicon.known_share(str(c.value))
        c.features["_near_known"] = float(lexicon.near_known(str(c.value)))
        c.features["corrected"] = c.features["respelled_near"] = 0.0
        text, fixed = lexicon.correct(str(c.value))
        near, respelled = lexicon.respell_near(text)
        for reading, changes in ((text, {"corrected": float(fixed)}), (near, {"respelled_near": float(respelled)})):
            if reading == c.value or norm_text(reading) in seen or not any(changes.values()):
                continue
            seen.add(norm_text(reading))
            features = {
                **c.features,
                "known_share": lexicon.known_share(reading),
                "_near_known": float(lexicon.near_known(reading)),
                "corrected": float(fixed),
                **changes,
            }
            out.append(Candidate(reading, c.words, features))
    return out

"""OCR slips inside common business and address words ('COMFANY', 'JALAM', 'Wsma') put back to their spelling."""

from __future__ import annotations

import re
from functools import lru_cache

# Words common to business names and addresses in English and Malay (Malaysia), not names of particular shops;
# the last row are header words kept as they are ('E-MAIL' is not a misread 'MALL').
LEXICON = frozenset(
    """
    sdn bhd berhad enterprise enterprises trading company corporation industries holdings services service
    marketing restaurant restoran cafe bakery bakeries hardware stationery stationary electrical electronics
    pharmacy farmasi kedai makanan minuman supermarket minimarket market mart store stores station general
    machinery supply supplies products product international group centre center beauty fashion motor auto
    parts engineering construction furniture book books bookstore kitchen food foods trade traders agency
    gift gifts printing paper office hotel resort pasaraya borong runcit perniagaan perusahaan
    jalan taman lorong bandar kawasan perindustrian industri seksyen pusat kampung batu bukit sungai
    persiaran lebuh lebuhraya wisma menara kompleks complex plaza mall floor level block blok road street
    avenue lane unit tingkat ground first second third shoplot
    selangor johor kedah kelantan melaka malacca negeri sembilan pahang perak perlis pulau pinang penang
    sabah sarawak terengganu kuala lumpur putrajaya labuan wilayah persekutuan federal territory malaysia
    darul ehsan takzim ridzuan aman khusus makmur naim
    shah alam petaling jaya klang subang puchong kajang cheras ampang rawang kepong damansara bangsar
    seremban semenyih bangi nilai cyberjaya sentul setapak segambut kelana serdang balakong seri indah
    utama perdana baru bahru mewah permai setia utara selatan timur barat tengah raya johor
    muda besar kecil hilir hulu damai emas intan mutiara permata
    mail email website cashier counter
    """.split()
)
_TOKEN = re.compile(r"[A-Za-z_]{4,}")
# Letters OCR mistakes for one another on receipt print ('COMFANY', 'SCLANGOR', 'Heauty', 'PERINJUSTRIAN').
LOOKALIKE = frozenset(frozenset(pair) for pair in "mn pf bh ec dj db il lj od oq uv gq hn ao rn".split())


def _one_edit(token: str, word: str) -> bool:
    """Whether the token is the word with one letter read as its look-alike, or (five letters and more) one dropped."""
    if len(token) == len(word):
        diff = [(x, y) for x, y in zip(token, word, strict=True) if x != y]
        return len(diff) == 1 and frozenset(diff[0]) in LOOKALIKE
    if len(token) == len(word) + 1 and token[-1] in "il" and token[:-1] == word:
        return True  # a comma or stroke after the word read as a thin letter ('Alami,')
    if len(word) - len(token) != 1 or len(word) < 5:
        return False  # a letter too many is more often a different word ('BAHRU', 'RESTAURANTS') than a misreading
    return any(word[:i] + word[i + 1 :] == token for i in range(len(word)))


@lru_cache(maxsize=1 << 14)
def _respell(token: str) -> str:
    lower = token.lower()
    if lower in LEXICON:
        return token
    if lower.count("_") == 1:  # a letter the recognizer could not read at all ('JA_AN')
        matches = [w for w in LEXICON if len(w) == len(lower) and re.fullmatch(lower.replace("_", "."), w)]
    else:
        matches = [word for word in LEXICON if "_" not in lower and _one_edit(lower, word)]
    if len(matches) != 1:
        return token  # none, or ambiguous: leave the reading as it is
    word = matches[0]
    if token.isupper():
        return word.upper()
    if token[0].isupper():
        return word.title()
    return word


def respell(text: str) -> str:
    """Every word of four letters or more one edit from exactly one lexicon word takes that word's spelling."""
    text = re.sub(r"(?<=[a-z]{3})9\b", "g", text)  # 'Rawan9': a lower-case word does not end in a digit
    text = _TOKEN.sub(lambda m: _respell(m.group(0)), text)
    return re.sub(r"\bIl\b", "II", text)  # roman two in a building name ('WISMA UOA Il')

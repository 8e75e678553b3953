"""What synthetic till receipts are made of: shop names, streets, items, payments, date formats, currency rules.

General knowledge of shop receipts (Malaysian ones mostly, as the product reads), not from any labelled set.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

WIDTH = 80 / 25.4 * 72  # an 80 mm till roll
MARGIN = 9.0
CENT = Decimal("0.01")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# ---------------------------------------------------------------- vocabulary (general knowledge of shop receipts)

MY_WORDS = (
    "SENG HENG",
    "AIK HUAT",
    "KIM LEE",
    "WAH FOOK",
    "GOLDEN MEI",
    "HUP SENG",
    "THONG KEE",
    "YEW LIAN",
    "JAYA MAJU",
    "SINAR BINTANG",
    "CAHAYA PERMATA",
    "MUTIARA",
    "SRI DAYA",
    "GEMILANG",
    "SEJAHTERA",
    "ANEKA",
    "TAN BROTHERS",
    "LIAN HIN",
    "CHOP KIM",
    "MEGAH",
    "RIMBUN",
    "HARMONI",
    "BESTARI",
    "SUNWAY LEAF",
    "EVERGREEN",
    "NEW STAR",
)
MY_TRADES = (
    "HARDWARE",
    "TRADING",
    "STATIONERY",
    "BOOK STORE",
    "MINI MARKET",
    "BAKERY",
    "RESTAURANT",
    "ELECTRICAL",
    "PHARMACY",
    "MOTOR",
    "FOOD INDUSTRIES",
    "MARKETING",
    "SUPERMARKET",
    "CAFE",
    "KITCHEN",
    "HOLDINGS",
)
MY_FORMS = ("SDN BHD", "SDN. BHD.", "(M) SDN BHD", "ENTERPRISE", "S/B", "TRADING", "")
MY_STREETS = (
    "JALAN BUKIT BINTANG",
    "JALAN SS 2/24",
    "JALAN PERMAS 10/2",
    "JALAN TUN RAZAK",
    "JALAN IPOH",
    "JLN MERANTI 3",
    "JALAN PUCHONG",
    "JALAN KLANG LAMA",
    "JALAN AMPANG",
    "JALAN SETIA 4/5",
    "JALAN KENARI 7",
    "JALAN DAMAI 12",
)
MY_AREAS = (
    "TAMAN SEA",
    "BANDAR BARU PERMAS JAYA",
    "TAMAN MELAWATI",
    "BANDAR PUTERI",
    "TAMAN DAYA",
    "SEKSYEN 13",
    "TAMAN CONNAUGHT",
    "BANDAR SUNWAY",
    "TAMAN MOLEK",
    "TAMAN SRI MUDA",
)
MY_CITIES = (
    ("47300", "PETALING JAYA", "SELANGOR", "03"),
    ("81750", "MASAI", "JOHOR", "07"),
    ("50450", "KUALA LUMPUR", "W.P. KUALA LUMPUR", "03"),
    ("47100", "PUCHONG", "SELANGOR", "03"),
    ("81300", "SKUDAI", "JOHOR", "07"),
    ("30450", "IPOH", "PERAK", "05"),
    ("10400", "GEORGE TOWN", "PULAU PINANG", "04"),
    ("40150", "SHAH ALAM", "SELANGOR", "03"),
    ("56000", "CHERAS", "KUALA LUMPUR", "03"),
    ("80100", "JOHOR BAHRU", "JOHOR", "07"),
)
WEST_WORDS = (
    "Blue Harbor",
    "Green Leaf",
    "Corner",
    "Maple",
    "Riverside",
    "Golden Gate",
    "Old Town",
    "Sunrise",
    "Lighthouse",
    "Oak & Ivy",
    "Northside",
    "Little Lion",
    "Kampong",
    "Marina",
    "Bakerloo",
    "Linden",
)
WEST_TRADES = ("Coffee", "Bakery", "Market", "Hardware", "Books", "Deli", "Pharmacy", "Kitchen", "Grocers", "Cafe")
REGIONS = {  # currency, legal forms, street / city lines, phone format, tax label and rate, tax mode choices
    "SG": (
        "SGD",
        ("Pte Ltd", "Pte. Ltd.", ""),
        ("{n} Orchard Road #0{u}-1{n}", "{n} Tanjong Pagar Road"),
        ("Singapore {p6}",),
        "+65 6{d3} {d4}",
        ("GST", "9"),
        ("excl", "incl"),
    ),
    "US": (
        "USD",
        ("Inc.", "LLC", "Co."),
        ("{n} Main Street", "{n} Market St Suite {u}"),
        ("Portland, OR 97{d3}", "Austin, TX 78{d3}", "Boston, MA 02{d3}"),
        "({d3}) {d3}-{d4}",
        ("Sales Tax", "8.25"),
        ("excl",),
    ),
    "EU": (
        "EUR",
        ("GmbH", "B.V.", "Ltd", ""),
        ("Hauptstrasse {n}", "Keizersgracht {n}", "Rue Cler {n}"),
        ("10115 Berlin", "1017 EG Amsterdam", "75007 Paris"),
        "+49 30 {d3}{d4}",
        ("VAT", "19"),
        ("incl",),
    ),
}
ITEMS = (
    ("MINERAL WATER 500ML", "1.20"),
    ("WHITE BREAD", "3.40"),
    ("KOPI O", "1.80"),
    ("TEH TARIK", "2.20"),
    ("NASI LEMAK", "4.50"),
    ("MEE GORENG", "6.00"),
    ("CHICKEN RICE", "7.50"),
    ("ICED LEMON TEA", "3.50"),
    ("A4 PAPER 80GSM", "12.90"),
    ("BALL PEN BLUE", "1.50"),
    ("STAPLER NO.10", "8.90"),
    ("CORRECTION TAPE", "4.20"),
    ('PVC PIPE 1/2"', "6.80"),
    ('SCREW 2" (100PCS)', "5.50"),
    ('PAINT BRUSH 2"', "4.90"),
    ("HAMMER 16OZ", "18.00"),
    ('CABLE TIE 8"', "3.20"),
    ("LED BULB 9W", "11.90"),
    ("EXTENSION CORD 3M", "24.90"),
    ("PANADOL 12S", "6.50"),
    ("VITAMIN C 500MG", "28.00"),
    ("CROISSANT", "4.80"),
    ("CHOC MUFFIN", "5.20"),
    ("CAFE LATTE", "9.90"),
    ("CAPPUCCINO", "9.50"),
    ("FRIED RICE", "8.90"),
    ("BEEF NOODLE", "10.50"),
    ("EGG TART", "2.40"),
    ("SUGAR 1KG", "2.85"),
    ("COOKING OIL 2KG", "11.50"),
    ("RICE 5KG", "17.90"),
    ("MILO 1KG", "15.99"),
    ("TISSUE 10 ROLLS", "13.50"),
    ("DETERGENT 2KG", "16.80"),
    ("NOTEBOOK A5", "3.90"),
    ("GLUE STICK", "2.60"),
)
THANKS = (
    "THANK YOU. PLEASE COME AGAIN.",
    "Thank you for shopping with us!",
    "TERIMA KASIH",
    "GOODS SOLD ARE NOT RETURNABLE",
    "Thank you & have a nice day",
    "*** THANK YOU ***",
)
PAYMENTS = (  # as printed, the method the rules name it by
    ("CASH", "cash"),
    ("CASH", "cash"),
    ("VISA", "visa"),
    ("MASTERCARD", "mastercard"),
    ("MASTER CARD", "mastercard"),
    ("DEBIT", "debit"),
    ("TOUCH N GO", "touch n go"),
    ("GrabPay", "grabpay"),
    ("CREDIT CARD", "credit card"),
    ("VISA CARD", "visa"),
    ("Boost", "boost"),
    ("E-WALLET", "e-wallet"),
)
DATE_FORMATS = (
    "{d:02d}/{m:02d}/{Y}",
    "{d:02d}-{m:02d}-{y:02d}",
    "{d:02d} {b} {Y}",
    "{d:02d}-{m:02d}-{Y}",
    "{d:02d}.{m:02d}.{Y}",
    "{Y}-{m:02d}-{d:02d}",
    "{d:02d}/{m:02d}/{y:02d}",
    "{d:02d}-{b}-{Y}",
)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def round_05(value: Decimal) -> Decimal:
    """Malaysian cash rounding: to the nearest five sen."""
    return money((value * 20).quantize(Decimal(1), ROUND_HALF_UP) / 20)

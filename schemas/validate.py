"""Checks that report issues beside the data without rejecting it: arithmetic, dates, currencies."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from decimal import Decimal

from schemas.common import TAX_RATES, DocSchema, Issue, Severity
from schemas.invoice import Invoice
from schemas.receipt import Receipt

CENT = Decimal("0.01")
# Cash is paid to the nearest 5 cents where the smallest coins are gone (Malaysia, Switzerland, Australia, Canada, the
# Netherlands): a receipt's final total may be its items' sum so rounded ('Rounding -0.02'), which is no mismatch.
CASH_STEP = Decimal("0.05")
# A date before this or more than a year in the future is implausible on a business document.
EARLIEST = dt.date(1990, 1, 1)


def _off(a: Decimal, b: Decimal, tolerance: Decimal = CENT) -> bool:
    """a and b differ by more than tolerance; a non-finite or overflowing difference is not a finding."""
    difference = abs(a - b)
    return difference.is_finite() and difference > tolerance


def _tolerance(*amounts: Decimal | None) -> Decimal:
    """A cent, or a little more when many rounded values are summed."""
    return CENT * max(1, len([a for a in amounts if a is not None]) // 4 + 1)


def _plausible_date(value: dt.date | None, path: str, today: dt.date) -> list[Issue]:
    if value is None:
        return []
    if value < EARLIEST or value > today + dt.timedelta(days=366):
        return [
            Issue(
                code="implausible_date",
                field=path,
                message=f"The date {value.isoformat()} is outside {EARLIEST.year}..{today.year + 1}; check the day/month order.",
                severity=Severity.WARNING,
            )
        ]
    return []


def _sum_check(
    lines: list[Decimal | None], subtotal: Decimal | None, field: str, what: str, gross: Decimal | None = None
) -> list[Issue]:
    """The lines' amounts add up to the subtotal; or, where prices include tax ('Prijzen zijn inclusief BTW', a
    receipt's GST-inclusive items), to the gross total. Lines that all read 0 say nothing about the sum."""
    amounts = [a for a in lines if a is not None]
    if subtotal is None or not amounts or len(amounts) != len(lines) or not any(amounts):
        return []
    total = sum(amounts, Decimal(0))
    if gross is not None and not _off(total, gross, _tolerance(*amounts)):
        return []
    if _off(total, subtotal, _tolerance(*amounts)):
        return [
            Issue(
                code="line_items_mismatch",
                field=field,
                message=f"The {what} add up to {total}, but the subtotal reads {subtotal}.",
                severity=Severity.ERROR,
            )
        ]
    return []


def _total_check(
    subtotal: Decimal | None,
    tax: Decimal | None,
    discount: Decimal | None,
    extra: Decimal | None,
    total: Decimal | None,
    field: str,
    receipt: bool = False,  # paid at a till: cash rounding and prices that include tax are no mismatch
) -> list[Issue]:
    if subtotal is None or total is None:
        return []
    expected = subtotal + (tax or 0) - abs(discount or 0) + (extra or 0)
    if (
        _off(expected, total)
        and not (receipt and _cash_rounded(expected, total, CASH_STEP))
        and not (receipt and _tax_included(subtotal, tax, discount, extra, total))
    ):
        parts = [f"subtotal {subtotal}"]
        if tax is not None:
            parts.append(f"+ tax {tax}")
        if discount:
            parts.append(f"- discount {abs(discount)}")
        if extra:
            parts.append(f"+ tip {extra}")
        return [
            Issue(
                code="total_mismatch",
                field=field,
                message=f"{' '.join(parts)} = {expected}, but the total reads {total}.",
                severity=Severity.ERROR,
            )
        ]
    return []


def _cash_rounded(expected: Decimal, total: Decimal, step: Decimal) -> bool:
    """total is expected rounded to the nearest step, as a till rounds what a customer pays in cash."""
    try:
        return total % step == 0 and abs(expected - total) * 2 <= step
    except decimal.InvalidOperation:
        return False


def _tax_included(
    subtotal: Decimal, tax: Decimal | None, discount: Decimal | None, extra: Decimal | None, total: Decimal
) -> bool:
    """A receipt whose prices include tax: the subtotal already is the total (or the total before cash rounding), and
    the tax is the share of it that a common rate makes (105.00 at 6% holds 5.94), so adding it again is no check.
    A service charge read beside such a subtotal is inside it too (extra is not added)."""
    if not tax or discount or (_off(subtotal, total, Decimal(0)) and not _cash_rounded(subtotal, total, CASH_STEP)):
        return False
    return any(not _off(subtotal * r / (100 + r), tax, CENT) for r in TAX_RATES)


# The largest share of a total a tax takes: 27% (Hungary's VAT, the highest standard rate) of the net, 21.3% of the
# gross; a tax above it is a misread tax or total.
MAX_TAX_SHARE = Decimal("0.22")


def _tax_share(tax: Decimal | None, total: Decimal | None, field: str) -> list[Issue]:
    if tax is None or total is None or tax <= 0 or total <= 0 or tax <= total * MAX_TAX_SHARE:
        return []
    return [
        Issue(
            code="tax_exceeds_rate",
            field=field,
            message=f"The tax {tax} is {tax / total:.0%} of the total {total}; no tax rate takes more than "
            f"{MAX_TAX_SHARE:.0%} of a total, so the tax or the total is misread.",
            severity=Severity.ERROR,
        )
    ]


def _negative(values: dict[str, Decimal | None]) -> list[Issue]:
    return [
        Issue(code="negative_amount", field=path, message=f"The amount {value} is negative; check for a misread sign.")
        for path, value in values.items()
        if value is not None and value < 0
    ]


def validate_invoice(doc: Invoice, today: dt.date) -> list[Issue]:
    issues: list[Issue] = []
    lines = [li.amount for li in doc.line_items]
    issues += _sum_check(lines, doc.subtotal, "/subtotal", "line items", doc.invoice_total)
    issues += _total_check(doc.subtotal, doc.total_tax, doc.total_discount, None, doc.invoice_total, "/invoice_total")
    issues += _tax_share(doc.total_tax, doc.invoice_total, "/total_tax")
    if doc.invoice_date and doc.due_date and doc.due_date < doc.invoice_date:
        issues.append(
            Issue(
                code="due_before_issue",
                field="/due_date",
                message=f"The due date {doc.due_date} is before the invoice date {doc.invoice_date}.",
                severity=Severity.ERROR,
            )
        )
    if doc.amount_due is not None and doc.invoice_total is not None and doc.amount_due > doc.invoice_total + CENT:
        issues.append(
            Issue(
                code="amount_due_exceeds_total",
                field="/amount_due",
                message=f"The amount due {doc.amount_due} is more than the invoice total {doc.invoice_total}.",
            )
        )
    for i, line in enumerate(doc.line_items):
        if line.quantity is not None and line.unit_price is not None and line.amount is not None:
            expected = line.quantity * line.unit_price
            with_tax = expected * (1 + (line.tax_rate or Decimal(0)) / 100)
            if _off(expected, line.amount) and _off(with_tax, line.amount):
                issues.append(
                    Issue(
                        code="line_amount_mismatch",
                        field=f"/line_items/{i}/amount",
                        message=f"{line.quantity} × {line.unit_price} = {expected}, but the line reads {line.amount}.",
                    )
                )
    issues += _plausible_date(doc.invoice_date, "/invoice_date", today)
    issues += _plausible_date(doc.due_date, "/due_date", today)
    issues += _negative({"/invoice_total": doc.invoice_total, "/subtotal": doc.subtotal, "/total_tax": doc.total_tax})
    return issues


def validate_receipt(doc: Receipt, today: dt.date) -> list[Issue]:
    issues: list[Issue] = []
    issues += _sum_check([it.amount for it in doc.items], doc.subtotal, "/subtotal", "items", doc.total)
    issues += _total_check(doc.subtotal, doc.total_tax, None, doc.tip, doc.total, "/total", receipt=True)
    issues += _tax_share(doc.total_tax, doc.total, "/total_tax")
    issues += _plausible_date(doc.transaction_date, "/transaction_date", today)
    issues += _negative({"/total": doc.total, "/subtotal": doc.subtotal})
    return issues


_VALIDATORS: dict[str, Callable[..., list[Issue]]] = {"invoice": validate_invoice, "receipt": validate_receipt}


def validate(doc: DocSchema, today: dt.date | None = None) -> list[Issue]:
    """Issues found in one extracted document; schemas without arithmetic have none."""
    check = _VALIDATORS.get(doc.kind)
    if check is None:
        return []
    # Any Decimal the schema accepts is checked: huge exponents overflow to Infinity instead of raising.
    with decimal.localcontext() as context:
        context.traps = dict.fromkeys(context.traps, False)
        return check(doc, today or dt.date.today())

"""Receipt schema (field names follow Azure prebuilt-receipt / Textract AnalyzeExpense, in snake_case)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from schemas.common import CurrencyCode, DocSchema, IsoDate, Money, Record
from schemas.registry import register_schema


class ReceiptItem(Record):
    description: str | None = Field(default=None, description="Item name as printed.")
    quantity: Decimal | None = Field(default=None, description="Number of units bought.")
    unit_price: Money = Field(default=None, description="Price of one unit.")
    amount: Money = Field(default=None, description="Line total as printed.")


@register_schema
class Receipt(DocSchema):
    kind: ClassVar[str] = "receipt"
    merchant_name: str | None = Field(default=None, description="Name of the shop or company, as printed at the top.")
    merchant_address: str | None = Field(default=None, description="Shop address, one line.")
    merchant_phone: str | None = Field(default=None, description="Shop phone number as printed.")
    transaction_date: IsoDate = Field(default=None, description="Date of the purchase, ISO YYYY-MM-DD.")
    transaction_time: str | None = Field(default=None, description="Time of the purchase, HH:MM or HH:MM:SS.")
    currency: CurrencyCode = Field(default=None, description="ISO 4217 currency code, e.g. MYR, USD.")
    items: list[ReceiptItem] = Field(default_factory=list, description="Items bought, in order.")
    subtotal: Money = Field(default=None, description="Sum of the items before tax.")
    total_tax: Money = Field(default=None, description="Tax charged (GST, VAT, sales tax).")
    tip: Money = Field(default=None, description="Tip or service charge added.")
    total: Money = Field(default=None, description="Amount paid in total, without currency symbol.")
    payment_method: str | None = Field(default=None, description="How it was paid: cash, card, e-wallet...")

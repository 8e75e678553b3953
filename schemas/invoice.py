"""Invoice schema (field names follow Azure prebuilt-invoice, in snake_case)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from schemas.common import CurrencyCode, DocSchema, IsoDate, Money, Record
from schemas.registry import register_schema


class InvoiceLine(Record):
    description: str | None = Field(default=None, description="What was sold, as printed on the line.")
    quantity: Decimal | None = Field(default=None, description="Number of units on the line.")
    unit: str | None = Field(default=None, description="Unit of measure, e.g. 'h', 'pcs', 'kg'.")
    unit_price: Money = Field(default=None, description="Price of one unit, without currency symbol.")
    tax_rate: Decimal | None = Field(default=None, description="Tax rate in percent, e.g. 21 for 21%.")
    amount: Money = Field(default=None, description="Line total as printed, without currency symbol.")


@register_schema
class Invoice(DocSchema):
    kind: ClassVar[str] = "invoice"
    vendor_name: str | None = Field(default=None, description="Name of the company that issued the invoice.")
    vendor_address: str | None = Field(default=None, description="Postal address of the vendor, one line.")
    vendor_tax_id: str | None = Field(default=None, description="Vendor's VAT / tax identification number.")
    customer_name: str | None = Field(default=None, description="Name of the customer billed.")
    customer_address: str | None = Field(default=None, description="Postal address of the customer, one line.")
    invoice_id: str | None = Field(default=None, description="Invoice number as printed.")
    invoice_date: IsoDate = Field(default=None, description="Date the invoice was issued, ISO YYYY-MM-DD.")
    due_date: IsoDate = Field(default=None, description="Date payment is due, ISO YYYY-MM-DD.")
    purchase_order: str | None = Field(default=None, description="Customer's purchase-order reference.")
    currency: CurrencyCode = Field(default=None, description="ISO 4217 currency code, e.g. EUR, USD.")
    line_items: list[InvoiceLine] = Field(default_factory=list, description="Billed lines, in order.")
    subtotal: Money = Field(default=None, description="Sum of the lines before tax.")
    total_tax: Money = Field(default=None, description="Total tax (VAT, GST, sales tax) charged.")
    total_discount: Money = Field(default=None, description="Total discount subtracted, as a positive amount.")
    invoice_total: Money = Field(default=None, description="Total including tax.")
    amount_due: Money = Field(default=None, description="Amount still to pay.")
    payment_terms: str | None = Field(default=None, description="Payment terms as printed, e.g. 'Net 30'.")

"""The words a person reads for a field path: '/items/0/unit_price' -> 'Item 1 unit price'."""

from __future__ import annotations

# Names that read badly when only the underscores are replaced.
LABELS = {"invoice_id": "Invoice number", "total_tax": "Tax", "vendor_tax_id": "Vendor tax ID", "html": "HTML"}
SINGULAR = {"line_items": "Line", "items": "Item", "fields": "Field", "rows": "Row", "columns": "Column"}


def field_label(path: str | None) -> str:
    """A JSON pointer as a label, counting rows from 1 as printed documents do; 'Document' for no field."""
    if not path or path == "/":
        return "Document"
    parts: list[str] = []
    tokens = path.strip("/").split("/")
    for i, token in enumerate(tokens):
        if token.isdigit() and i > 0 and tokens[i - 1] in SINGULAR:
            parts[-1] = f"{SINGULAR[tokens[i - 1]]} {int(token) + 1}"
        elif token.isdigit() and i > 0 and tokens[i - 1].isdigit():
            parts.append(f"cell {int(token) + 1}")  # a chart row's cells
        else:
            parts.append(LABELS.get(token, token.replace("_", " ")))
    text = " ".join(parts)
    return text[:1].upper() + text[1:]

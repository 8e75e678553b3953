"""docai: PDFs, receipts and screenshots into reviewed, structured data."""

__version__ = "0.1.0"

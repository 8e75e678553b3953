"""Generated training and test documents with exact labels."""

"""Learned choosers for the CPU `ocr` engine: layout rules propose candidates, a fitted model picks and calibrates."""

"""Layout rules that turn words with boxes into schema fields (the CPU `ocr` engine)."""

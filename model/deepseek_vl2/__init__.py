"""DeepSeek-VL2 (Tiny, Small, base) in process, matching the official deepseek-ai code; served by the deepseek-vl engine."""

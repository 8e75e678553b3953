"""`docai eval`: score an engine on a folder of documents with ground truth."""

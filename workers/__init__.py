"""Celery workers: the app (`workers.app`) and thin tasks that call the pipeline."""

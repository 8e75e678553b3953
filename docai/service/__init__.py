"""The service that moves documents between stages: jobs, queue, transport, reconcile, webhooks, watcher, auth."""

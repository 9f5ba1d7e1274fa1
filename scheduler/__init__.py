"""Publishing: the outbox dispatcher, channel adapters, the APScheduler service and its jobs.

Depends on `content` (models, workflow) and `bot` (WeChat client, notification delivery);
nothing in `content` or `bot` imports this package. The database is the only channel between
processes: approval writes `Publication` rows, the dispatcher claims the due ones.
"""

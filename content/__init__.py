"""The core: models, store, review chain, checks, tallies, annual report, staff web UI.

`content` imports nothing from `bot`, `scheduler` or `app`.
"""

"""The town's other disclosure channels: WeCom grid-group robots, bulletin boards, lobby screens, feeds.

Tables live in `content.channels_extra.models`; the scheduler's adapters (`scheduler/channels/
wecom_group.py`, `scheduler/channels/board.py`) call the functions here.
"""

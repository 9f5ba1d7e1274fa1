"""Everything WeChat: callbacks, chat commands, notifications, API clients and the sandbox emulator."""

"""The /wechat/work and /wechat/mp callback endpoints (safe mode only)."""

"""wechatpy 1.8.18 clients with configurable hosts and a database token cache, plus the missing APIs."""

"""Registers feeding the annual report: applications, interactions, appeals, table 二 figures, texts."""

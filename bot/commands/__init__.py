"""Chat commands, aiogram style: one Router per feature, handlers are plain functions, composed once
in `bot.commands.dispatcher`."""

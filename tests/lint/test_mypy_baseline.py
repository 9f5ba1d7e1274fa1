"""The type-check gate's rules: core packages clean, nothing new elsewhere, the baseline only shrinks."""

from collections import Counter

from lint import mypy_baseline as gate

CORE = 'content/store.py:12: error: Item "None" of "User | None" has no attribute "id"  [union-attr]'
WEB = 'web/pages/review.py:81: error: Argument 1 has incompatible type "int | None"  [arg-type]'
WEB_MOVED = WEB.replace(":81:", ":95:")
BOT = 'bot/reply.py:7: error: Name "x" already defined on line 3  [no-redef]'


def test_normalize_drops_line_numbers_in_place_and_message():
    assert gate.normalize(WEB) == gate.normalize(WEB_MOVED)
    assert gate.normalize(BOT) == 'bot/reply.py: Name "x" already defined on line N  [no-redef]'


def test_any_error_in_content_or_scheduler_fails_even_if_listed_in_the_baseline():
    baseline = Counter([gate.normalize(CORE)])
    core, new, stale = gate.judge([CORE], baseline)
    assert core == [CORE]
    assert not new


def test_a_new_error_outside_the_core_is_reported_and_a_moved_one_is_not():
    baseline = Counter([gate.normalize(WEB)])
    assert gate.judge([WEB_MOVED], baseline) == ([], Counter(), Counter())
    _, new, _ = gate.judge([WEB_MOVED, BOT], baseline)
    assert new == Counter([gate.normalize(BOT)])


def test_a_second_copy_of_a_baselined_error_is_new():
    baseline = Counter([gate.normalize(WEB)])
    _, new, _ = gate.judge([WEB, WEB_MOVED], baseline)
    assert sum(new.values()) == 1


def test_fixed_errors_are_stale_and_update_only_drops_lines(tmp_path):
    path = tmp_path / "baseline.txt"
    gate.write_baseline(Counter([gate.normalize(WEB), gate.normalize(BOT)]), path)
    baseline = gate.read_baseline(path)
    _, new, stale = gate.judge([WEB], baseline)
    assert not new and stale == Counter([gate.normalize(BOT)])
    gate.write_baseline(baseline - stale, path)
    assert gate.read_baseline(path) == Counter([gate.normalize(WEB)])

"""重新发送 on the official account without publishing twice.

A person resends a failed official-account publication from the publications page or the API. Before
that, and again when the scheduler sends it, every publish_id the row ever had is asked about with
`freepublish/get`: a free publication is not in the publish records (`freepublish/batchget`) while it
is still publishing (status 1), so the records alone cannot rule out a second copy.

- button time (`refusal`): a submit still publishing refuses the resend — "公众号仍在发布中，请稍后再试";
  a status that cannot be read refuses it too (nothing is decided on a failed lookup);
- send time (`earlier_outcome`): an earlier submit that was published is confirmed with its URL, one
  still publishing is followed (the row waits for it as `sent`), and only when every earlier submit
  failed for good does the row submit again — the old ids are kept in `earlier_publish_ids`.

A submit that left no publish_id at all (the process died during the call) can only be looked for in the
publish records; the confirm dialog of 重新发送 says so (`content.publications.resend_risk`).

Mass-send mode (群发): `message/mass/get` answers for a msg_id we hold (SENDING refuses the resend like
status 1). WeChat offers no list of mass sends — `freepublish/batchget` leaves them out and there is no
mass-send records interface — so a sendall that left no msg_id cannot be reconciled; such a row is never
sent again automatically (`channels.mp.mp_mass`), and a person checks the account's 群发记录.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.base import ChannelError, PublishJob, RemoteStatus, SendResult
from channels.mp import mp_mass

if TYPE_CHECKING:
    from channels.mp.mp import MpChannel

EARLIER = "earlier_publish_ids"
STILL_PUBLISHING = "公众号仍在发布中，请稍后再试"
STILL_MASS_SENDING = "公众号仍在群发中，请稍后再试"
CANNOT_CHECK = "暂时无法向公众号核实上次发布的状态，为避免重复发布请稍后再试"


def known_publish_ids(progress: dict) -> list[str]:
    """Every publish_id the row had, newest first."""
    ids = [progress.get("publish_id"), *reversed(progress.get(EARLIER) or [])]
    return [str(i) for i in dict.fromkeys(ids) if i]


def refusal(channel: MpChannel, job: PublishJob) -> str | None:
    """Why the row must not be resent now (Chinese), or None."""
    if mp_mass.is_mass(job):
        if not mp_mass._msg_id(job):
            return None  # nothing to ask: the mass-send path never repeats an unanswered sendall
        try:
            found = mp_mass.reconcile(channel, job)
        except ChannelError:
            return CANNOT_CHECK
        return STILL_MASS_SENDING if found.status is RemoteStatus.in_flight else None
    for publish_id in known_publish_ids(job.progress):
        try:
            found = channel._status(publish_id)
        except ChannelError:
            return CANNOT_CHECK
        if found.status is RemoteStatus.in_flight:
            return STILL_PUBLISHING
    return None


def earlier_outcome(channel: MpChannel, job: PublishJob) -> SendResult | None:
    """At send time of a row that was submitted before: follow an earlier submit that is published or still
    publishing; None when every one failed for good (the row then submits again, from a new draft).

    A lookup that fails raises `UnknownOutcome` (the row goes to `unknown`): nothing is submitted blind.
    """
    ids = known_publish_ids(job.progress)
    if not ids:
        return None
    answered = job.progress.get("publish_id")  # else the last submit is unanswered: send_free looks in the records
    for publish_id in ids:
        found = channel._status(publish_id)
        if found.status is RemoteStatus.published:
            job.step_done("publish_id", publish_id)
            return SendResult(found.remote_id, found.remote_url, confirmed=True)
        if found.status is RemoteStatus.in_flight:
            job.step_done("publish_id", publish_id)
            return SendResult(publish_id, confirmed=False)
    if answered:  # it failed for good: submit again, keeping the old ids to ask about next time
        job.progress.pop("publish_id", None)
        job.progress.pop("draft", None)  # a new draft: WeChat may have consumed the old one
        job.progress["submit_attempted"] = False
        job.step_done(EARLIER, list(reversed(ids)))  # oldest first
    return None

"""Alerts: tell reps and admins what a run did to them, by email and Slack-compatible webhooks.

A finished run's figures and written changes become alerts (`events`, from the builders in
`messages`, which know nothing of settings), each addressed to a recipient on a channel and
recorded once in the `alerts` table (`outbox`), then sent within a time budget with retries
(`delivery`, over the channels of `channels`). What is not delivered stays `pending` with its
error; the next run, or `territory-sync alerts send`, tries again. `alert_run` is the one call a
run makes: it never raises and never blocks a run longer than `[alerts] send_budget_seconds`.

The events: `book_changed` (one digest per rep whose accounts changed, and a summary for the
admins), `new_opportunity` (to the account owner), `no_eligible_member` (a territory nobody can
own), `run_failed`, `guard_rail` and `conflicts` (to the admins), and `below_goal_pace`
(`record_below_goal_pace`, for the scorecards to call with their (territory, attainment, pace)
figures; off unless `[alerts] events` lists it).
"""

from sync.alerts.run import alert_failed_run, alert_run, record_below_goal_pace

__all__ = ["alert_failed_run", "alert_run", "record_below_goal_pace"]

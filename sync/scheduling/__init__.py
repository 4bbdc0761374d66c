"""What the scheduler keeps in the database and decides: its jobs, instances and firings.

`jobs` names the scheduled jobs and their triggers, `instances` the heartbeat of each running
scheduler, `firings` the claim on each fire time (one run per fire time across instances),
`executor` hands each job its fire time, `firing_run` runs one firing, `single_instance` keeps a
second scheduler off an SQLite file, and `status` puts it all together for `scheduler status`, the
console and `/healthz`. The process itself (signals, the loop) is `scheduler.py`.
"""

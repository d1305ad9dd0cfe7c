"""Follow-through: in-app notifications (the /notifications/ pages, their API and the top bar's unread
count), reminders, email and team webhooks, the weekly digest, and the outbox of every send.

It stands apart because it is the one place that talks to the outside world on the product's behalf,
with its own rules: each reminder at most once per object, kind and day (a unique reminder log), every
send with timeouts and at most two retries with full jitter, then recorded as failed and shown. It reads
incidents, COEs and metrics; nothing it does changes them.
"""

#!/bin/sh
# What `atlas serve` does in a background thread, for a deployment of gunicorn app servers (docs/mail.md): deliver
# the outbox and work off machine translations every minute, queue due digests every hour, run the freshness cycle
# once a day. One such process per deployment is enough; two do no harm (claimed rows are skipped).
minute=0
while :; do
    atlas mail send || true          # exit 1: something must wait or failed (`atlas mail status` says what)
    atlas translate run || true
    if [ $((minute % 60)) -eq 0 ]; then atlas mail digest || true; fi
    if [ $((minute % 1440)) -eq 30 ]; then atlas freshness || true; fi
    minute=$((minute + 1))
    sleep 60
done

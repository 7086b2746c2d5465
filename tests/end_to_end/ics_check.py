"""Parses an iCalendar file from standard input with the icalendar package
(RFC 5545) and prints, as JSON, what the Rust test asserts on: the parse
errors icalendar collected instead of raising, the calendar's properties,
and each event's properties as icalendar decoded them (unfolded,
unescaped, typed)."""

import datetime
import json
import sys

from icalendar import Calendar


def decoded(value):
    if isinstance(value, list):
        return [decoded(v) for v in value]
    inner = getattr(value, "dt", value)
    if isinstance(inner, datetime.datetime):
        return {"datetime": inner.isoformat(), "utc": inner.utcoffset() == datetime.timedelta(0)}
    if isinstance(inner, datetime.date):
        return {"date": inner.isoformat()}
    if isinstance(inner, datetime.timedelta):
        return {"duration": inner.total_seconds()}
    return str(inner)


calendar = Calendar.from_ical(sys.stdin.buffer.read())
errors = []
for component in calendar.walk():
    errors.extend(f"{component.name}: {error}" for error in getattr(component, "errors", []))
events = []
for event in calendar.walk("VEVENT"):
    fields = {name: decoded(event.get(name)) for name in event}
    fields["alarms"] = [{name: decoded(alarm.get(name)) for name in alarm} for alarm in event.walk("VALARM")]
    events.append(fields)
print(
    json.dumps(
        {
            "name": calendar.name,
            "errors": errors,
            "properties": {name: decoded(calendar.get(name)) for name in calendar},
            "events": events,
        }
    )
)

"""What every request goes through, whatever the concern: the client's address behind trusted
proxies, throttles, the request log and its request id, redaction of pasted secrets, and the
health check.

    client      the client's address, from X-Forwarded-For only as far as proxies are trusted
    models      ThrottleWindow, the counters every worker and node shares
    throttle    hit(): an atomic count per client and window, in the database
    waits       optional_write(): how long a write waits for the database's lock
    redaction   redact(): tokens, passwords and cookies out of text before it is kept
    middleware  the request id, one log line per request, read-only database answers
    origin      is_same_origin(): whether a POST comes from the site's own pages, without tokens
    logging     puts the request id on every log record
    health      /healthz for operators and load balancers

Imports nothing else of the project's but the search interface, kb.search itself (for
/healthz), never a module inside it: every concern may use web.
"""

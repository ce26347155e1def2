"""Security headers on every response, so that the published corpus is safe to put online.

Article texts and comments are other people's words, and spam among them: the pages escape
or sanitize all of it, and these headers are the second line. No `script-src` rule:
Datasette's own pages use inline scripts, and nothing here adds any.
"""

from datasette import hookimpl

SECURITY_HEADERS = {
    "content-security-policy": "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
_RAW_HEADERS = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_headers(scope, receive, send):
            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    present = {name.lower() for name, _ in event.get("headers", [])}
                    extra = [(name, value) for name, value in _RAW_HEADERS if name not in present]
                    event = {**event, "headers": [*event.get("headers", []), *extra]}
                await send(event)

            await app(scope, receive, send_with_headers)

        return with_headers

    return wrap

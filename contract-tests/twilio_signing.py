"""Every Twilio webhook request signed as Twilio signs it.

X-Twilio-Signature over the exact URL (query included) and the posted form fields, with the
run's auth token. The signature is declared as the operations' credentials (an auth provider),
so the `ignored_auth` check still sends each webhook unsigned and wrongly signed and wants 403.
"""

from urllib.parse import parse_qsl

import requests
import schemathesis
from run_data import FIXTURES
from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"
# Set by the auth provider on cases that carry credentials; replaced by the signature just
# before sending, once the URL and body are final.
UNSIGNED = "to-be-signed"


@schemathesis.auth().apply_to(tag="webhooks")
class TwilioSignature:
    """The webhooks' credentials: a signature, computed per request in `before_call`."""

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
        return UNSIGNED

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        case.headers = case.headers or {}
        case.headers[SIGNATURE_HEADER] = data


def sign(case: schemathesis.Case) -> None:
    """Sign the request exactly as it will go out: prepared by `requests` like the transport does."""
    kwargs = case.as_transport_kwargs(base_url=FIXTURES["baseUrl"])
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        params=kwargs.get("params"),
        data=kwargs.get("data"),
        headers=kwargs.get("headers"),
    ).prepare()
    content_type = str(prepared.headers.get("Content-Type", "")).split(";")[0].strip().lower()
    body = prepared.body or ""
    if isinstance(body, bytes):
        body = body.decode("latin-1")
    params = _FormParams(
        parse_qsl(body, keep_blank_values=True) if content_type == "application/x-www-form-urlencoded" else []
    )
    token = FIXTURES["twilio"]["authToken"]
    case.headers[SIGNATURE_HEADER] = RequestValidator(token).compute_signature(prepared.url, params)


class _FormParams(dict[str, list[str]]):
    """Posted fields, repeated ones included, in the shape RequestValidator reads (`getlist`)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        for name, value in pairs:
            self.setdefault(name, []).append(value)

    def getlist(self, name: str) -> list[str]:
        return self[name]

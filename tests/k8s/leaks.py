"""Finding a secret in text however it was encoded: every base64-looking run is decoded, and so is every run in
what that gives, a few levels deep (a kubeconfig is base64 inside JSON and holds base64 of DER). Shared by the
tests that look for credentials in az's output and logs; not a test module itself."""

import base64
import binascii
import re

BASE64_RUN = re.compile(rb"[A-Za-z0-9+/_-]{12,}={0,2}")


def decoded_forms(data, depth=4):
    """``data`` and everything base64 decoding of its runs yields, recursively (``depth`` levels): a value hidden
    as base64 of base64 of ... shows up in one of them. Runs are tried at each of the 4 alignments (a run may start
    inside an escape such as ``\\n``) in the standard and URL-safe alphabets."""
    forms, frontier = [data], [data]
    for _ in range(depth):
        found = []
        for text in frontier:
            for run in BASE64_RUN.findall(text.replace(b"\\n", b"\n")):
                found.extend(_decodings(run.rstrip(b"=")))
        frontier = [f for f in dict.fromkeys(found) if len(f) >= 8]
        forms.extend(frontier)
    return forms


def _decodings(run):
    for start in range(4):
        chunk = run[start:]
        chunk = chunk[:len(chunk) - len(chunk) % 4] if len(chunk) % 4 != 1 else chunk[:-1]
        padded = chunk + b"=" * (-len(chunk) % 4)
        for alphabet in (b"+/", b"-_"):
            try:
                yield base64.b64decode(padded, altchars=alphabet, validate=True)
            except (binascii.Error, ValueError):
                pass


def leaked(needles, *texts):
    """The names of the needles found in any decoded form of ``texts``."""
    forms = [form for text in texts for form in decoded_forms(text.encode() if isinstance(text, str) else text)]
    return sorted({name for name, value in needles.items() for form in forms if value in form})

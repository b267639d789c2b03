"""What the netns tests' Python checks share: an ok/FAIL line per expectation, the result of one
port in winports' JSON, and an exit status that says whether any expectation failed."""
import sys

failed = False


def want(condition, text):
    global failed
    print(("ok: " if condition else "FAIL: ") + text)
    failed |= not condition


def one(results, port, transport):
    """The plain result (not a mapped RPC endpoint) for port/transport."""
    r = [x for x in results if x["port"] == port and x["transport"] == transport and "rpc" not in x]
    return r[0] if r else {"status": "missing", "detail": ""}


def done():
    sys.exit(1 if failed else 0)

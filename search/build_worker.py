"""A worker process of the embedded index's rebuild (`search.embedded`): run as
`python -m search.build_worker`, it calls the `search.embedded` build steps (`_tokenizer_*`,
`_writer_*`) it is asked to, in order.

Protocol, both ways: an 8-byte little-endian length, then a pickle. A request is
(function name, args); the answer is (True, result) or (False, exception). End of input ends it.
A fresh interpreter rather than a fork: the parent may hold a large heap (the documents) and
threads (the event loop's), and a forked child shares both.
"""

from __future__ import annotations

import os
import pickle
import sys


def main() -> None:
    # The answers get the pipe to the parent to themselves: anything printed goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    inp = sys.stdin.buffer

    from search import embedded

    while True:
        head = inp.read(8)
        if len(head) < 8:
            return
        name, args = pickle.loads(inp.read(int.from_bytes(head, "little")))
        try:
            if not name.startswith(("_tokenizer_", "_writer_")):
                raise ValueError(f"not a build step: {name}")
            answer = (True, getattr(embedded, name)(*args))
        except Exception as e:
            answer = (False, e)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:
            data = pickle.dumps((False, RuntimeError(f"{type(e).__name__}: {e}; answering {name}: {answer[1]!r}")))
        out.write(len(data).to_bytes(8, "little"))
        out.write(data)
        out.flush()


if __name__ == "__main__":
    main()

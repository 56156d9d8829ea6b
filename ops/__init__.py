"""Operations (issue 13 item 12): Prometheus metrics (ops.metrics), request ids and structured
logs (ops.logs). Infrastructure only: no rule of the regime lives here."""

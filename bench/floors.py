"""The SQL floors: one hand-written PostgreSQL statement computing what a page or command shows.

A page's floor is the least the database must do for it; its p95 divided by the floor says how much is Python,
templates and extra queries. Parameters are named (``%(b)s`` board, ``%(m)s`` municipality, ``%(d)s`` today …).
"""

RESOLVE_SQL = """
WITH u AS (
  SELECT u.id, u.board_id, b.region_id, COALESCE(op.provider_id, u.provider_id) AS provider_id
  FROM responsibility_unit u
  JOIN responsibility_board b ON b.id = u.board_id
  LEFT JOIN responsibility_unitoperatingperiod op
    ON op.unit_id = u.id AND op.valid_from <= %(d)s AND (op.valid_to IS NULL OR op.valid_to >= %(d)s)
  WHERE {where}
), roles(role) AS (VALUES ('MAS'), ('MAR'), ('OPERATIONS_MANAGER'), ('LEX_MARIA_REPORTER'))
SELECT u.id, r.role, h.person_id, p.first_name, p.last_name
FROM u CROSS JOIN roles r
LEFT JOIN LATERAL (
  SELECT a.person_id FROM responsibility_assignment a
  WHERE a.role = r.role AND a.kind = 'statutory' AND a.deputy_for_id IS NULL
    AND a.valid_from <= %(d)s AND (a.valid_to IS NULL OR a.valid_to >= %(d)s)
    AND (a.unit_id = u.id OR a.provider_id = u.provider_id OR a.board_id = u.board_id OR a.region_id = u.region_id)
  ORDER BY CASE WHEN a.unit_id IS NOT NULL THEN 1 WHEN a.provider_id IS NOT NULL THEN 2
                WHEN a.board_id IS NOT NULL THEN 3 ELSE 4 END
  LIMIT 1
) h ON true
LEFT JOIN responsibility_person p ON p.id = h.person_id
"""

DEVIATION_REPORT_SQL = """
SELECT d.category_id, d.state, d.unit_id, d.risk_score, date_trunc('month', d.occurred_at) AS month, count(*)
FROM incidents_deviation d JOIN responsibility_unit u ON u.id = d.unit_id
WHERE d.municipality_id = %(m)s AND u.board_id = %(b)s AND d.occurred_at >= %(start)s AND d.occurred_at < %(end)s
  AND d.state <> 'draft'
GROUP BY GROUPING SETS ((d.category_id), (d.state), (d.unit_id), (d.risk_score), (month), ())
"""

LEX_MARIA_REPORT_SQL = """
SELECT c.reference, c.route, c.state, c.decided_at, c.patient_informed_at, c.board_informed_at, c.ivo_sent_at,
       c.ivo_decision_at, c.closed_at, u.name
FROM incidents_lexmariacase c JOIN incidents_deviation d ON d.id = c.deviation_id
JOIN responsibility_unit u ON u.id = d.unit_id
WHERE (c.board_id = %(b)s OR c.purchasing_board_id = %(b)s) AND c.decided_at >= %(start)s AND c.decided_at < %(end)s
ORDER BY c.decided_at
"""

FOLLOWUP_REPORT_SQL = """
SELECT f.contract_id, f.state, count(DISTINCT f.id), count(DISTINCT fi.id), count(a.id),
       count(a.id) FILTER (WHERE a.state = 'verified'), count(a.id) FILTER (WHERE a.state <> 'verified' AND a.deadline < %(today)s)
FROM followup_followup f
LEFT JOIN followup_finding fi ON fi.follow_up_id = f.id
LEFT JOIN followup_action a ON a.finding_id = fi.id
WHERE f.board_id = %(b)s AND f.scheduled_date >= %(start_d)s AND f.scheduled_date < %(end_d)s
GROUP BY f.contract_id, f.state
"""

PATIENT_SAFETY_SQL = """
SELECT
  (SELECT count(*) FROM incidents_deviation d JOIN responsibility_unit u ON u.id = d.unit_id
    WHERE d.municipality_id = %(m)s AND u.board_id = %(b)s AND d.occurred_at >= %(start)s AND d.occurred_at < %(end)s
      AND d.state <> 'draft'),
  (SELECT json_agg(x) FROM (SELECT d.category_id, count(*) FROM incidents_deviation d
     JOIN responsibility_unit u ON u.id = d.unit_id
     WHERE d.municipality_id = %(m)s AND u.board_id = %(b)s AND d.occurred_at >= %(start)s AND d.occurred_at < %(end)s
     GROUP BY d.category_id) x),
  (SELECT count(*) FROM incidents_lexmariacase c WHERE c.board_id = %(b)s AND c.decided_at >= %(start)s
     AND c.decided_at < %(end)s),
  (SELECT count(*) FROM followup_followup f WHERE f.board_id = %(b)s AND f.scheduled_date >= %(start_d)s
     AND f.scheduled_date < %(end_d)s AND f.state = 'completed')
"""

FORM_UNITS_SQL = """
SELECT u.id, u.name FROM responsibility_assignment a JOIN responsibility_person p ON p.id = a.person_id
JOIN responsibility_unit u ON u.id = a.unit_id WHERE p.user_id = %(user)s AND a.role = 'REPORTER'
  AND a.valid_from <= %(d)s AND (a.valid_to IS NULL OR a.valid_to >= %(d)s)
"""

MAS_QUEUE_SQL = """
SELECT (SELECT count(*) FROM incidents_deviation d WHERE d.state = 'awaiting_mas_assessment' AND d.mas_person_id = %(p)s),
  (SELECT json_agg(x) FROM (SELECT d.id, d.reference, d.state, d.due_at, u.name, c.name FROM incidents_deviation d
     JOIN responsibility_unit u ON u.id = d.unit_id JOIN incidents_deviationcategory c ON c.id = d.category_id
     WHERE d.state = 'awaiting_mas_assessment' AND d.mas_person_id = %(p)s ORDER BY d.due_at LIMIT 25) x)
"""

# The MAS's deviation list: one page of 25 and the count the pager shows; {category} narrows both.
MAS_LIST_SQL = """
SELECT (SELECT count(*) FROM incidents_deviation d
        WHERE (d.mas_person_id = %(p)s OR d.board_mas_copy_id = %(p)s) AND d.state <> 'draft' {category}),
  (SELECT json_agg(x) FROM (SELECT d.id, d.reference, d.state, d.occurred_at, d.risk_score, u.name, c.name
     FROM incidents_deviation d JOIN responsibility_unit u ON u.id = d.unit_id
     JOIN incidents_deviationcategory c ON c.id = d.category_id
     WHERE (d.mas_person_id = %(p)s OR d.board_mas_copy_id = %(p)s) AND d.state <> 'draft' {category}
     ORDER BY d.reported_at DESC, d.id DESC LIMIT 25) x)
"""

UNIT_QUEUE_SQL = """
SELECT d.id, d.reference, d.state, d.due_at, c.name FROM incidents_deviation d
JOIN incidents_deviationcategory c ON c.id = d.category_id
WHERE d.unit_id = %(u)s AND d.state IN ('registered', 'investigating', 'actions')
ORDER BY d.due_at LIMIT 25
"""

LEX_MARIA_QUEUE_SQL = """
SELECT c.id, c.reference, c.state, c.decided_at, c.due_at, u.name FROM incidents_lexmariacase c
JOIN incidents_deviation d ON d.id = c.deviation_id JOIN responsibility_unit u ON u.id = d.unit_id
WHERE (c.board_id = %(b)s OR c.purchasing_board_id = %(b)s) AND c.state <> 'closed'
ORDER BY c.due_at NULLS LAST LIMIT 25
"""

DASHBOARD_SQL = """
SELECT date_trunc('month', d.occurred_at) AS m, count(*) FROM incidents_deviation d
JOIN responsibility_unit u ON u.id = d.unit_id WHERE u.board_id = %(b)s
  AND d.occurred_at >= %(two_years)s AND d.state <> 'draft' GROUP BY m
"""

SEARCH_SQL = """
SELECT d.id, d.reference FROM incidents_deviation d WHERE d.mas_person_id = %(p)s
  AND to_tsvector('swedish', d.description) @@ websearch_to_tsquery('swedish', 'föll')
ORDER BY d.occurred_at DESC LIMIT 21
"""

DEVIATION_SQL = """
SELECT d.*, u.name, c.name, (SELECT json_agg(t) FROM incidents_deviationtransition t WHERE t.deviation_id = d.id),
  (SELECT json_agg(a) FROM incidents_deviationaction a WHERE a.deviation_id = d.id)
FROM incidents_deviation d JOIN responsibility_unit u ON u.id = d.unit_id
JOIN incidents_deviationcategory c ON c.id = d.category_id WHERE d.id = %(id)s
"""

JOBS_SQL = """
SELECT
  (SELECT count(*) FROM incidents_deviation WHERE state IN ('registered', 'investigating',
    'awaiting_mas_assessment', 'actions') AND due_at < %(d)s),
  (SELECT count(*) FROM followup_action WHERE state <> 'verified' AND deadline <= %(d)s + 7),
  (SELECT count(*) FROM followup_delegation WHERE revoked_at IS NULL AND valid_to BETWEEN %(d)s AND %(d)s + 30),
  (SELECT count(*) FROM followup_followup WHERE state IN ('planned', 'in_progress') AND scheduled_date <= %(d)s + 7),
  (SELECT count(*) FROM incidents_lexmariacase WHERE state <> 'closed' AND due_at < %(d)s)
"""


def insert_floor(model, *, copy_of: int) -> tuple[str, dict]:
    """One INSERT of a whole row of ``model`` (copied from row ``copy_of``): the floor of a report POST."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    selected = [
        "'BENCH-FLOOR'" if c == "reference" else ("now()" if c in ("created_at", "updated_at", "reported_at") else c)
        for c in columns
    ]
    table = model._meta.db_table
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selected)} "  # noqa: S608 - model columns
        f"FROM {table} WHERE id = %(id)s RETURNING id",
        {"id": copy_of},
    )

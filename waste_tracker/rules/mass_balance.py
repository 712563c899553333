"""The cradle's time rules, each one set-based SQL statement in the shape ``alerts.store.sweep_rule``
expects (subject_key, manifest_id, licence_id, evidence, signature, generator_county,
receiver_county, generator_org_id, receiver_org_id, carrier_org_id). The site's county stands in
the generator (or receiver) county column, so the county bureau sees the alert.

The subjects are per site (and waste code, or period): a finding that stops holding auto-resolves.
"""

from __future__ import annotations

from waste_tracker import clock

Z = clock.SQL_ZONE
TODAY = f"(:now AT TIME ZONE {Z})::date"
_SITE_PARTIES = "{county}, NULL::integer, {org}, NULL::uuid, NULL::uuid"


def _site(county: str, org: str) -> str:
    return _SITE_PARTIES.format(county=county, org=org)


MASS_BALANCE_SQL: dict[str, str] = {
    "stored_too_long": f"""
        SELECT 'site:' || c.site_id || ':' || c.waste_code, NULL::uuid, NULL::uuid,
               jsonb_build_object('site_id', c.site_id, 'waste_code', c.waste_code, 'containers', count(*),
                                  'net_kg', sum(c.net_kg)::text, 'oldest_generated_on', min(c.generated_on),
                                  'threshold_days', max(lim.days),
                                  'identification_codes', (array_agg(c.identification_code ORDER BY c.generated_on))[1:20]),
               md5(c.site_id::text || c.waste_code || string_agg(c.id::text, ',' ORDER BY c.id)),
               {_site("c.county_adcode", "c.organisation_id")}
        FROM waste_container c
        CROSS JOIN LATERAL (SELECT CASE WHEN c.kind = 'hazardous' THEN :days ELSE :general_days END AS days) lim
        WHERE c.status IN ('in_storage', 'on_manifest') AND c.generated_on < {TODAY} - lim.days
        GROUP BY c.site_id, c.waste_code, c.county_adcode, c.organisation_id""",
    "stored_beyond_plan": f"""
        WITH planned AS (
            SELECT p.site_id, p.filing_number, w->>'waste_code' AS waste_code,
                   (w->>'expected_t')::numeric * 1000 / 12 AS monthly_kg
            FROM management_plan p CROSS JOIN LATERAL jsonb_array_elements(p.accepted_body->'wastes') w
            WHERE p.accepted_body IS NOT NULL AND p.year = extract(year FROM {TODAY})::int)
        SELECT 'site:' || c.site_id || ':' || c.waste_code, NULL::uuid, NULL::uuid,
               jsonb_build_object('site_id', c.site_id, 'waste_code', c.waste_code, 'filing_number', pl.filing_number,
                                  'stored_kg', sum(c.net_kg)::text, 'plan_monthly_kg', round(pl.monthly_kg, 3)::text,
                                  'months_of_generation', round(sum(c.net_kg) / pl.monthly_kg, 1)::text,
                                  'threshold_months', :plan_months, 'containers', count(*)),
               md5(c.site_id::text || c.waste_code || string_agg(c.id::text, ',' ORDER BY c.id)),
               {_site("c.county_adcode", "c.organisation_id")}
        FROM waste_container c JOIN planned pl ON pl.site_id = c.site_id AND pl.waste_code = c.waste_code
        WHERE c.status IN ('in_storage', 'on_manifest') AND pl.monthly_kg > 0
        GROUP BY c.site_id, c.waste_code, c.county_adcode, c.organisation_id, pl.filing_number, pl.monthly_kg
        HAVING sum(c.net_kg) > pl.monthly_kg * :plan_months""",
    "ledger_silent": f"""
        SELECT 'site:' || p.site_id, NULL::uuid, NULL::uuid,
               jsonb_build_object('site_id', p.site_id, 'filing_number', p.filing_number, 'last_generated_on', last.d,
                                  'threshold_days', :days,
                                  'silent_days', {TODAY} - COALESCE(last.d, (p.accepted_at AT TIME ZONE {Z})::date)),
               md5(p.site_id::text || '|' || COALESCE(last.d::text, '')),
               {_site("p.county_adcode", "p.organisation_id")}
        FROM management_plan p
        CROSS JOIN LATERAL (SELECT max(c.generated_on) AS d FROM waste_container c
                            WHERE c.site_id = p.site_id AND c.kind = 'hazardous') last
        WHERE p.kind = 'hazardous' AND p.management_class = 'key' AND p.accepted_body IS NOT NULL
          AND p.year = extract(year FROM {TODAY})::int
          AND COALESCE(last.d, (p.accepted_at AT TIME ZONE {Z})::date) < {TODAY} - :days""",
    "generation_below_plan": f"""
        WITH b AS (SELECT (date_trunc('month', {TODAY}) - interval '1 month')::date AS m0,
                          date_trunc('month', {TODAY})::date AS m1),
        planned AS (
            SELECT p.site_id, p.county_adcode, p.organisation_id, p.filing_number, w->>'waste_code' AS waste_code,
                   (w->>'expected_t')::numeric * 1000 / 12 AS monthly_kg
            FROM management_plan p CROSS JOIN b CROSS JOIN LATERAL jsonb_array_elements(p.accepted_body->'wastes') w
            WHERE p.kind = 'hazardous' AND p.management_class = 'key' AND p.accepted_body IS NOT NULL
              AND p.year = extract(year FROM b.m0)::int),
        g AS (
            SELECT pl.*, b.m0,
                   (SELECT COALESCE(sum(c.net_kg), 0) FROM waste_container c WHERE c.site_id = pl.site_id
                      AND c.waste_code = pl.waste_code AND c.generated_on >= b.m0 AND c.generated_on < b.m1) AS month_kg,
                   (SELECT sum(c.net_kg) / :trailing_months FROM waste_container c WHERE c.site_id = pl.site_id
                      AND c.waste_code = pl.waste_code AND c.generated_on < b.m0
                      AND c.generated_on >= (b.m0 - make_interval(months => :trailing_months))::date) AS trailing_kg,
                   EXISTS (SELECT 1 FROM waste_container c WHERE c.site_id = pl.site_id AND c.waste_code <> pl.waste_code
                             AND c.generated_on >= b.m0 AND c.generated_on < b.m1) AS producing
            FROM planned pl CROSS JOIN b)
        SELECT 'site:' || g.site_id || ':' || g.waste_code, NULL::uuid, NULL::uuid,
               jsonb_build_object('site_id', g.site_id, 'filing_number', g.filing_number, 'waste_code', g.waste_code,
                                  'month', to_char(g.m0, 'YYYY-MM'), 'generated_kg', round(g.month_kg, 3)::text,
                                  'plan_monthly_kg', round(g.monthly_kg, 3)::text,
                                  'trailing_average_kg', round(g.trailing_kg, 3)::text,
                                  'plan_share_percent', :plan_share_percent, 'trailing_percent', :trailing_percent),
               md5(g.site_id::text || g.waste_code || g.m0::text),
               {_site("g.county_adcode", "g.organisation_id")}
        FROM g
        WHERE g.producing AND (g.month_kg * 100 < :plan_share_percent * g.monthly_kg
                               OR (g.trailing_kg > 0 AND g.month_kg * 100 < :trailing_percent * g.trailing_kg))""",
    "plan_quantity_exceeded": f"""
        SELECT 'plan:' || p.id || ':' || (w->>'waste_code'), NULL::uuid, NULL::uuid,
               jsonb_build_object('plan_id', p.id, 'filing_number', p.filing_number, 'site_id', p.site_id,
                                  'waste_code', w->>'waste_code', 'planned_t', w->>'expected_t',
                                  'shipped_t', round(s.kg / 1000, 3)::text,
                                  'percent', round(s.kg / 10 / NULLIF((w->>'expected_t')::numeric, 0), 1)::text,
                                  'threshold_percent', :percent),
               md5(p.id::text || (w->>'waste_code') || p.accepted_version::text),
               {_site("p.county_adcode", "p.organisation_id")}
        FROM management_plan p
        CROSS JOIN LATERAL jsonb_array_elements(p.accepted_body->'wastes') w
        CROSS JOIN LATERAL (
            SELECT COALESCE(sum(CASE WHEN m.picked_up_kg IS NOT NULL AND m.declared_kg > 0
                                     THEN l.declared_kg * m.picked_up_kg / m.declared_kg ELSE l.declared_kg END), 0) AS kg
            FROM manifest m JOIN manifest_line l ON l.manifest_id = m.id
            WHERE m.generator_site_id = p.site_id AND m.kind = p.kind AND m.purpose = 'transfer'
              AND l.waste_code = w->>'waste_code' AND m.status NOT IN ('draft', 'deleted', 'cancelled')
              AND extract(year FROM (m.submitted_at AT TIME ZONE {Z})) = p.year) s
        WHERE p.accepted_body IS NOT NULL AND p.year = extract(year FROM {TODAY})::int
          AND s.kg * 100 > :percent * (w->>'expected_t')::numeric * 1000""",
    "plan_not_filed": f"""
        WITH y AS (SELECT extract(year FROM {TODAY})::int AS year, {TODAY} AS d)
        SELECT 'site:' || s.id || ':' || y.year, NULL::uuid, NULL::uuid,
               jsonb_build_object('site_id', s.id, 'site_name', s.name, 'year', y.year,
                                  'deadline', make_date(y.year, 3, 31), 'overdue', y.d > make_date(y.year, 3, 31)),
               md5(s.id::text || y.year::text || (y.d > make_date(y.year, 3, 31))::text),
               {_site("s.county_adcode", "s.organisation_id")}
        FROM site s JOIN organisation o ON o.id = s.organisation_id CROSS JOIN y
        WHERE 'generator' = ANY(o.roles) AND y.d >= make_date(y.year, 3, 31) - :remind_days
          AND (EXISTS (SELECT 1 FROM waste_container c WHERE c.site_id = s.id AND c.kind = 'hazardous'
                         AND c.generated_on >= make_date(y.year - 1, 1, 1))
               OR EXISTS (SELECT 1 FROM management_plan q WHERE q.site_id = s.id AND q.year = y.year - 1
                            AND q.kind = 'hazardous' AND q.accepted_body IS NOT NULL))
          AND NOT EXISTS (SELECT 1 FROM management_plan p WHERE p.site_id = s.id AND p.year = y.year
                            AND p.kind = 'hazardous' AND p.submitted_at IS NOT NULL)""",
    "declaration_overdue": f"""
        WITH units AS (
            SELECT p.site_id, p.year, p.management_class, p.county_adcode, p.organisation_id
            FROM management_plan p
            WHERE p.kind = 'hazardous' AND p.management_class IS NOT NULL AND p.submitted_at IS NOT NULL),
        periods AS (
            SELECT u.*, 'month' AS kind, gs::date AS start, (gs + interval '1 month')::date AS next_start
            FROM units u CROSS JOIN LATERAL generate_series(make_date(u.year, 1, 1), make_date(u.year, 12, 1),
                                                            interval '1 month') gs
            WHERE u.management_class = 'key'
            UNION ALL
            SELECT u.*, 'quarter', gs::date, (gs + interval '3 months')::date
            FROM units u CROSS JOIN LATERAL generate_series(make_date(u.year, 1, 1), make_date(u.year, 10, 1),
                                                            interval '3 months') gs
            WHERE u.management_class = 'simplified'
            UNION ALL
            SELECT u.*, 'year', make_date(u.year, 1, 1), make_date(u.year + 1, 1, 1) FROM units u),
        due AS (
            SELECT p.*, CASE WHEN p.kind = 'year' THEN make_date(extract(year FROM p.next_start)::int, 3, 31)
                             ELSE p.next_start + 14 END AS due_on
            FROM periods p)
        SELECT 'site:' || d.site_id || ':' || d.kind || ':' || d.start, NULL::uuid, NULL::uuid,
               jsonb_build_object('site_id', d.site_id, 'period_kind', d.kind, 'period_start', d.start,
                                  'period_end', d.next_start - 1, 'due_on', d.due_on,
                                  'management_class', d.management_class, 'days_late', {TODAY} - d.due_on),
               md5(d.site_id::text || d.kind || d.start::text),
               {_site("d.county_adcode", "d.organisation_id")}
        FROM due d
        WHERE d.due_on < {TODAY}
          AND NOT EXISTS (SELECT 1 FROM declaration x WHERE x.site_id = d.site_id AND x.period_kind = d.kind
                            AND x.period_start = d.start)""",
    "receiver_intake_unbalanced": f"""
        WITH bal AS (
            SELECT DISTINCT ON (site_id, month) * FROM receiver_balance ORDER BY site_id, month, version DESC),
        x AS (
            SELECT b.*, prev.stored_end_kg AS stored_start_kg,
                   (SELECT COALESCE(sum(COALESCE(m.accepted_kg, m.received_kg)), 0) FROM manifest m
                    WHERE m.receiver_site_id = b.site_id AND m.received_at IS NOT NULL
                      AND m.received_at >= (b.month::timestamp AT TIME ZONE {Z})
                      AND m.received_at < ((b.month + interval '1 month')::timestamp AT TIME ZONE {Z})) AS intake_kg
            FROM bal b JOIN bal prev ON prev.site_id = b.site_id AND prev.month = (b.month - interval '1 month')::date),
        y AS (SELECT x.*, x.utilised_kg + x.disposed_kg + x.stored_end_kg - x.stored_start_kg AS accounted_kg FROM x)
        SELECT 'site:' || y.site_id || ':' || y.month, NULL::uuid, NULL::uuid,
               jsonb_build_object('site_id', y.site_id, 'month', to_char(y.month, 'YYYY-MM'), 'version', y.version,
                                  'intake_kg', y.intake_kg::text, 'utilised_kg', y.utilised_kg::text,
                                  'disposed_kg', y.disposed_kg::text, 'stored_start_kg', y.stored_start_kg::text,
                                  'stored_end_kg', y.stored_end_kg::text, 'gap_kg', (y.intake_kg - y.accounted_kg)::text),
               md5(y.site_id::text || y.month::text || y.version::text || y.intake_kg::text),
               NULL::integer, y.county_adcode, NULL::uuid, y.organisation_id, NULL::uuid
        FROM y
        WHERE abs(y.intake_kg - y.accounted_kg) > :kg
          AND abs(y.intake_kg - y.accounted_kg) * 100 > :percent * greatest(y.intake_kg, y.accounted_kg)""",
}

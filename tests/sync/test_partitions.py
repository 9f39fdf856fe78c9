"""Head office on declarative partitions by station code: the same service, the same syncs, and each
station's queries touching one partition only."""

from __future__ import annotations

from sqlalchemy import text

from stationdesk.services.accept import accept
from tests.sync.conftest import HQ, HQService, new_database, prepared_hq
from tests.sync.test_sync import load, outbox_state, run_sync
from tests.conftest import feed_row

PARTS = 4

# The station-keyed tables of a sync, re-created PARTITION BY HASH (station_code). A partitioned
# table's unique keys must contain the partition key, so hq_op is keyed (station_code, op_id).
LAYOUT = """
ALTER TABLE hq_conflict DROP CONSTRAINT IF EXISTS hq_conflict_op_id_fkey;
DROP TABLE hq_op;
CREATE TABLE hq_op (
    op_id varchar NOT NULL, station_code varchar NOT NULL, seq bigint NOT NULL, action varchar NOT NULL,
    order_id bigint REFERENCES hq_order (id), payload jsonb NOT NULL, result varchar NOT NULL,
    message varchar NOT NULL, received_at timestamptz NOT NULL,
    CONSTRAINT hq_op_pkey PRIMARY KEY (station_code, op_id),
    CONSTRAINT uq_hq_op_station_seq UNIQUE (station_code, seq)
) PARTITION BY HASH (station_code);
ALTER TABLE hq_chain RENAME TO hq_chain_plain;
CREATE TABLE hq_chain (LIKE hq_chain_plain INCLUDING DEFAULTS) PARTITION BY HASH (station_code);
ALTER TABLE hq_chain ADD PRIMARY KEY (station_code, event_id, rebase);
DROP TABLE hq_chain_plain;
DROP TABLE hq_push_cursor;
CREATE TABLE hq_push_cursor (station_code varchar PRIMARY KEY, last_seq bigint NOT NULL,
                             updated_at timestamptz NOT NULL) PARTITION BY HASH (station_code);
""" + "".join(
    f"CREATE TABLE {t}_p{i} PARTITION OF {t} FOR VALUES WITH (MODULUS {PARTS}, REMAINDER {i});\n"
    for t in ("hq_op", "hq_chain", "hq_push_cursor") for i in range(PARTS)
)


def test_syncs_run_unchanged_on_tables_partitioned_by_station(pg_server, station_factory, tmp_path):
    url = new_database(pg_server)
    engine = prepared_hq(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(LAYOUT)
    service = HQService(url)
    service.start()
    try:
        office = HQ(service.url, engine)
        districts = {"HZ001": "西湖区", "HZ002": "拱墅区", "BJ001": "朝阳区"}
        desks = {code: station_factory(code) for code in districts}
        for n, (code, desk) in enumerate(desks.items()):
            load(desk, tmp_path, [feed_row(i, logistics_no=f"P{n}{i:07d}", sender_district=districts[code])
                                  for i in range(1, 21)])
            accept(desk, [f"P{n}{i:07d}" for i in range(1, 6)], "张敏")
            assert run_sync(desk, office, push_batch=7).pushed == 25
            assert outbox_state(desk) == (25, 0)
            assert run_sync(desk, office).pushed == 0  # nothing sent twice
        with engine.connect() as conn:
            assert conn.execute(text("SELECT relkind FROM pg_class WHERE relname = 'hq_op'")).scalar() == "p"
            where = dict(conn.execute(text(
                "SELECT station_code, array_agg(DISTINCT tableoid::regclass::text) FROM hq_op GROUP BY station_code")).all())
            assert {s: len(p) for s, p in where.items()} == {"HZ001": 1, "HZ002": 1, "BJ001": 1}
            assert len({p[0] for p in where.values()}) >= 2  # the stations are spread over partitions
            assert conn.execute(text("SELECT count(*) FROM hq_chain")).scalar() == 75
            # one station's lookups touch its own partition only
            plan = "\n".join(r[0] for r in conn.execute(text(
                "EXPLAIN SELECT * FROM hq_op WHERE station_code = 'HZ001' AND seq IN (1, 2, 3)")))
            chain_plan = "\n".join(r[0] for r in conn.execute(text(
                "EXPLAIN SELECT event_id, chain FROM hq_chain WHERE station_code = 'HZ001' AND superseded_at IS NULL "
                "ORDER BY event_id DESC LIMIT 1")))
        for p in (plan, chain_plan):
            assert sum(f"_p{i}" in p for i in range(PARTS)) == 1, p
    finally:
        service.stop()
        engine.dispose()

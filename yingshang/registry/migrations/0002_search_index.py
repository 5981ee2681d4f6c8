"""The name search index (see yingshang/registry/search.py), one form per database.

SQLite: a contentless FTS5 table of name bigrams, kept in step by the services.
PostgreSQL: a ``search_grams integer[]`` column filled by a trigger, with a GIN index, and
the two SQL functions the queries use. Other databases get nothing (search scans).
"""

from django.db import migrations

# The bigrams left out of the index (yingshang.registry.search.STOP_BIGRAMS, frozen here:
# changing the list needs a new migration that recreates the function and the grams).
STOP_GRAMS = ",".join(
    str((ord(pair[0]) * 1114112 + ord(pair[1])) % 2147483647) for pair in ("有限", "限公", "公司")
)
ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ASCII_LOWER = "abcdefghijklmnopqrstuvwxyz"

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE registry_entity_name_fts USING fts5("
    "grams, content='', detail='none', columnsize=0, tokenize='ascii')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS registry_entity_name_fts"]

POSTGRESQL_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION registry_search_text(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT translate(t, '{ASCII_UPPER}', '{ASCII_LOWER}') $$
    """,
    # The bigrams of a name as integers: (cp1 * 1114112 + cp2) mod (2^31 - 1), without
    # the stop bigrams. Python's yingshang.registry.search.name_grams() computes the same.
    f"""
    CREATE OR REPLACE FUNCTION registry_name_grams(t text) RETURNS integer[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    DECLARE
      chars text[] := string_to_array(translate(t, '{ASCII_UPPER}', '{ASCII_LOWER}'), NULL);
      n integer := coalesce(array_length(chars, 1), 0);
      result integer[] := '{{}}';
      stop constant integer[] := '{{{STOP_GRAMS}}}';
      prev bigint;
      cur bigint;
      gram integer;
    BEGIN
      IF n < 2 THEN
        RETURN result;
      END IF;
      prev := ascii(chars[1]);
      FOR i IN 2 .. n LOOP
        cur := ascii(chars[i]);
        gram := mod(prev * 1114112 + cur, 2147483647)::integer;
        IF gram <> ALL (stop) THEN
          result := result || gram;
        END IF;
        prev := cur;
      END LOOP;
      RETURN result;
    END
    $$
    """,
    "ALTER TABLE registry_marketentity ADD COLUMN search_grams integer[]",
    # Finer statistics of the grams: the search picks its plan from them.
    "ALTER TABLE registry_marketentity ALTER COLUMN search_grams SET STATISTICS 300",
    """
    CREATE OR REPLACE FUNCTION registry_entity_search_grams() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF NEW.search_grams IS NULL THEN
          NEW.search_grams := registry_name_grams(NEW.name);
        END IF;
      ELSIF NEW.name IS DISTINCT FROM OLD.name OR NEW.search_grams IS NULL THEN
        NEW.search_grams := registry_name_grams(NEW.name);
      END IF;
      RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER registry_entity_search_grams
    BEFORE INSERT OR UPDATE ON registry_marketentity
    FOR EACH ROW EXECUTE FUNCTION registry_entity_search_grams()
    """,
    "UPDATE registry_marketentity SET search_grams = registry_name_grams(name)",
    "CREATE INDEX registry_entity_search_grams ON registry_marketentity USING gin (search_grams)",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS registry_entity_search_grams ON registry_marketentity",
    "DROP FUNCTION IF EXISTS registry_entity_search_grams()",
    "DROP INDEX IF EXISTS registry_entity_search_grams",
    "ALTER TABLE registry_marketentity DROP COLUMN IF EXISTS search_grams",
    "DROP FUNCTION IF EXISTS registry_name_grams(text)",
    "DROP FUNCTION IF EXISTS registry_search_text(text)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


def _sqlite_fill(apps, schema_editor):
    """Index the entities that exist already (none on a fresh database)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    from yingshang.registry.search import fts_document

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM registry_marketentity")
        rows = cursor.fetchall()
        for entity_id, name in rows:
            cursor.execute(
                "INSERT INTO registry_entity_name_fts (rowid, grams) VALUES (%s, %s)",
                [entity_id, fts_document(name)],
            )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
            elidable=False,
        ),
        migrations.RunPython(_sqlite_fill, migrations.RunPython.noop),
    ]

"""Load GB/T 4754-2017 (original 2017 edition) from ``core/data/industries.csv``.

The file is pinned by its SHA-256: a later edition or the 2019 amendment comes as a new file
version with a new data migration, so this one keeps loading exactly what it always loaded.
"""

import csv
import hashlib
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "industries.csv"
CSV_SHA256 = "d454108c01afb5d6645030ea8b144feb5f9e2979f01c1945aa380a2fb1829788"


def load(apps, schema_editor):
    Industry = apps.get_model("core", "Industry")
    data = CSV_PATH.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != CSV_SHA256:
        raise RuntimeError(
            f"{CSV_PATH}: SHA-256 {digest} is not the GB/T 4754-2017 table this migration "
            f"loads ({CSV_SHA256}); add a new data migration for a new edition."
        )
    rows = list(csv.DictReader(data.decode("utf-8").splitlines()))
    sections = {}
    objects = []
    for position, row in enumerate(rows, start=1):
        parent = row["parent"] or None
        section = row["code"] if parent is None else sections[parent]
        sections[row["code"]] = section
        objects.append(
            Industry(
                code=row["code"],
                name=row["name"],
                level=row["level"],
                parent_id=parent,
                section=section,
                position=position,
            )
        )
    Industry.objects.using(schema_editor.connection.alias).bulk_create(objects, batch_size=500)


def unload(apps, schema_editor):
    Industry = apps.get_model("core", "Industry")
    db = schema_editor.connection.alias
    # Children first: the parent foreign key protects.
    for level in ("class", "group", "division", "section"):
        Industry.objects.using(db).filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

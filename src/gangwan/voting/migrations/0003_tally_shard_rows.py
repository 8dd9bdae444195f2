"""The counters' new shards for existing polls, and room on the counter table's pages. Apart from
0002 so that its locks on the ballot tables are released before this runs (each migration is its
own transaction on PostgreSQL)."""

from django.db import migrations

SHARDS = 64  # voting.models.TALLY_SHARDS when this migration was written (it was 8 before)


def add_counter_shards(apps, schema_editor):
    """Polls made with fewer counter shards get the missing rows (at zero: the sum is unchanged),
    so a ballot counted on any shard finds its rows."""
    Poll = apps.get_model("voting", "Poll")
    Tally = apps.get_model("voting", "Tally")
    for poll in Poll.objects.all().iterator():
        have = set(Tally.objects.filter(poll=poll).values_list("candidate_id", "shard"))
        owners = [None, *poll.candidates.values_list("id", flat=True)]
        Tally.objects.bulk_create(
            [
                Tally(poll=poll, candidate_id=c, shard=s, votes=0)
                for c in owners
                for s in range(SHARDS)
                if (c, s) not in have
            ],
            batch_size=1000,
        )


def tally_fillfactor(apps, schema_editor):
    """PostgreSQL: the counter rows are rewritten by every ballot; pages kept mostly empty let each
    new version stay beside the old one (heap-only updates, no index work) with fewer rows
    sharing a page's lock."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE voting_tally SET (fillfactor = 20)")


def tally_fillfactor_reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE voting_tally RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0002_ballot_indexes_tally_shards"),
    ]

    operations = [
        migrations.RunPython(tally_fillfactor, tally_fillfactor_reset),
        migrations.RunPython(add_counter_shards, migrations.RunPython.noop),
    ]

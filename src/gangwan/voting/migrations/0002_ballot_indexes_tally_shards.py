import django.db.models.deletion
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="tally",
            name="voting_tally_unique",
        ),
        migrations.AlterField(
            model_name="ballot",
            name="poll",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ballots",
                to="voting.poll",
            ),
        ),
        migrations.AlterField(
            model_name="ballotchoice",
            name="ballot",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="choices",
                to="voting.ballot",
            ),
        ),
        migrations.AddConstraint(
            model_name="tally",
            constraint=models.UniqueConstraint(
                fields=("poll", "shard", "candidate"), name="voting_tally_unique"
            ),
        ),
    ]

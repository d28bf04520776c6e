"""Store every account's address in its canonical form (common.identity.canonical_email), so
that every identity lookup can be an exact match.

Two accounts whose addresses have the same canonical form (or an address that has none) are
never merged silently: the migration stops and lists them, for an organiser to resolve by hand
(for example: give one account another address, or deactivate it) before migrating again.
"""

from collections import defaultdict

from django.db import migrations


def canonicalise(apps, schema_editor):
    from common.identity import InvalidEmail, canonical_email

    User = apps.get_model("common", "User")
    rows = list(User.objects.order_by("pk").values_list("pk", "email"))
    by_canonical = defaultdict(list)
    invalid = []
    for pk, email in rows:
        try:
            by_canonical[canonical_email(email)].append((pk, email))
        except InvalidEmail:
            invalid.append((pk, email))
    collisions = {key: users for key, users in by_canonical.items() if len(users) > 1}
    if collisions or invalid:
        lines = [
            f"  {key}: " + ", ".join(f"user {pk} <{email}>" for pk, email in users)
            for key, users in sorted(collisions.items())
        ] + [f"  user {pk} <{email}>: no canonical form" for pk, email in invalid]
        raise RuntimeError(
            "Cannot canonicalise the e-mail addresses of these accounts (resolve by hand,"
            " then migrate again):\n" + "\n".join(lines)
        )
    for key, [(pk, email)] in by_canonical.items():
        if key != email:
            User.objects.filter(pk=pk).update(email=key)


class Migration(migrations.Migration):
    dependencies = [("common", "0003_api_tokens")]

    operations = [migrations.RunPython(canonicalise, migrations.RunPython.noop)]

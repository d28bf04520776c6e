from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from common.enums import Role
from common.models import User
from prijzen.models import Category, Edition, Entry, Initiative
from prijzen.wordings import current_wordings

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.org")
    name = factory.Faker("name", locale="nl_NL")
    role = Role.ENTRANT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganiserFactory(UserFactory):
    role = Role.ORGANISER
    is_staff = True
    is_superuser = True


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Vrijwilligersprijzen {2020 + n}")
    slug = factory.Sequence(lambda n: f"editie-{n}")
    year = factory.Sequence(lambda n: 2020 + n % 80)  # the edition form takes 2000 to 2100
    entries_open_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    entries_close_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    # Its texts to agree to, as the edition form stores them.
    wordings = factory.PostGeneration(
        lambda edition, create, _e, **_kw: create and current_wordings(edition)
    )


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    edition = factory.SubFactory(EditionFactory)
    slug = factory.Sequence(lambda n: f"categorie-{n}")
    name = factory.Sequence(lambda n: f"Categorie {n}")


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Buurtinitiatief {n}")
    municipality = "Utrecht"
    province = "Utrecht"
    contact_name = factory.Faker("name", locale="nl_NL")


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry

    category = factory.SubFactory(CategoryFactory)
    edition = factory.SelfAttribute("category.edition")
    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Inzending {n}")


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "jury.Round"

    edition = factory.SubFactory(EditionFactory)
    kind = "final"
    name = factory.Sequence(lambda n: f"Juryronde {n}")
    state = "open"
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    jurors_per_entry = 2


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "jury.Criterion"

    round = factory.SubFactory(RoundFactory)
    position = factory.Sequence(int)
    name_nl = factory.Sequence(lambda n: f"Criterium {n}")
    name_en = factory.Sequence(lambda n: f"Criterion {n}")


class JuryMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "jury.JuryMember"

    round = factory.SubFactory(RoundFactory)
    user = factory.SubFactory(UserFactory, role=Role.JUROR)
    accepted_at = factory.LazyFunction(timezone.now)
    terms_accepted_at = factory.LazyFunction(timezone.now)

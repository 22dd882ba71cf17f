"""factory_boy factories, flushing into the test's session."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from organizer.accounts.models import User
from organizer.accounts.passwords import hash_password
from organizer.db import utcnow
from organizer.extensions import db

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    password_hash = _PASSWORD_HASH
    email_verified_at = factory.LazyFunction(utcnow)
    locale = "en"


# --- Groups ---------------------------------------------------------------------------------

from organizer.groups.models import Group, GroupMembership, GroupRole  # noqa: E402


class GroupFactory(BaseFactory):
    """A group owned by ``owner`` (a new user unless given)."""

    class Meta:
        model = Group

    slug = factory.Sequence(lambda n: f"group-{n}")
    name = factory.Sequence(lambda n: f"Group {n}")
    postal_address = "1 Rue de la Paix, 75002 Paris, France"

    @factory.post_generation
    def owner(obj, create, extracted, **kwargs):
        owner = extracted or UserFactory()
        db.session.add(GroupMembership(group_id=obj.id, user_id=owner.id, role=GroupRole.OWNER))
        db.session.flush()


# --- Campaigns ------------------------------------------------------------------------------

from organizer.campaigns.models import (  # noqa: E402
    Campaign,
    Demand,
    Membership,
    Role,
    Section,
)


class CampaignFactory(BaseFactory):
    """A draft campaign with its owner's membership; add text with the services."""

    class Meta:
        model = Campaign

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title = factory.Sequence(lambda n: f"Campaign {n}")
    summary = "We want the platforms to change."
    language = "en"
    created_by = factory.SubFactory(UserFactory)
    group = factory.LazyAttribute(lambda o: GroupFactory(owner=o.created_by, name=o.title))

    @factory.post_generation
    def owner_membership(obj, create, extracted, **kwargs):
        db.session.add(Membership(campaign_id=obj.id, user_id=obj.created_by.id, role=Role.OWNER))
        db.session.flush()


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    campaign = factory.SubFactory(CampaignFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ORGANIZER


class SectionFactory(BaseFactory):
    class Meta:
        model = Section

    campaign = factory.SubFactory(CampaignFactory)
    uid = factory.Sequence(lambda n: f"s{n:011d}")
    position = 0
    title = factory.Sequence(lambda n: f"Section {n}")
    topics = factory.LazyFunction(lambda: ["privacy"])


class DemandFactory(BaseFactory):
    class Meta:
        model = Demand

    section = factory.SubFactory(SectionFactory)
    uid = factory.Sequence(lambda n: f"d{n:011d}")
    position = 0
    text = factory.Sequence(lambda n: f"Demand number {n}.")
    topics = factory.LazyFunction(lambda: ["privacy"])
    jurisdictions = factory.LazyFunction(list)


# --- Events (screenings) ---------------------------------------------------------------------

import secrets  # noqa: E402
from datetime import timedelta  # noqa: E402

from organizer.campaigns.models import CampaignStatus  # noqa: E402
from organizer.events.models import (  # noqa: E402
    RSVP,
    Event,
    EventMode,
    EventStatus,
    RSVPStatus,
    Visibility,
)


class EventFactory(BaseFactory):
    """An approved in-person screening a week from now, in a published campaign."""

    class Meta:
        model = Event

    uid = factory.LazyFunction(lambda: secrets.token_hex(12))
    campaign = factory.SubFactory(
        CampaignFactory,
        status=CampaignStatus.PUBLISHED,
        first_published_at=factory.LazyFunction(utcnow),
    )
    host = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Screening {n}")
    description = "We watch the film, then we talk."
    starts_at = factory.LazyFunction(
        lambda: (utcnow() + timedelta(days=7)).replace(second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    timezone = "Europe/Paris"
    mode = EventMode.IN_PERSON
    venue_name = "Salle des fêtes"
    street_address = "12 rue des Lilas"
    city = "Lyon"
    postal_code = "69001"
    country = "FR"
    online_link = ""
    capacity = 10
    visibility = Visibility.PUBLIC
    is_home = False
    status = EventStatus.APPROVED
    terms_version = 1
    terms_accepted_at = factory.LazyFunction(utcnow)


class RSVPFactory(BaseFactory):
    """A confirmed guest; seat guests through organizer.events.rsvp to test capacity rules."""

    class Meta:
        model = RSVP

    event = factory.SubFactory(EventFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"guest{n}@example.org")
    party_size = 1
    locale = "en"
    status = RSVPStatus.GOING
    confirmed_at = factory.LazyFunction(utcnow)


# --- Signatures -----------------------------------------------------------------------------

from organizer.signatures.models import Signature, SignatureStatus  # noqa: E402


class SignatureFactory(BaseFactory):
    """A signature on a published campaign: pass ``campaign`` and ``revision``. Confirmed
    signatures made here are not journaled: fold counts only what the services record."""

    class Meta:
        model = Signature

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"signer{n}@example.org")
    canonical_email = factory.SelfAttribute("email")
    email_domain = "example.org"
    country = "GB"
    locale = "en"
    status = SignatureStatus.PENDING

    # Each true one becomes a consent row (organizer.signatures.consents), not a column.
    show_name = True
    receive_updates = False
    name_to_authorities = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from organizer.signatures.consents import consent_rows
        from organizer.signatures.models import SignatureConsent

        wanted = [p for p, name in _CONSENT_PARAMS.items() if kwargs.pop(name)]
        obj = super()._create(model_class, *args, **kwargs)
        at = obj.created_at or utcnow()
        db.session.add_all(SignatureConsent(**r) for r in consent_rows(obj.id, wanted, at))
        db.session.flush()
        return obj


_CONSENT_PARAMS = {
    "public_list": "show_name",
    "updates": "receive_updates",
    "name_to_authorities": "name_to_authorities",
}


# --- Supporters -----------------------------------------------------------------------------

from organizer.supporters.models import Supporter, SupporterStatus, Tag  # noqa: E402


class SupporterFactory(BaseFactory):
    """A subscribed supporter of ``group``; write consent through organizer.supporters."""

    class Meta:
        model = Supporter

    group_id = factory.LazyAttribute(lambda o: (o.group or GroupFactory()).id)
    email = factory.Sequence(lambda n: f"supporter{n}@example.org")
    canonical_email = factory.SelfAttribute("email")
    name = factory.Faker("name")
    country = "FR"
    language = "fr"
    status = SupporterStatus.SUBSCRIBED

    class Params:
        group = None


class TagFactory(BaseFactory):
    class Meta:
        model = Tag

    group_id = factory.LazyFunction(lambda: GroupFactory().id)
    name = factory.Sequence(lambda n: f"tag-{n}")

"""The coalition's pages: who may invite, answer, leave and see what; the invitation on the
partner's dashboard; the consent lines on the sign form; the logo, checked and served."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from organizer.extensions import db
from organizer.partners.models import Partner, PartnerStatus
from tests.support.web import csrf_token

from .conftest import SLUG, login, partner, setup

CAMPAIGN_PAGE = f"/organize/{SLUG}/partners"


def _post_button(client, page, action, **data):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def _partner_of(app, slug):
    with app.app_context():
        from .conftest import group_by_slug

        group = group_by_slug(slug)
        found = db.session.scalar(select(Partner).where(Partner.group_id == group.id))
        return (found.id, found.status) if found else None


@pytest.mark.parametrize("email", ["alice@example.org", "vic@example.org", "carol@example.org"])
def test_only_the_campaigns_owners_open_its_partners_page(app, client, groups, email):
    login(client, email)
    assert client.get(CAMPAIGN_PAGE).status_code in (403, 404)


def test_the_owner_invites_from_the_dashboard_and_the_partner_accepts_from_its_own(app, groups):
    owner = app.test_client()
    login(owner, "owner@example.org")
    dashboard = owner.get(f"/organize/{SLUG}").get_data(as_text=True)
    assert f'href="{CAMPAIGN_PAGE}"' in dashboard
    page = owner.get(CAMPAIGN_PAGE).get_data(as_text=True)
    response = owner.post(CAMPAIGN_PAGE, data={"csrf_token": csrf_token(page), "slug": "nobody"})
    assert response.status_code == 400 and "No group has the address" in response.get_data(
        as_text=True
    )
    response = owner.post(CAMPAIGN_PAGE, data={"csrf_token": csrf_token(page), "slug": "alpha"})
    assert response.status_code == 302
    assert "Alpha Collective is invited" in owner.get(CAMPAIGN_PAGE).get_data(as_text=True)
    partner_id, status = _partner_of(app, "alpha")
    assert status == PartnerStatus.INVITED

    # The group's viewer sees nothing to answer; its owner does, on the dashboard.
    viewer = app.test_client()
    login(viewer, "vic@example.org")
    assert "invites Alpha Collective" not in viewer.get("/organize/groups/alpha").get_data(
        as_text=True
    )
    accept = f"/organize/groups/alpha/partnerships/{partner_id}/accept"
    assert _post_button(viewer, "/organize/groups/alpha/partnerships", accept).status_code == 403
    # An outsider's group cannot answer for alpha.
    outsider = app.test_client()
    login(outsider, "carol@example.org")
    assert outsider.post(
        f"/organize/groups/gamma/partnerships/{partner_id}/accept"
    ).status_code in (400, 404)

    alice = app.test_client()
    login(alice, "alice@example.org")
    board = alice.get("/organize/groups/alpha").get_data(as_text=True)
    assert "Hosts invites Alpha Collective to be a partner of “Clean air now”." in board
    response = _post_button(alice, "/organize/groups/alpha", accept)
    assert response.status_code == 302
    assert _partner_of(app, "alpha")[1] == PartnerStatus.ACTIVE
    html = alice.get(response.headers["Location"]).get_data(as_text=True)
    assert "is now a partner of" in html and "data-cahier-sign=&#34;clean-air&#34;" in html
    assert "data-source=&#34;partner-alpha&#34;" in html


def test_a_decline_from_the_dashboard_goes_back_to_it(app, groups):
    with setup(app):
        from organizer.partners import services

        from .conftest import campaign_by_slug

        campaign = campaign_by_slug(SLUG)
        partner_id = services.invite(campaign, "beta", campaign.created_by).id
    bob = app.test_client()
    login(bob, "bob@example.org")
    response = _post_button(bob, "/organize/groups/beta",
                            f"/organize/groups/beta/partnerships/{partner_id}/decline",
                            next="dashboard")  # fmt: skip
    assert response.headers["Location"].endswith("/organize/groups/beta")
    assert _partner_of(app, "beta")[1] == PartnerStatus.DECLINED
    # Answered already: a second click is told so, and changes nothing.
    again = _post_button(bob, "/organize/groups/beta/partnerships",
                         f"/organize/groups/beta/partnerships/{partner_id}/accept")  # fmt: skip
    assert "changed in the meantime" in bob.get(again.headers["Location"]).get_data(as_text=True)
    assert _partner_of(app, "beta")[1] == PartnerStatus.DECLINED


def test_the_sign_form_has_one_unticked_line_per_active_partner_only(app, client, coalition):
    with setup(app):
        from organizer.partners import services

        from .conftest import campaign_by_slug, owner_of

        campaign = campaign_by_slug(SLUG)
        services.invite(campaign, "gamma", campaign.created_by)  # invited, not yet a partner
        services.leave(partner(coalition.beta), owner_of("beta"), by_campaign=False)
    for url in (f"/c/{SLUG}", f"/c/{SLUG}/sign", f"/embed/{SLUG}/sign"):
        html = client.get(url).get_data(as_text=True)
        boxes = re.findall(r'<input[^>]*name="partners"[^>]*>', html)
        assert len(boxes) == 1, url
        assert f'value="{coalition.alpha}"' in boxes[0] and "checked" not in boxes[0]
        assert "Keep me informed by Alpha Collective." in html
        assert "Beta Union" not in html and "Gamma Club" not in html


def test_the_campaign_page_shows_the_partners_names_and_logos(app, client, coalition):
    owner = app.test_client()
    login(owner, "alice@example.org")
    page = "/organize/groups/alpha/partnerships"
    token = csrf_token(owner.get(page).get_data(as_text=True))
    logo = _image("PNG", size=(1200, 300))
    response = owner.post(f"{page}/{coalition.alpha}/logo", data={
        "csrf_token": token, "logo": (io.BytesIO(logo), "logo.png"),
    }, content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    html = client.get(f"/c/{SLUG}").get_data(as_text=True)
    with app.app_context():
        public_id = partner(coalition.alpha).public_id
    assert f'src="/partners/{public_id}/logo"' in html and "Beta Union" in html
    served = client.get(f"/partners/{public_id}/logo")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert "public" in served.headers["Cache-Control"] and "Set-Cookie" not in served.headers
    assert Image.open(io.BytesIO(served.data)).size == (480, 120)  # scaled into its box
    again = client.get(
        f"/partners/{public_id}/logo", headers={"If-None-Match": served.headers["ETag"]}
    )
    assert again.status_code == 304


def test_a_file_that_is_not_a_png_or_jpeg_is_refused_with_a_message(app, coalition):
    owner = app.test_client()
    login(owner, "alice@example.org")
    page = "/organize/groups/alpha/partnerships"
    for name, data in (("logo.gif", _image("GIF")), ("logo.png", b"<svg onload=alert(1)>")):
        token = csrf_token(owner.get(page).get_data(as_text=True))
        response = owner.post(f"{page}/{coalition.alpha}/logo", data={
            "csrf_token": token, "logo": (io.BytesIO(data), name),
        }, content_type="multipart/form-data")  # fmt: skip
        assert response.status_code == 302
        html = owner.get(response.headers["Location"]).get_data(as_text=True)
        assert "PNG or JPEG" in html, name
    with app.app_context():
        assert partner(coalition.alpha).logo is None


def test_a_group_sees_only_its_own_partnerships(app, coalition):
    bob = app.test_client()
    login(bob, "bob@example.org")
    assert bob.get("/organize/groups/alpha/partnerships").status_code == 404
    mine = bob.get("/organize/groups/beta/partnerships").get_data(as_text=True)
    assert "partner-beta" in mine and "partner-alpha" not in mine
    # Another group's partnership id is not found through one's own group.
    assert _post_button(bob, "/organize/groups/beta/partnerships",
                        f"/organize/groups/beta/partnerships/{coalition.alpha}/leave"
                        ).status_code == 404  # fmt: skip
    carol = app.test_client()
    login(carol, "carol@example.org")
    assert "not a partner of any campaign yet" in carol.get(
        "/organize/groups/gamma/partnerships").get_data(as_text=True)  # fmt: skip


def test_the_campaign_owner_ends_a_partnership(app, coalition):
    owner = app.test_client()
    login(owner, "owner@example.org")
    response = _post_button(owner, CAMPAIGN_PAGE, f"{CAMPAIGN_PAGE}/{coalition.beta}/end")
    assert response.status_code == 302
    assert "The consents signers gave it stay" in owner.get(CAMPAIGN_PAGE).get_data(as_text=True)
    assert _partner_of(app, "beta")[1] == PartnerStatus.LEFT
    # A partner of another campaign cannot be ended from this one.
    assert owner.post(f"{CAMPAIGN_PAGE}/999999/end").status_code in (400, 404)


def test_the_partner_saves_its_site(app, coalition):
    alice = app.test_client()
    login(alice, "alice@example.org")
    page = "/organize/groups/alpha/partnerships"
    for typed, expected in (("alpha.example.org/", "https://alpha.example.org"), ("ftp://x", None)):
        token = csrf_token(alice.get(page).get_data(as_text=True))
        alice.post(f"{page}/{coalition.alpha}/origin", data={"csrf_token": token, "origin": typed})
        with app.app_context():
            assert partner(coalition.alpha).origin == (expected or "https://alpha.example.org")
    html = alice.get(page).get_data(as_text=True)
    assert "Give the address of your site" in html
    viewer = app.test_client()
    login(viewer, "vic@example.org")
    assert (
        _post_button(
            viewer, page, f"{page}/{coalition.alpha}/origin", origin="https://evil.example"
        ).status_code
        == 403
    )


def _image(kind, size=(64, 32)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind)
    return out.getvalue()

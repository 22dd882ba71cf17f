"""SQL statements of a confirmation POST, counted at the engine: a fixed ceiling.

Confirming is the second half of every signature in a spike (issue 18), and each statement
is a round trip plus the ORM's work. A new lazy load or a reload after the commit fails
this; then the ceiling is raised on purpose, with a reason, or the query is folded away.
"""

from __future__ import annotations

from tests.campaigns.test_page_queries import statements

from .conftest import ORIGIN
from .test_views import FORM, _confirm_link, published

# The form ticks the updates box. Find the signature by its token (with its campaign), the
# guarded UPDATE … RETURNING, the pledge commitments, the count journal, the erased-twin
# check, the updates consent, the supporter (look up, insert, read back, the suppression
# lock and flag, update; then the consent event and the status), the signature's and the
# commitments' supporter, the webhooks and the partners' consents. Before issue 18's
# second pass: 23 (a refresh after the UPDATE, the campaign loaded twice and its group
# once more, the signature and the campaign again after the commit, for the page).
CEILING = 18


def test_a_confirmation_stays_under_the_ceiling(app, client):
    published(app, slug="confirm-queries")
    response = client.post("/c/confirm-queries/sign", data=FORM, headers=ORIGIN)
    assert "Check your email" in response.get_data(as_text=True)
    link = _confirm_link(app, FORM["email"])
    with statements(app) as seen:
        response = client.post(link, headers=ORIGIN)
    assert response.status_code == 200
    assert "your signature is confirmed" in response.get_data(as_text=True)
    assert len(seen) <= CEILING, "\n".join(s.split("\n")[0][:120] for s in seen)

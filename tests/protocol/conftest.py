"""Every advice any protocol test computes is also checked for its languages: French texts
with decimal commas and dd/mm/yyyy dates, English texts with decimal points and ISO dates."""

import pytest

from protocol.advise import Advice

from .support import language_slips


@pytest.fixture(autouse=True)
def _texts_in_their_language(monkeypatch):
    to_dict = Advice.to_dict

    def checked(self) -> dict:
        data = to_dict(self)
        slips = language_slips(data)
        assert not slips, "\n".join(slips)
        return data

    monkeypatch.setattr(Advice, "to_dict", checked)

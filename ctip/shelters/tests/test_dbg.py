from django.urls import reverse
from ctip.accounts.roles import Role
from ctip.core.testing import verified_client
from .test_shelters import home  # noqa

def test_dbg(cast, home):
    from ctip.shelters.selectors import capacity_board
    print("ROWS", capacity_board(user=cast.a[Role.HOTLINE_OPERATOR]))
    r = verified_client(cast.a[Role.HOTLINE_OPERATOR]).get(reverse("shelters:board"))
    open("/tmp/board.html","w").write(r.content.decode())

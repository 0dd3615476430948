import re
from urllib.parse import urljoin, urlparse

import pytest

from ctip.core.browser_testing import sign_in
from ctip.core.tests.test_browser_csp import watched  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SKIP = re.compile(r"logout|\.pdf|/pdf|export|graphml|download|csv|xlsx|bundle|/files/|photo|/api/|/static/|/undo|/confirm|/reject|/file/")


@pytest.mark.parametrize("login", ["caseworker", "investigator", "supervisor", "orgadmin", "shelter", "legal", "prevention", "statistics", "hotline"])
def test_crawl(watched, login):
    sign_in(watched.page, login)
    page = watched.page
    seen, queue, statuses = set(), ["/"], {}
    while queue and len(seen) < 45:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        r = page.goto(path)
        statuses[path] = r.status if r else None
        page.wait_for_timeout(150)
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))"):
            u = urlparse(urljoin(page.url, href))
            if u.netloc != urlparse(page.url).netloc or SKIP.search(u.path):
                continue
            p = u.path + ("?" + u.query if u.query else "")
            if p not in seen and p not in queue and p.count("/") < 6:
                queue.append(p)
    print(login, len(seen), {k: v for k, v in statuses.items() if v != 200})
    page.wait_for_timeout(300)
    assert watched.problems == []

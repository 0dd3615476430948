"""In a real browser: record an arrest and charges, upload evidence, produce a court bundle,
verify it offline."""

import pytest
from playwright.sync_api import expect

from ctip.core.browser_testing import sign_in
from ctip.evidence.bundles import verify_bundle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_an_investigator_charges_a_suspect_uploads_evidence_and_bundles_it(page, tmp_path):
    sign_in(page, "investigator")
    page.goto("/justice/")
    page.click("tr:has-text('Online abuse via messaging app') a")
    detail = page.url

    page.click("#suspects >> text=Record arrest")
    page.fill("input[name=agency]", "Anti-Human Trafficking Police")
    page.fill("input[name=place]", "Tuol Kork")
    page.click("main form button[type=submit]")
    expect(page.locator("#suspects .arrests")).to_contain_text("Tuol Kork")

    page.click("#suspects >> text=Add charge")
    page.select_option("select[name=article]", label="Art. 34 — purchase of child prostitution")
    page.click("main form button[type=submit]")
    expect(page.locator("#suspects .charges")).to_contain_text("Art. 34")

    page.click("text=Add evidence")
    page.select_option("select[name=kind]", "document")
    page.fill("input[name=title]", "Chat transcript")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "chat.txt", "mimeType": "text/plain", "buffer": b"synthetic chat\n"}],
    )
    page.click("main form button[type=submit]")
    import hashlib

    expect(page.locator("#sha256")).to_have_text(hashlib.sha256(b"synthetic chat\n").hexdigest())

    page.goto(detail)
    page.check("#evidence input[name=items] >> nth=0")
    page.check("#evidence input[name=items] >> nth=1")
    page.fill("#bundle-reason", "Phnom Penh Municipal Court")
    with page.expect_download() as info:
        page.click("text=Download court bundle")
    path = tmp_path / "bundle.zip"
    info.value.save_as(path)
    report = verify_bundle(path)
    assert report.ok, report.problems
    assert report.items == 2

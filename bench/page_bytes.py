"""Bytes transferred for the main pages, as each role, since case workers use phones on slow
rural links: HTML, CSS and JS, raw and gzip-compressed, and what the server actually sends.

Starts the app with DEBUG off under bench/serve.py (static files from whitenoise, after
collectstatic), signs in demo users, fetches each page with `Accept-Encoding: gzip` and then
every stylesheet and script it links. "sent" is what went over the wire (compressed when the
server compressed it); "gzip" is what gzip -6 would make of the same bytes. Also records the
Cache-Control of static files: what a repeat visit must download again.

    DATABASE_URL=postgres://postgres@127.0.0.1:55434/ctip_full .venv/bin/python bench/page_bytes.py

Works on any database with the demo data (seed_demo). Writes bench/results/page_bytes.json.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Server, connect_sql, machine, sign_in, write_results  # noqa: E402

ASSET = re.compile(
    r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"|<link[^>]+href="([^"]+)"[^>]+rel="stylesheet"'
    r'|<script[^>]+src="([^"]+)"'
)


def pages(case_uuid: str, person_uuid: str) -> dict[str, list[str]]:
    return {
        "caseworker": [
            "/",
            "/cases/",
            f"/cases/{case_uuid}/",
            "/cases/my-work/",
            "/people/",
            f"/people/{person_uuid}/",
        ],
        "hotline": ["/", "/intake/", "/intake/new/"],
        "statistics": ["/", "/statistics/"],
        "investigator": ["/", "/justice/"],
        "shelter": ["/", "/shelters/"],
    }


def fetch(session, url: str) -> dict:
    response = session.get(url, headers={"Accept-Encoding": "gzip"}, stream=True)
    sent = len(response.raw.read(decode_content=False))
    response.raw.close()
    return {
        "status": response.status_code,
        "sent": sent,
        "encoding": response.headers.get("Content-Encoding", ""),
        "cache_control": response.headers.get("Cache-Control", ""),
    }


def body(session, url: str) -> bytes:
    return session.get(url).content


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="page_bytes")
    args = parser.parse_args()
    with connect_sql() as conn:
        case_uuid, person_uuid = conn.execute(
            "SELECT c.uuid, p.uuid FROM cases_case c JOIN people_person p ON p.id = c.person_id "
            "JOIN accounts_user u ON u.organisation_id = c.organisation_id "
            "WHERE u.email = 'caseworker@demo.ctip.test' ORDER BY c.id DESC LIMIT 1"
        ).fetchone()
    figures: dict = {"machine": machine(), "pages": [], "assets": {}}
    with Server(workers=1) as server:
        base = server.base
        for login, urls in pages(str(case_uuid), str(person_uuid)).items():
            session = sign_in(base, login)
            for path in urls:
                html = body(session, base + path)
                wire = fetch(session, base + path)
                if wire["status"] != 200:
                    print(f"{login:<12} {path:<50} HTTP {wire['status']}, skipped")
                    continue
                row = {
                    "role": login,
                    "path": path,
                    "html_raw": len(html),
                    "html_gzip": len(gzip.compress(html, 6)),
                    "html_sent": wire["sent"],
                    "html_encoding": wire["encoding"] or "none",
                    "css_raw": 0,
                    "css_gzip": 0,
                    "css_sent": 0,
                    "js_raw": 0,
                    "js_gzip": 0,
                    "js_sent": 0,
                }
                for match in ASSET.finditer(html.decode("utf-8", "replace")):
                    href = next(g for g in match.groups() if g)
                    kind = "js" if match.group(3) else "css"
                    url = urljoin(base + path, href)
                    if url not in figures["assets"]:
                        raw = body(session, url)
                        info = fetch(session, url)
                        figures["assets"][url.replace(base, "")] = {
                            "kind": kind,
                            "raw": len(raw),
                            "gzip": len(gzip.compress(raw, 6)),
                            "sent": info["sent"],
                            "encoding": info["encoding"] or "none",
                            "cache_control": info["cache_control"],
                        }
                    asset = figures["assets"][url.replace(base, "")]
                    row[f"{kind}_raw"] += asset["raw"]
                    row[f"{kind}_gzip"] += asset["gzip"]
                    row[f"{kind}_sent"] += asset["sent"]
                row["first_visit_sent"] = row["html_sent"] + row["css_sent"] + row["js_sent"]
                figures["pages"].append(row)
                print(
                    f"{login:<12} {path[:44]:<44} html {row['html_raw']:>7,} raw "
                    f"{row['html_sent']:>7,} sent ({row['html_encoding']:<4}) gzip "
                    f"{row['html_gzip']:>6,} | css {row['css_raw']:>6,}/{row['css_sent']:>6,} "
                    f"| js {row['js_raw']:>6,}/{row['js_sent']:>6,} | first visit "
                    f"{row['first_visit_sent']:>7,} B",
                    flush=True,
                )
    print("\nstatic assets:")
    for url, a in figures["assets"].items():
        print(
            f"  {url:<60} {a['raw']:>7,} raw {a['sent']:>7,} sent ({a['encoding']}) "
            f"gzip {a['gzip']:>6,}  Cache-Control: {a['cache_control'] or '-'}"
        )
    path = write_results(args.out, figures)
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Drives headless Chromium through selenium against pvrelief-web's province pages for
web_province.sh: the counties ranked by η of the day and of the month as the hub's database
says, with their figures; every station on the map; drill-down to a county (its stations
ranked, its active alerts) and to a station (its days, months and alert events); names full of
markup shown as text; each county's ledger head and its own month KPIs as the hub received
them, and "none received" for a county that sent none; Chinese by default and English by the
switch; the JSON API agreeing with the pages; screenshots at phone and desktop width.
Environment: URL, HUB (the hub's database), ART (screenshot folder), WORK, DAY."""
import json
import os
import sqlite3
import sys
import tempfile
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

URL, HUB, ART, WORK, DAY = (os.environ[k] for k in ("URL", "HUB", "ART", "WORK", "DAY"))
MONTH = DAY[:7]
COUNTY_MARKUP = "<script>alert(1)</script>"
STATION_MARKUP = "<img src=x onerror=alert(2)>"
failures = []


def expect(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, file=sys.stderr)
    if not cond:
        failures.append(what)


def browser():
    o = webdriver.ChromeOptions()
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=zh-CN",
              "--user-data-dir=" + tempfile.mkdtemp(dir=WORK)):
        o.add_argument(a)
    o.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_window_size(1280, 900)
    return d


def db(sql, *args):
    con = sqlite3.connect("file:" + HUB + "?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def api(path):
    with urllib.request.urlopen(URL + path, timeout=30) as r:
        return json.load(r)


def shot(d, name, width):
    d.set_window_size(width, 900)
    h = d.execute_script("return document.documentElement.scrollHeight")
    d.set_window_size(width, min(h + 120, 6000))
    d.save_screenshot(os.path.join(ART, name + ".png"))
    d.set_window_size(1280, 900)


def no_dialog(d, where):
    try:
        d.switch_to.alert
        expect(False, f"no script ran on {where}")
    except NoAlertPresentException:
        expect(True, f"no script ran on {where}")
    expect(not d.find_elements(By.CSS_SELECTOR, "main img, main script"),
           f"no markup of a name became an element on {where}")


def follow(d, element, url_part):
    """Clicks element and waits until the page it leads to has loaded."""
    old = d.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(d, 20).until(
        lambda drv: url_part in drv.current_url and
        drv.execute_script("return document.readyState") == "complete" and
        drv.find_element(By.TAG_NAME, "html") != old)


def pct(v):
    return "–" if v is None else f"{v * 100:.1f}%"


def num(v, dec=1):
    return "–" if v is None else f"{v:.{dec}f}"


# What the database says, summed as a county sums itself: η as the ratio of sums.
ACTIVE = ("SELECT county, alert_id, max(station) AS station, max(severity) AS severity "
          "FROM hub_alert_event GROUP BY county, alert_id HAVING sum(type = 'cleared') = 0")


def expected_counties():
    rows = db(
        "SELECT c.county, coalesce(c.name, c.county), "
        " (SELECT count(*) FROM hub_station s WHERE s.county = c.county),"
        " (SELECT sum(d.e_act_wh) / sum(d.eth_wh) FROM hub_station_day d WHERE d.county = c.county"
        "   AND d.day = ? AND d.eta IS NOT NULL AND d.eth_wh > 0),"
        " (SELECT sum(m.eta * m.eth_wh) / sum(m.eth_wh) FROM hub_station_month m"
        "   WHERE m.county = c.county AND m.month = ? AND m.eta IS NOT NULL AND m.eth_wh > 0),"
        " (SELECT sum(d.energy_wh) FROM hub_station_day d WHERE d.county = c.county AND d.day = ?),"
        " (SELECT count(*) FROM hub_live l WHERE l.county = c.county AND l.online > 0),"
        " (SELECT count(*) FROM (" + ACTIVE + ") a WHERE a.county = c.county)"
        " FROM hub_county c", DAY, MONTH, DAY)
    exp = {r[0]: dict(name=r[1], stations=r[2], eta_day=r[3], eta_month=r[4], energy=r[5],
                      online=r[6], alerts=r[7], head=None, kpi=None) for r in rows}
    for c, seq, h, at in db("SELECT county, seq, hash, at FROM hub_ledger_head"):
        exp[c]["head"] = dict(seq=seq, hash=h, at=at)
    for c, cap, onl, meets, meeting, with_eta, eta in db(
            "SELECT county, capability_pct, online_rate, meets_target, stations_meeting_target,"
            " stations_with_eta, eta FROM hub_county_kpi WHERE month = ?", MONTH):
        exp[c]["kpi"] = dict(capability=cap, online=onl, meets=meets, meeting=meeting,
                             with_eta=with_eta, eta=eta)
    return exp


NONE_ZH, NONE_EN = "未收到", "none received"


def head_text(h):
    return NONE_ZH if h is None else f"{h['seq']} · {h['hash'][:12]}"


def kpi_texts(k):
    """The KPI cells as the page shows them in Chinese."""
    if k is None:
        return {"kpi_capability": "–", "kpi_online": "–", "kpi_meets": NONE_ZH, "kpi_meeting": "–"}
    return {"kpi_capability": num(k["capability"]) + "%", "kpi_online": pct(k["online"]),
            "kpi_meets": {1: "达标", 0: "未达标"}.get(k["meets"], "–"),
            "kpi_meeting": f"{k['meeting']} / {k['with_eta']}"}


def check_reports(root, e, k, where, api_county):
    """The ledger head and month KPIs shown under root for county k agree with the database
    (e) and the API's county (api_county)."""
    h = root.find_element(By.CSS_SELECTOR, '[data-f="head"]')
    expect(h.text == head_text(e["head"]), f"{where}: {k}'s ledger head {h.text!r} == {head_text(e['head'])!r}")
    jh = api_county["ledger_head"]
    if e["head"] is None:
        expect(jh is None, f"{where}: the API has no ledger head for {k}")
        expect(not root.find_elements(By.CSS_SELECTOR, '[data-f="head"][title]'),
               f"{where}: no hash in a tooltip for {k}")
    else:
        expect(h.get_attribute("title") == e["head"]["hash"], f"{where}: {k}'s full hash in the tooltip")
        expect(jh is not None and jh["seq"] == e["head"]["seq"] and jh["hash"] == e["head"]["hash"]
               and abs(jh["at"] - e["head"]["at"]) < 1e-6,
               f"{where}: the API's head of {k} is the database's")
        at = root.find_element(By.CSS_SELECTOR, '[data-f="head_at"]').text
        expect(jh is not None and at == jh["at_local"] and at, f"{where}: {k}'s head sent at {at!r}")
    figs = {f: root.find_element(By.CSS_SELECTOR, f'[data-f="{f}"]').text
            for f in ("kpi_capability", "kpi_online", "kpi_meets", "kpi_meeting")}
    want = kpi_texts(e["kpi"])
    expect(figs == want, f"{where}: {k}'s month KPIs as it sent them: {figs} == {want}")
    jk = api_county["month_kpi"]
    if e["kpi"] is None:
        expect(jk is None, f"{where}: the API has no month KPIs for {k}")
    else:
        expect(jk is not None and abs(jk["capability_pct"] - e["kpi"]["capability"]) < 1e-9
               and abs(jk["online_rate"] - e["kpi"]["online"]) < 1e-12
               and jk["meets_county_target"] == bool(e["kpi"]["meets"])
               and jk["stations_meeting_target"] == e["kpi"]["meeting"],
               f"{where}: the API's month KPIs of {k} are the database's")


def rank(d, key):
    """Ids worst first by key, no figure last, ties by id."""
    return sorted(d, key=lambda k: (d[k][key] is None, d[k][key] or 0, k))


def cell(row, field):
    return row.find_element(By.CSS_SELECTOR, f'[data-f="{field}"]').text


def province(d, exp):
    d.get(URL + "/province?day=" + DAY)
    no_dialog(d, "the province page")
    expect(d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN",
           "Chinese by default")
    expect(d.find_element(By.TAG_NAME, "h1").text.startswith("全省总览"), "the title is Chinese")
    rows = d.find_elements(By.CSS_SELECTOR, "#counties tbody tr[data-county]")
    got = [r.get_attribute("data-county") for r in rows]
    want = rank(exp, "eta_day")
    expect(got == want, f"counties ranked worst first by η of the day: {got} == {want}")
    for r in rows:
        k = r.get_attribute("data-county")
        e = exp[k]
        figs = {f: cell(r, f) for f in ("name", "stations", "online", "energy_kwh", "eta_day",
                                        "eta_month", "alerts")}
        want_figs = {"name": e["name"], "stations": str(e["stations"]), "online": str(e["online"]),
                     "energy_kwh": num(e["energy"] / 1000), "eta_day": pct(e["eta_day"]),
                     "eta_month": pct(e["eta_month"]), "alerts": str(e["alerts"])}
        expect(figs == want_figs, f"county {k}'s row has the database's figures: {figs} == {want_figs}")
    j = api(f"/api/province?day={DAY}")
    by_id = {c["id"]: c for c in j["counties"]}
    for r in rows:
        k = r.get_attribute("data-county")
        check_reports(r, exp[k], k, "the province page", by_id[k])
    expect(sum(1 for e in exp.values() if e["head"] is None) == 1 and
           sum(1 for e in exp.values() if e["kpi"] is None) == 1,
           "one county sent neither ledger head nor KPIs")
    meeting = sum(1 for e in exp.values() if e["kpi"] and e["kpi"]["meets"] == 1)
    expect(meeting == 1, f"of the two counties that sent KPIs one meets the target ({meeting})")
    tile = d.find_element(By.CSS_SELECTOR, '.tile [data-f="counties_meeting"]').text
    expect(tile == f"{meeting} / {len(exp)}", f"the tile counts the counties meeting the target: {tile!r}")
    expect(j["province"]["counties_meeting_target"] == meeting and
           j["province"]["counties_with_kpi"] == sum(1 for e in exp.values() if e["kpi"]),
           "the API counts the counties meeting the target")
    expect("尚未" not in d.find_element(By.TAG_NAME, "main").text,
           "the page no longer says the hub does not receive the ledger heads")
    expect(cell(rows[got.index("c1")], "name") == COUNTY_MARKUP,
           "a county named with markup shows as that text")
    n_stations = db("SELECT count(*) FROM hub_station")[0][0]
    circles = d.find_elements(By.CSS_SELECTOR, "#map circle")
    expect(len(circles) == n_stations, f"the map has every station ({len(circles)} == {n_stations})")
    fault = d.find_element(By.CSS_SELECTOR, '#map circle[data-station="c2/c2-a"]')
    expect(fault.get_attribute("fill") == "#c62828", "a station in fault is red on the map")
    offline = d.find_element(By.CSS_SELECTOR, '#map circle[data-station="c2/c2-c"]')
    expect(offline.get_attribute("fill") == "#7b1fa2", "an offline station is purple on the map")
    tot = db("SELECT sum(e_act_wh) / sum(eth_wh) FROM hub_station_day WHERE day = ? AND eta IS NOT NULL",
             DAY)[0][0]
    expect(d.find_element(By.CSS_SELECTOR, '.tile [data-f="eta_day"]').text == pct(tot),
           "the province's η of the day is the ratio of its sums")
    shot(d, "province-desktop", 1280)
    shot(d, "province-phone", 390)
    # Ranked by the month to date, through the form.
    d.find_element(By.CSS_SELECTOR, 'select[name="sort"] option[value="eta_month"]').click()
    follow(d, d.find_element(By.CSS_SELECTOR, "form.filters button"), "sort=eta_month")
    got = [r.get_attribute("data-county")
           for r in d.find_elements(By.CSS_SELECTOR, "#counties tbody tr[data-county]")]
    want = rank(exp, "eta_month")
    expect(got == want, f"counties ranked worst first by η of the month: {got} == {want}")
    # The API says what the page says.
    j = api(f"/api/province?day={DAY}")
    expect([c["id"] for c in j["counties"]] == rank(exp, "eta_day"), "the API ranks as the page")
    expect(all(abs(c["eta_day"] - exp[c["id"]]["eta_day"]) < 1e-12 for c in j["counties"]),
           "the API's η of the day equals the database's sums")
    expect(len(j["stations"]) == n_stations, "the API lists every station for the map")


def county_reports(d, exp):
    """Each county's page shows its ledger head and month KPIs, or that none came."""
    for k in sorted(exp):
        d.get(URL + f"/province/county/{k}?day={DAY}")
        box = d.find_element(By.ID, "county-reports")
        check_reports(box, exp[k], k, f"{k}'s page", api(f"/api/province/county/{k}?day={DAY}")["county"])
        if exp[k]["kpi"] is not None:
            got = box.find_element(By.CSS_SELECTOR, '[data-f="kpi_eta"]').text
            expect(got == pct(exp[k]["kpi"]["eta"]), f"{k}'s page: the η it reported {got!r}")
    bare = [k for k in exp if exp[k]["head"] is None][0]
    d.get(URL + f"/province/county/{bare}?day={DAY}")
    shot(d, "county-none-phone", 390)


def county(d):
    d.get(URL + "/province?day=" + DAY)
    row = d.find_element(By.CSS_SELECTOR, '#counties tr[data-county="c1"]')
    follow(d, row.find_element(By.CSS_SELECTOR, '[data-f="name"] a'), "/province/county/c1")
    expect(d.current_url.startswith(URL + "/province/county/c1"), "a county's name leads to its page")
    no_dialog(d, "the county page")
    expect(d.find_element(By.ID, "county-name").text == COUNTY_MARKUP, "its name shows as text")
    want = [r[0] for r in db(
        "SELECT s.station FROM hub_station s LEFT JOIN hub_station_day d ON d.county = s.county"
        " AND d.station = s.station AND d.day = ? WHERE s.county = 'c1'"
        " ORDER BY d.eta IS NULL, d.eta, s.station", DAY)]
    rows = d.find_elements(By.CSS_SELECTOR, "#stations tbody tr[data-station]")
    got = [r.get_attribute("data-station") for r in rows]
    expect(got == want, f"its stations ranked worst first by η of the day: {got} == {want}")
    for r in rows:
        sid = r.get_attribute("data-station")
        eta, energy, pr = db("SELECT eta, energy_wh, pr FROM hub_station_day WHERE county = 'c1'"
                             " AND station = ? AND day = ?", sid, DAY)[0]
        m = db("SELECT eta FROM hub_station_month WHERE county = 'c1' AND station = ? AND month = ?",
               sid, MONTH)[0][0]
        got_f = (cell(r, "eta_day"), cell(r, "energy_kwh"), cell(r, "pr"), cell(r, "eta_month"))
        want_f = (pct(eta), num(energy / 1000), num(pr, 3), pct(m))
        expect(got_f == want_f, f"station {sid}'s figures: {got_f} == {want_f}")
    name = d.find_element(By.CSS_SELECTOR, '#stations tr[data-station="c1-a"] [data-f="name"]').text
    expect(name == STATION_MARKUP, "a station named with markup shows as text")
    alerts = d.find_elements(By.CSS_SELECTOR, "#hub-alerts li[data-alert]")
    n_active = db("SELECT count(*) FROM (" + ACTIVE + ") WHERE county = 'c1'")[0][0]
    expect(len(alerts) == n_active == 1, f"its active alerts only ({len(alerts)} == {n_active})")
    expect(STATION_MARKUP in alerts[0].text and "逆变器故障" in alerts[0].text,
           "the alert's title shows the station's name as text")
    expect(len(d.find_elements(By.CSS_SELECTOR, "#map circle")) == 3, "its map has its stations")
    shot(d, "county-desktop", 1280)
    shot(d, "county-phone", 390)
    j = api(f"/api/province/county/c1?day={DAY}")
    expect([s["id"] for s in j["stations"]] == want and j["county"]["name"] == COUNTY_MARKUP,
           "the county's API ranks as the page and names it")


def station(d):
    follow(d, d.find_element(By.CSS_SELECTOR, '#stations tr[data-station="c1-a"] [data-f="name"] a'),
           "/province/station/c1/c1-a")
    expect("/province/station/c1/c1-a" in d.current_url, "a station's name leads to its page")
    no_dialog(d, "the station page")
    expect(d.find_element(By.ID, "station-name").text == STATION_MARKUP, "its name shows as text")
    days = db("SELECT day, eta, energy_wh FROM hub_station_day WHERE county = 'c1' AND station = 'c1-a'"
              " AND day <= ? ORDER BY day DESC LIMIT 30", DAY)
    rows = d.find_elements(By.CSS_SELECTOR, "#days tbody tr[data-day]")
    expect([r.get_attribute("data-day") for r in rows] == [x[0] for x in days],
           f"its days, newest first ({len(rows)} == {len(days)})")
    for r, (day, eta, energy) in zip(rows, days):
        if (cell(r, "eta"), cell(r, "energy_kwh")) != (pct(eta), num(energy / 1000)):
            expect(False, f"day {day}'s figures")
            break
    else:
        expect(True, "every day's η and energy are the database's")
    bars = d.find_elements(By.CSS_SELECTOR, "#eta30 rect")
    expect(len(bars) == sum(1 for x in days if x[1] is not None),
           f"the chart has a bar for each day with η ({len(bars)})")
    months = d.find_elements(By.CSS_SELECTOR, "#months tbody tr[data-month]")
    m = db("SELECT eta FROM hub_station_month WHERE county = 'c1' AND station = 'c1-a'")
    expect(len(months) == len(m) == 1 and cell(months[0], "eta") == pct(m[0][0]), "its month")
    ev = d.find_elements(By.CSS_SELECTOR, "#hub-alerts li[data-alert]")
    n_ev = db("SELECT count(*) FROM hub_alert_event WHERE county = 'c1' AND station = 'c1-a'")[0][0]
    expect(len(ev) == n_ev, f"its alert events ({len(ev)} == {n_ev})")
    live = db("SELECT power_w, state FROM hub_live WHERE county = 'c1' AND station = 'c1-a'")[0]
    expect(d.find_element(By.CSS_SELECTOR, '[data-f="power_kw"]').text == num(live[0] / 1000),
           "its newest live power")
    shot(d, "station-desktop", 1280)
    shot(d, "station-phone", 390)
    j = api(f"/api/province/station/c1/c1-a?day={DAY}")
    expect(j["station"]["name"] == STATION_MARKUP and len(j["days"]) == len(days),
           "the station's API has its name and days")


def english(d):
    d.get(URL + "/province?day=" + DAY)
    follow(d, d.find_element(By.CSS_SELECTOR, "a.lang"), "/province")
    expect(d.find_element(By.TAG_NAME, "h1").text.startswith("Province overview"),
           "English by the switch")
    expect(d.find_element(By.CSS_SELECTOR, "nav a.on").text == "Province",
           "the navigation marks the province page")
    heads = {r.get_attribute("data-county"): cell(r, "head")
             for r in d.find_elements(By.CSS_SELECTOR, "#counties tbody tr[data-county]")}
    bare = [k for k, e in expected_counties().items() if e["head"] is None][0]
    expect(heads[bare] == NONE_EN and cell(d.find_element(By.CSS_SELECTOR, f'#counties tr[data-county="{bare}"]'),
                                           "kpi_meets") == NONE_EN,
           f"in English a county that sent nothing says {NONE_EN!r}: {heads[bare]!r}")
    shot(d, "province-en", 1280)


def main():
    exp = expected_counties()
    expect(len(exp) == 3, "three counties in the database")
    d = browser()
    try:
        province(d, exp)
        county(d)
        station(d)
        county_reports(d, exp)
        english(d)
    finally:
        d.quit()
    if failures:
        print(f"{len(failures)} browser checks failed", file=sys.stderr)
        sys.exit(1)


main()

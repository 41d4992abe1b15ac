"""Drives headless Chromium through selenium against pvrelief-web for web_console.sh.

live:    an alert appears on the open overview without a reload; login; acknowledging it with
         a note records it; maintenance is logged; names and notes full of markup show as
         text; every page loads.
figures: with the daemon stopped, the pages show exactly the database's figures, say the
         daemon is silent, and screenshots are taken at phone and desktop width.
Environment: URL, DB, ART (screenshot folder), WORK (the test's directory)."""
import json
import os
import sqlite3
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

# Live pages redraw parts of themselves every few seconds, so an element found by one look can
# be gone by the next: a wait simply looks again.
STALE = [StaleElementReferenceException]

URL, DB, ART, WORK = (os.environ[k] for k in ("URL", "DB", "ART", "WORK"))
MARKUP = "<script>alert(1)</script>"
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


def no_dialog(d, where):
    try:
        d.switch_to.alert
        expect(False, f"no script ran on {where}")
    except NoAlertPresentException:
        pass


def db(sql, *args):
    con = sqlite3.connect(DB, timeout=10)
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


def live():
    d = browser()
    try:
        d.get(URL + "/")
        expect("全县总览" in d.title and "测试县" in d.page_source, "the overview is in Chinese")
        link = d.find_element(By.CSS_SELECTOR, '#ranking a[href="/station/s3"]')
        expect(link.text == MARKUP, f"a station named with markup shows as text: {link.text!r}")
        no_dialog(d, "the overview")
        d.execute_script("window.__no_reload = 1;")
        before = {li.get_attribute("data-alert") for li in d.find_elements(By.CSS_SELECTOR, "#live-alerts li")}
        with open(os.path.join(WORK, "faults.tmp"), "w") as f:
            f.write("s2/inv1 fault 0x80\n")
        os.rename(os.path.join(WORK, "faults.tmp"), os.path.join(WORK, "faults"))
        t0 = time.monotonic()

        def fault_shown(drv):
            for li in drv.find_elements(By.CSS_SELECTOR, "#live-alerts li"):
                if li.get_attribute("data-alert") not in before and "s2" in li.text and "故障" in li.text:
                    return li.get_attribute("data-alert")
            return False
        # The list is redrawn by the live update every few seconds: an item found just before
        # a redraw is stale by the time it is read, and the next try finds the new one.
        alert_id = WebDriverWait(d, 90, 0.5, ignored_exceptions=STALE).until(fault_shown)
        expect(d.execute_script("return window.__no_reload") == 1,
               f"alert {alert_id} appeared without a reload, {time.monotonic() - t0:.0f} s after the fault")
        raised = db("SELECT raised_at FROM alert WHERE id = ?", int(alert_id))
        expect(len(raised) == 1, "and it is the database's alert")

        # English by the switch, and back.
        d.find_element(By.CSS_SELECTOR, "a.lang").click()
        expect("County overview" in d.title, "the switch gives English")
        d.find_element(By.CSS_SELECTOR, "a.lang").click()
        expect("全县总览" in d.title, "and back to Chinese")

        # Log in, acknowledge with a note full of markup.
        d.get(URL + "/login")
        d.find_element(By.NAME, "user").send_keys("管理员")
        d.find_element(By.NAME, "password").send_keys("correct horse battery")
        d.find_element(By.CSS_SELECTOR, "form.form button").click()
        # Checking a yescrypt hash takes a while on a loaded machine: wait for the page.
        WebDriverWait(d, 30).until(lambda drv: drv.find_elements(By.CSS_SELECTOR, ".user"))
        expect("管理员" in d.find_element(By.CSS_SELECTOR, ".user").text, "logged in")
        d.get(URL + "/alerts?state=active&station=s2")
        row = d.find_element(By.CSS_SELECTOR, f'tr[data-alert="{alert_id}"]')
        note = MARKUP + " 已到场"
        row.find_element(By.NAME, "note").send_keys(note)
        row.find_element(By.CSS_SELECTOR, "form.ack button").click()
        WebDriverWait(d, 20, 0.2, ignored_exceptions=STALE).until(lambda drv: drv.find_elements(
            By.CSS_SELECTOR, f'tr[data-alert="{alert_id}"] .acked'))
        row = d.find_element(By.CSS_SELECTOR, f'tr[data-alert="{alert_id}"]')
        expect("管理员" in row.find_element(By.CSS_SELECTOR, ".acked").text, "the page shows who acknowledged")
        expect(row.find_element(By.CSS_SELECTOR, ".ack-note").text == note, "and the note, as text")
        no_dialog(d, "the alerts page")
        got = db("SELECT ack_by FROM alert WHERE id = ?", int(alert_id))
        expect(got == [("管理员",)], f"the acknowledgement is recorded: {got}")
        ev = db("SELECT by FROM alert_event WHERE alert_id = ? AND type = 'acknowledged'", int(alert_id))
        expect(ev == [("管理员",)], "with an event in the alert's history")

        # Log maintenance.
        d.get(URL + "/maintenance")
        Select(d.find_element(By.NAME, "station")).select_by_value("s2")
        Select(d.find_element(By.NAME, "kind")).select_by_value("cleaning")
        by = d.find_element(By.NAME, "by")
        by.clear()
        by.send_keys("张师傅")
        d.find_element(By.NAME, "note").send_keys(MARKUP)
        d.find_element(By.CSS_SELECTOR, "#log-form button").click()
        WebDriverWait(d, 20, 0.2, ignored_exceptions=STALE).until(lambda drv: "张师傅" in drv.page_source and "/maintenance?station=s2" in drv.current_url)
        cells = [td.text for td in d.find_elements(By.CSS_SELECTOR, "#ledger tbody td")]
        expect("张师傅" in cells and MARKUP in cells and "清洗" in cells, f"the ledger shows the entry: {cells}")
        no_dialog(d, "the maintenance page")

        # A station page updates itself too.
        d.get(URL + "/station/s1")
        WebDriverWait(d, 15, 0.5, ignored_exceptions=STALE).until(lambda drv: drv.find_element(By.TAG_NAME, "body").get_attribute("data-updated"))
        expect(True, "the station page polls its live figures")

        # Every page loads.
        for path, marker in (("/station/s2", "#curve"), ("/station/s3", "#diag"), ("/health", "#health"),
                             ("/revenue", "#plans"), ("/alerts", "#alerts")):
            d.get(URL + path)
            expect(len(d.find_elements(By.CSS_SELECTOR, marker)) == 1, f"{path} loads")
            no_dialog(d, path)
        rows = d.find_elements(By.CSS_SELECTOR, "#alerts tbody tr")
        expect(len(rows) == db("SELECT count(*) FROM alert")[0][0], "the alerts page lists every alert")
        d.get(URL + "/revenue")
        links = d.find_elements(By.CSS_SELECTOR, '#plans a[href^="/revenue/report"]')
        expect(len(links) == 2 * 8, f"each village links its report and notice in 4 formats: {len(links)}")
        links[0].click()
        expect("测试县" in d.page_source or "东村" in d.page_source, "a report opens")
    finally:
        d.quit()


def figures():
    d = browser()
    try:
        newest = db("SELECT max(ts) FROM reading")[0][0]
        day = time.strftime("%Y-%m-%d", time.gmtime(newest + 8 * 3600))
        d.get(URL + "/")
        # Live: the silent banner turns up on the open page.
        WebDriverWait(d, 40, 0.5, ignored_exceptions=STALE).until(lambda drv: drv.find_element(By.ID, "silent").is_displayed())
        expect(True, "the open overview says the daemon is silent")
        d.get(URL + "/")
        for sid in ("s1", "s2", "s3"):
            wh = db("SELECT coalesce(sum(r.energy_wh), 0) FROM rollup_day r JOIN device d ON d.id = r.device_id"
                    " WHERE d.station = ? AND r.day = ?", sid, day)[0][0]
            cell = d.find_element(By.CSS_SELECTOR, f'[data-k="station_by_id|{sid}|energy_today_kwh"]').text
            expect(cell == f"{wh / 1000:.1f}", f"{sid} energy today {cell} = database {wh / 1000:.1f}")
            eta = db("SELECT eta FROM station_eff_day WHERE station = ? AND day = ?", sid, day)
            row = d.find_element(By.CSS_SELECTOR, f'tr[data-station="{sid}"]')
            tds = row.find_elements(By.TAG_NAME, "td")
            want = f"{eta[0][0] * 100:.1f}%" if eta and eta[0][0] is not None else "–"
            expect(tds[8].text == want, f"{sid} η today {tds[8].text} = database {want}")
        j = api("/api/overview")
        total = sum(s["energy_today_kwh"] for s in j["stations"])
        tile = d.find_element(By.CSS_SELECTOR, '[data-k="county|energy_today_kwh"]').text
        expect(tile == f"{total:.0f}", f"the energy tile {tile} = the stations' sum {total:.0f}")
        n_active = db("SELECT count(*) FROM alert WHERE cleared_at IS NULL")[0][0]
        t = d.find_element(By.CSS_SELECTOR, '[data-k="county|alerts_text"]').text
        expect(sum(int(x) for x in t.split(" / ")) == n_active, f"active alerts {t} = database {n_active}")
        shot(d, "overview-desktop", 1280)
        shot(d, "overview-phone", 390)
        d.get(URL + "/station/s1")
        wh = db("SELECT coalesce(sum(r.energy_wh), 0) FROM rollup_day r JOIN device d ON d.id = r.device_id"
                " WHERE d.station = 's1' AND r.day = ?", day)[0][0]
        tile = d.find_element(By.CSS_SELECTOR, '[data-k="station_by_id|s1|energy_today_kwh"]').text
        expect(tile == f"{wh / 1000:.1f}", f"station page energy {tile} = database {wh / 1000:.1f}")
        for dev, req in db("SELECT d.device, g.requests FROM device_diag g JOIN device d ON d.id = g.device_id"
                           " WHERE d.station = 's1'"):
            cells = [r.find_elements(By.TAG_NAME, "td") for r in d.find_elements(By.CSS_SELECTOR, "#diag tbody tr")]
            got = [c[2].text for c in cells if c[0].text == dev]
            expect(got == [str(req)], f"diagnostics of {dev}: {got} = database {req}")
        expect(len(d.find_elements(By.CSS_SELECTOR, "#diag tbody tr")) == 3, "the diagnostics of s1's 3 devices")
        pts = d.find_element(By.CSS_SELECTOR, "#curve polyline.actual").get_attribute("points")
        expect(len(pts.split()) >= 3, "the power curve has today's slots")
        expect(len(d.find_elements(By.CSS_SELECTOR, "#inverters tbody tr")) == 2, "both inverters side by side")
        shot(d, "station-desktop", 1280)
        shot(d, "station-phone", 390)
        d.get(URL + "/alerts")
        shot(d, "alerts-desktop", 1280)
        shot(d, "alerts-phone", 390)
        d.get(URL + "/health")
        shot(d, "health-desktop", 1280)
    finally:
        d.quit()


{"live": live, "figures": figures}[sys.argv[1]]()
print(f"{len(failures)} failed", file=sys.stderr)
sys.exit(1 if failures else 0)

#!/usr/bin/env python3
"""Browser tests of the Spotfinder page in headless Chromium (Debian's chromium + chromium-driver,
driven by Debian's python3-selenium), against the real running system.

Usage: test_page.py BASE_URL ARTIFACTS_DIR [TOKEN]
Prints one line per check and a closing 'N passed, M failed' line; exit status 1 on any failure.
One browser session; every wait is for a condition (no fixed sleeps beyond the page's typing pause).
The checks follow issue #13 (defects 1–16 and the new controls) and #11 (the spot map)."""
import json, os, re, subprocess, sys, time, urllib.parse, urllib.request, urllib.error
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.select import Select
from selenium.webdriver.common.actions.action_builder import ActionBuilder

base, artifacts = sys.argv[1].rstrip("/"), os.path.abspath(sys.argv[2])
token = sys.argv[3] if len(sys.argv) > 3 else None
os.makedirs(artifacts, exist_ok=True)
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {detail}"), flush=True)


def wait(cond, timeout=40):
    end = time.time() + timeout
    while time.time() < end:
        try:
            v = cond()
            if v:
                return v
        except Exception:
            pass
        time.sleep(0.05)
    return None


options = webdriver.ChromeOptions()
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
          "--force-device-scale-factor=1"]:
    options.add_argument(a)
options.binary_location = "/usr/bin/chromium"
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
js = driver.execute_script
by_id = lambda i: driver.find_element(By.ID, i)


def settled():
    """Ready, nothing in flight, no snap pending, every shown plot drawn."""
    return js("""const s = window.spotfinder; if (!s || document.body.dataset.ready !== '1') return false;
      if (document.getElementById('busy').classList.contains('on') || s.state.snapping) return false;
      return [...document.querySelectorAll('.panel')].filter(p => p.dataset.kind !== 'map').every(p => {
        const img = p.querySelector('img'), w = p.querySelector('.wait');
        return !w.hidden || p.querySelector('.perr').textContent || (img.complete && img.naturalWidth > 0); });""")


def idle(timeout=40):
    # Settled twice in a row 100 ms apart (a pause can start the next request).
    return wait(lambda: settled() and (time.sleep(0.1) or settled()), timeout)


def open_page(query="", timeout=60):
    driver.get(base + "/" + (("?" + query) if query else ""))
    return idle(timeout)


def value(id_):
    return by_id(id_).get_attribute("value")


def url_params():
    return js("return Object.fromEntries([...new URLSearchParams(location.search)].filter(([k]) => k !== 'pin'))")


def requests(substring):
    return js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes(arguments[0]))", substring)


def clear_requests():
    js("performance.clearResourceTimings()")


def type_into(id_, text, *keys):
    el = by_id(id_)
    el.click()
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(Keys.DELETE)
    el.send_keys(text, *keys)
    return el


def err_text(name):
    return js("const e = document.querySelector(`[data-err='${arguments[0]}']`); return e ? e.textContent : ''", name)


def shot(name):
    driver.save_screenshot(os.path.join(artifacts, name))


def shared(path):
    return js("return window.spotfinder.shared" + path)


def api(path):
    for attempt in range(3):  # a loaded machine may answer 503 (busy); the page retries too
        try:
            return json.load(urllib.request.urlopen(base + path, timeout=120))
        except urllib.error.HTTPError as e:
            if e.code != 503 or attempt == 2:
                raise
            time.sleep(1)


def severe_errors():
    """Script errors in the console. HTTP failures are not counted here: the tests provoke refusals on
    purpose, a loaded machine may answer 503, and the checks above look at what the page shows."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"
            and "Failed to load resource" not in e["message"]]


def route_missing(method, path):
    """True when this edge has no such route yet (404 without a parameter, or 405): the page must say so."""
    req = urllib.request.Request(base + path, method=method, headers={"X-Spotfinder-Token": "probe-not-the-token"} if method == "POST" else {})
    try:
        urllib.request.urlopen(req, timeout=60)
        return False
    except urllib.error.HTTPError as e:
        body = {}
        try:
            body = json.loads(e.read() or b"{}")
        except ValueError:
            pass
        return e.code == 405 or (e.code == 404 and body.get("error", "").startswith("no page"))


def publish_small_scan(name, rocking, face):
    """A small simulated scan reduced and stored through the edge (as a user would with `spotfinder rci`), for a
    system with no raw-folder service: 64 × 64 pixels × 40 images with a periodic motor error (seconds)."""
    bin_dir, edge_rpc = os.environ.get("SPOTFINDER_BIN_DIR"), os.environ.get("SPOTFINDER_EDGE_RPC")
    if not (bin_dir and edge_rpc and token):
        return f"SPOTFINDER_BIN_DIR, SPOTFINDER_EDGE_RPC and the token are needed ({bin_dir}, {edge_rpc})"
    folder = os.path.join(artifacts, "scan-" + name)
    spotfinder = os.path.join(bin_dir, "spotfinder")
    env = {**os.environ, "SPOTFINDER_TOKEN": token}
    for args in (["rci", "simulate", folder, "--radiator", "SF-E01", "--size", "64x64", "--frames", "40", "--pixel-mm", "0.14",
                  "--rocking", rocking, "--face", face, "--motor-error", "0.8", "--motor-step", "21", "--seed", "3"],
                 ["rci", "reduce", folder], ["rci", "publish", os.path.join(folder, "reduced"), "--edge", edge_rpc, "--name", name, "--scan", folder]):
        r = subprocess.run([spotfinder, *args], capture_output=True, text=True, env=env, timeout=120)
        if r.returncode != 0:
            return f"{' '.join(args[:2])}: {r.stderr.strip()[-400:]}"
    return ""


def click_pixel(column, row):
    """A real click on the Topography's map at the centre of one camera pixel."""
    by_id("scan_canvas").location_once_scrolled_into_view
    x, y = js("""const pm = window.spotfinder.topography.pixelMap, f = pm.frame(), r = pm.canvas.getBoundingClientRect();
        return [r.left + f.pad.l + (arguments[0] + 0.5) * f.kx, r.top + f.pad.t + (arguments[1] + 0.5) * f.ky]""", column, row)
    actions = ActionBuilder(driver)  # at the pixel's centre in viewport coordinates (not an offset from a rounded element centre)
    actions.pointer_action.move_to_location(int(round(x)), int(round(y))).click()
    actions.perform()


def topography_end_to_end():
    """Raw folders → reduce (the page, with the token) → build → use the radiator in the beam tool, on the demo folders."""
    if route_missing("GET", "/api/rci/folders"):
        open_page("tool=topography")
        said = wait(lambda: "lists no raw folders" in by_id("folders_status").text and by_id("folders_status").text, 20)
        check("#17 an edge without /api/rci/folders: the page says how to reduce instead", said, by_id("folders_status").text)
        return
    listing = api("/api/rci/folders")
    front = {f["rocking"]: f for f in listing["folders"] if f.get("face") == "front" and not f.get("error")}
    check("#17 the edge lists the demo folders (front θH and θV among them)", {"thetah", "thetav"} <= set(front), str(listing)[:400])
    if not {"thetah", "thetav"} <= set(front):
        return
    open_page("tool=topography")
    wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#folder_list li.folder"), 30)
    js("sessionStorage.removeItem('spotfinder-token')")
    type_into("topo_token", token, Keys.TAB)
    names = []
    for rocking in ["thetah", "thetav"]:
        # θH with the default (periodic) motor correction, whose plot is checked below; θV without (seconds saved).
        Select(by_id("reduce_motor")).select_by_value("" if rocking == "thetah" else "off")
        f = front[rocking]
        item = driver.find_element(By.CSS_SELECTOR, f"#folder_list li.folder[data-folder='{f['folder']}']")
        item.find_element(By.CSS_SELECTOR, "button.reduce").click()
        working = wait(lambda: "working" in item.find_element(By.CSS_SELECTOR, ".fstatus").text, 10)
        done = wait(lambda: "reduced as" in item.find_element(By.CSS_SELECTOR, ".fstatus").text
                    or item.find_element(By.CSS_SELECTOR, ".err").text, 240)
        text = item.find_element(By.CSS_SELECTOR, ".fstatus").text or item.find_element(By.CSS_SELECTOR, ".err").text
        check(f"#17 reduce from the page ({rocking}): 'working…' while it runs, then the stored scan named", working and done and "reduced as" in text, text)
        m = re.search(r"reduced as (\S+) in", text)
        if m:
            names.append(m.group(1))
    if len(names) != 2:
        return
    wait(lambda: url_params().get("scan") == names[-1] and by_id("scan_caption").text, 30)
    check("#17 a reduced scan is listed and shown at once", all(driver.find_elements(By.CSS_SELECTOR, f"#scan_list .scanitem[data-scan='{n}']") for n in names))
    Select(by_id("build_front_h")).select_by_value(names[0])
    Select(by_id("build_front_v")).select_by_value(names[1])
    Select(by_id("build_back_h")).select_by_value("")
    Select(by_id("build_back_v")).select_by_value("")
    type_into("build_name", "page-built")
    type_into("build_thickness", "45")
    by_id("build_go").click()
    built = wait(lambda: by_id("buildview").is_displayed() and len(driver.find_elements(By.CSS_SELECTOR, "#verdicts tbody tr")) == 2
                 or "error" in (by_id("build_status").get_attribute("class") or ""), 240)
    rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#verdicts tbody tr")]
    check("#18 build from the page: one verdict line per scan with its numbers", built and len(rows) == 2, f"{rows} {by_id('build_status').text}")
    if len(rows) != 2:
        return
    figures = by_id("build_figures").text
    check("#18 the build's figures: curl rms and residual rms in µrad", "curl rms" in figures and "residual rms" in figures and "µrad" in figures, figures)
    png = wait(lambda: js("const i = document.getElementById('build_png'); return !i.hidden && i.complete && i.naturalWidth > 0"), 60)
    shot("22-topography-build.png")
    check("#18 the elevation map (PNG with contour lines from the plot-renderer) is shown, kept in the URL",
          png and url_params().get("build") == "page-built" and url_params().get("build_map") == "elevation", str(url_params()))
    aligned = [o.get_attribute("value") for o in Select(by_id("build_map")).options if o.get_attribute("value").startswith("aligned:")]
    if len(aligned) >= 2:
        Select(by_id("build_map")).select_by_value(aligned[0])
        wait(lambda: by_id("build_canvas").is_displayed() and by_id("build_canvas").get_attribute("data-showing") == aligned[0], 60)
        by_id("blink").click()
        blinked = wait(lambda: by_id("build_canvas").get_attribute("data-showing") == aligned[1], 5)
        by_id("blink").click()
        check("#18 the aligned maps blink between two scans", blinked, str(aligned))
    else:
        check("#18 the build offers the aligned maps of both scans", False, str(aligned))
    report = js("return document.querySelector('#build_downloads .dl-report')")
    check("#18 the report downloads as JSON named by the radiator", report and js("return arguments[0].download", report) == "spotfinder_build_page-built_report.json")
    by_id("use_radiator").click()
    used = wait(lambda: by_id("beamtool").is_displayed() and value("radiator_name") == "page-built", 30)
    idle()
    shot("23-topography-used.png")
    check("#18 'use this radiator' opens it in the beam tool (listed at once, its thickness taken)", used and value("rad_thickness") == "45",
          f"{value('radiator_name')} {value('rad_thickness')}")


def topography_checks():
    scans = api("/api/scans")
    if not scans:
        problem = publish_small_scan("page-front-h", "thetah", "front")
        check("Topography: a small reduced scan is stored for the page's checks (rci simulate, reduce, publish)", not problem, problem)
        scans = api("/api/scans")
    open_page("tool=topography")
    tab = by_id("tab_topography")
    check("#17 the page has a Topography tab, chosen from the URL (tool=topography), the beam tool hidden",
          tab.get_attribute("aria-selected") == "true" and by_id("topography").is_displayed() and not by_id("beamtool").is_displayed(),
          f"{tab.get_attribute('aria-selected')} {by_id('topography').is_displayed()}")
    listed = wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#scan_list .scanitem"), 30)
    check("#17 the reduced scans are listed with their facts", listed and len(listed) == len(scans) and "images" in listed[0].text,
          f"{len(listed or [])} vs {len(scans)}")
    if not scans or not listed:
        return
    name = scans[0]["name"]
    driver.find_element(By.CSS_SELECTOR, f"#scan_list .scanitem[data-scan='{name}']").click()
    drawn = wait(lambda: "µrad" in (by_id("scan_canvas").get_attribute("data-colour-bar") or "") and by_id("scan_caption").text, 60)
    shot("20-topography-scan.png")
    caption = by_id("scan_caption").text
    first_map = "hmu_moco" if "hmu_moco" in scans[0]["maps"] else "hmu"  # (hmu alone when the motor was not corrected)
    check(f"#17 choosing a scan draws its {first_map} map with a colour bar in µrad, kept in the URL",
          drawn and url_params().get("scan") == name and url_params().get("scan_map") == first_map, f"{drawn} {url_params()}")
    check("#17 the map states its orientation and pixel size (camera grid as the images, row 0 at the top)",
          "row 0 at the top" in caption and "µm" in caption, caption)
    counts = js("return [...document.querySelectorAll('#validity_counts li')].map(l => l.dataset.reason)")
    check("#17 validity counts by reason", "valid" in counts and len(counts) >= 2, str(counts))
    check("#17 the motor correction per image is plotted (a corrected scan)", not scans[0]["motor_corrected"]
          or js("return document.querySelectorAll('#motor_plot polyline').length") == 1, by_id("motor_note").text)
    # A real click on a valid pixel near the centre.
    validity = api(f"/api/scan?scan_name={urllib.parse.quote(name)}&map=validity&format=json")["values"]
    h, w = len(validity), len(validity[0])
    col, row = min(((c, r) for r in range(h) for c in range(w) if validity[r][c] == 0), key=lambda p: (p[0] - w / 2) ** 2 + (p[1] - h / 2) ** 2)
    click_pixel(col, row)
    picked = wait(lambda: url_params().get("pixel") == f"{col},{row}", 10)
    check("#17 a click on the map picks that camera pixel (kept in the URL)", picked, f"{url_params().get('pixel')} vs {col},{row}")
    if route_missing("GET", "/api/rci/curve?scan_name=x&column=0&row=0"):
        note = wait(lambda: "does not serve rocking curves" in by_id("curve_note").text and by_id("curve_note").text, 20)
        check("#17 an edge without /api/rci/curve: the page says so at the curve", note, by_id("curve_note").text)
    else:
        curve = wait(lambda: js("""return [document.querySelectorAll('#curve_plot .counts circle').length,
            document.querySelectorAll('#curve_plot polyline.model').length]""") if js("return document.querySelectorAll('#curve_plot polyline.model').length") else None, 60)
        figures = js("return Object.fromEntries([...document.querySelectorAll('#curve_readouts .ro')].map(r => [r.dataset.figure, r.querySelector('dd').textContent]))")
        shot("21-topography-curve.png")
        raw = api(f"/api/rci/curve?scan_name={urllib.parse.quote(name)}&column={col}&row={row}")["raw_available"]
        if raw:
            check("#17 the pixel's rocking curve: counts as points, the fitted model as a line", curve and curve[0] >= 10 and curve[1] == 1, str(curve))
        else:  # a scan published from elsewhere: its fit is drawn and the page says why there are no counts
            check("#17 the pixel's fitted peak is drawn and the page says the raw images are not available", curve and curve[1] == 1
                  and "raw images are not available" in by_id("curve_note").text, f"{curve} {by_id('curve_note').text}")
        check("#17 the curve's read-outs: position, σ, FWHM with units", all(k in figures and "µrad" in figures[k] for k in ["position", "σ", "FWHM"]), str(figures))
    # Another map: the validity codes; downloads named by scan and map, the TIFF a float TIFF.
    Select(by_id("scan_map")).select_by_value("validity")
    wait(lambda: url_params().get("scan_map") == "validity" and js("return document.getElementById('scan_canvas').dataset.colourBar") == "", 30)
    links = js("return [...document.querySelectorAll('#scan_downloads a')].map(a => [a.download, a.href])")
    check("#18 each map downloads as PNG/CSV/JSON/TIFF, named by scan and map",
          [n.rsplit(".", 1)[1] for n, _ in links] == ["png", "csv", "json", "tif"] and all(name.replace("-", "") in n.replace("-", "") and "validity" in n for n, _ in links), str(links))
    tiff = urllib.request.urlopen(js("return document.querySelector('#scan_downloads .dl-tiff').href"), timeout=60).read()
    check("#18 the map's TIFF download is a TIFF", tiff[:4] in (b"II*\x00", b"MM\x00*"), str(tiff[:8]))
    # A refused token is forgotten (asked again), at the token's field.
    js("sessionStorage.removeItem('spotfinder-token')")
    type_into("topo_token", "not-the-token", Keys.TAB)
    type_into("build_name", "page-refused")
    type_into("build_thickness", "50")
    if not by_id("build_front_v").get_attribute("value"):  # one scan only: it stands for both (the edge judges the pair)
        Select(by_id("build_front_v")).select_by_value(name)
    by_id("build_go").click()
    if route_missing("POST", "/api/rci/build"):
        said = wait(lambda: "does not build radiators" in by_id("build_status").text and by_id("build_status").text, 30)
        check("#18 an edge without POST /api/rci/build: the page says so at the build", said, by_id("build_status").text)
    else:
        refused = wait(lambda: by_id("topo_token_error").text, 30)
        check("#18 a refused token is forgotten (session storage and box emptied) and said at its field", refused and "refused" in refused
              and js("return sessionStorage.getItem('spotfinder-token')") is None and value("topo_token") == "", str(refused))
    # Back to the beam tool from the tab; the Topography's place stays in the URL.
    by_id("tab_beam").click()
    check("the Beam tab brings the beam tool back", wait(lambda: by_id("beamtool").is_displayed() and "tool" not in url_params(), 10), str(url_params()))


try:
    # ---- First view: snapped para at the default edge, plots, read-outs.
    driver.get("about:blank")
    ok = open_page("", 90)
    shot("01-first-view.png")
    check("page loads from its own files, snaps PERP (GlueX; the original snap_para) at 6 GeV and draws the plots", ok and float(value("rad_thetah")) != 1.2296,
          f"thetah={value('rad_thetah')}")
    types = js("return [...document.scripts].map(s => s.type + ' ' + s.src)")
    check("the page is ES modules served by the edge (no inline script, no CDN)",
          types == [f"module {base}/static/js/main.js"], str(types))
    for path, kind in [("/static/js/state.js", "text/javascript"), ("/static/page.css", "text/css"), ("/", "text/html")]:
        ctype = urllib.request.urlopen(base + path).headers["Content-Type"]
        check(f"{path} is served as {kind}", ctype.startswith(kind), ctype)
    errors = severe_errors()
    check("no console errors on load", not errors, str(errors))
    edge = wait(lambda: float(by_id("ro_edge").find_element(By.CLASS_NAME, "v").text))
    check("read-out: coherent edge near the 6 GeV snap", edge and abs(edge - 6) < 0.2, str(edge))
    ro = js("return Object.fromEntries([...document.querySelectorAll('#readouts .ro')].map(r => [r.id, r.innerText.replace(/\\n/g, ' ')]))")
    units = {"ro_width": "MeV", "ro_flux": "photons/s", "ro_on_crystal": "%", "ro_on_mount": "%", "ro_outside": "%", "ro_rms_tilt": "µrad"}
    check("read-outs: edge width, window polarization, flux, P²N, fractions, rms tilt, each with its unit",
          all(k in ro and u in ro[k] and "—" not in ro[k] for k, u in units.items())
          and "—" not in ro["ro_window_p"] and "—" not in ro["ro_p2n"] and "—" not in ro["ro_peak_p"], str(ro))
    plane = shared(".spectrum.gluex_plane") or "?"
    check("#21 read-outs and the polarization plot name the plane in GlueX's words (PERP 0/90, Hall D 90°)", plane == "PERP 0/90"
          and "PERP 0/90 (Hall D 90.0°)" in ro["ro_plane"]
          and plane in js("return document.querySelector('.panel[data-kind=polar] .plane').textContent"), ro["ro_plane"])
    check("read-outs are not a live region (not announced at every drag step)",
          js("return !document.getElementById('readouts').closest('[aria-live]')"))

    # ---- The beam view explains itself.
    bv = js("""return { scale: document.querySelector('#scalebar text').textContent, legend: document.getElementById('legend').innerText,
      caption: document.getElementById('caption').textContent, bar: document.querySelector('#colourbar .title').textContent,
      barHidden: document.getElementById('colourbar').hidden,
      halo: [...document.querySelectorAll('#beamsvg polyline')].filter(p => p.getAttribute('stroke') === '#000').length }""")
    check("beam view: mm scale bar, colour bar with units, legend (1σ, 2σ, mount), caption", "mm" in bv["scale"] and not bv["barHidden"]
          and "µrad" in bv["bar"] and all(w in bv["legend"] for w in ["1σ", "2σ", "mount"]) and "fixed" in bv["caption"], str(bv))
    check("#15 the beam ellipses have a dark halo", bv["halo"] == 2, str(bv))

    # ---- #15 accessibility: names for sliders and downloads.
    unnamed = js("return [...document.querySelectorAll('input[type=range]')].filter(e => !e.getAttribute('aria-label')).length")
    labels = js("return [...document.querySelectorAll('.panel a')].map(a => a.getAttribute('aria-label'))")
    check("#15 every slider has an accessible name", unnamed == 0, str(unnamed))
    check("#15 download links are named for their plot and format", len(labels) == 6 and len(set(labels)) == 6 and all(labels), str(labels))

    # ---- #13 downloads with descriptive names, CSV/JSON with the understood query.
    names = js("return [...document.querySelectorAll('.panel a')].map(a => a.download)")
    check("#13 downloads get descriptive names", all(n.startswith("spotfinder_") and "SF-" in n for n in names), str(names))
    csv_href = js("return document.querySelector('.panel[data-kind=polar] .dl-csv').href")
    csv = urllib.request.urlopen(csv_href).read().decode()
    check("#13 the CSV carries the parameters it was computed with", "rad_thetah=" in csv and "ebeam_energy=" in csv, csv[:300])
    json_href = js("return document.querySelector('.panel[data-kind=polar] .dl-json').href")
    jdoc = json.load(urllib.request.urlopen(json_href))
    check("#13 the JSON carries the parameters it was computed with", "rad_thetah" in jdoc.get("parameters", {}), str(list(jdoc)))

    # ---- #14 plots requested at their displayed size, in device pixels.
    sizes = js("return [...document.querySelectorAll('.panel img')].map(i => [i.naturalWidth, i.clientWidth * devicePixelRatio])")
    check("#14 plots are requested at the size they are shown", all(abs(n - c) <= 30 for n, c in sizes), str(sizes))

    # ---- #11 number boxes: a pause, Enter or leaving commits; partial numbers are never sent.
    clear_requests()
    el = type_into("ebeam_xsigma", "0.8")
    wait(lambda: requests("ebeam_xsigma=0.8"), 10)
    idle()
    sent = [u for u in requests("ebeam_xsigma=") if "ebeam_xsigma=0.8" not in u]
    check("#11 typing 0.8 sends only 0.8 (never σx = 0)", requests("ebeam_xsigma=0.8") and not sent and not err_text("ebeam_xsigma"), str(sent))
    clear_requests()
    type_into("ebeam_xsigma", "1e")
    msg = wait(lambda: err_text("ebeam_xsigma"), 5)
    check("#11 a partial number ('1e') is not sent and says so at its field", msg and "not a number" in msg and not requests("ebeam_xsigma=1&")
          and not requests("ebeam_xsigma=1e"), str(msg))
    type_into("ebeam_xsigma", "1", Keys.ENTER)
    wait(lambda: not err_text("ebeam_xsigma"), 5)
    idle()

    # ---- #1, #2 an error stays at its field (Enter, Tab) and the results are marked stale.
    type_into("ebeam_energy", "-5", Keys.ENTER)
    msg = wait(lambda: err_text("ebeam_energy"), 20)
    shot("04-invalid-input.png")
    check("invalid input shows the server's message next to it", msg and "ebeam_energy" in msg and "GeV" in msg, str(msg))
    check("the offending input is marked invalid", by_id("ebeam_energy").get_attribute("aria-invalid") == "true")
    by_id("ebeam_energy").send_keys(Keys.TAB)
    time.sleep(0.8)  # longer than the typing pause: nothing may clear the message
    check("#1 the error stays at its field after Enter and Tab", err_text("ebeam_energy") == msg, err_text("ebeam_energy"))
    stale = js("return [...document.querySelectorAll('.panel')].map(p => p.classList.contains('stale')).concat([document.getElementById('readouts').classList.contains('stale')])")
    check("#2 plots and read-outs are marked stale while a value is invalid", all(stale), str(stale))
    type_into("ebeam_energy", "11.6", Keys.ENTER)
    wait(lambda: not err_text("ebeam_energy"), 20)
    idle()
    check("a valid value clears the error and the stale marks", not err_text("ebeam_energy")
          and not js("return document.querySelectorAll('.stale').length"))
    by_id("open_collimation").click()
    type_into("collimator_distance", "0.2", Keys.ENTER)
    msg = wait(lambda: err_text("collimator_distance"), 20)
    visible = js("return document.querySelector('[data-err=collimator_distance]').getBoundingClientRect().height > 0")
    shot("04b-dialog-error.png")
    check("#1 a collimation-dialog error shows at its field inside the dialog", msg and visible and "collimator_distance" in msg, str(msg))
    js("document.getElementById('collimation').close()")
    outside = wait(lambda: by_id("collimation_error").text, 5)
    check("#1 with the dialog closed, the error shows next to its button", outside and "collimator_distance" in outside, str(outside))
    by_id("open_collimation").click()
    type_into("collimator_distance", "76", Keys.ENTER)
    wait(lambda: not err_text("collimator_distance"), 20)
    js("document.getElementById('collimation').close()")
    idle()

    # ---- #16 only what a change affects is requested; the edge lock re-snaps.
    js("document.getElementById('lock').click()")
    wait(lambda: js("return window.spotfinder.state.page.lock") == "off")
    idle()
    clear_requests()
    before_h = value("rad_thetah")
    box = by_id("rad_thetah")
    box.click()
    box.send_keys(Keys.ARROW_UP)
    stepped = wait(lambda: value("rad_thetah") != before_h and value("rad_thetah"))
    idle()
    check("#6 arrow keys step θH by 1 µrad", stepped and abs(float(stepped) - float(before_h) - 0.001) < 1e-9, f"{before_h} → {stepped}")
    vern = js("const v = document.getElementById('thetah_vernier'); return [+v.min, +v.max, +v.step]")
    check("#6 the θH vernier spans ±1 mrad around the value in 1 µrad steps",
          abs(vern[0] - (float(stepped) - 1)) < 1e-6 and abs(vern[1] - (float(stepped) + 1)) < 1e-6 and vern[2] == 0.001, str(vern))
    tilt_requests = requests("/api/tilt") + requests("plot_type=tilt") + requests("plot_type=spot") + requests("radiator.png")
    check("#16 changing θH re-fetches no tilt distribution, spot plot or picture", not tilt_requests and requests("plot_type=polar"), str(tilt_requests))
    history_before = js("return history.length")
    type_into("ebeam_xsigma", "1.2", Keys.ENTER)
    wait(lambda: url_params().get("ebeam_xsigma") == "1.2")
    idle()
    check("#7 a committed edit adds a history entry", js("return history.length") == history_before + 1)
    driver.back()
    wait(lambda: value("ebeam_xsigma") == "1")
    idle()
    check("#7 Back returns to the value before the edit", value("ebeam_xsigma") == "1", value("ebeam_xsigma"))

    # Edge lock: the edge is the control, θH/θV follow, the window follows the edge (#9).
    js("document.getElementById('lock').click()")
    wait(lambda: js("return window.spotfinder.state.page.lock") == "on")
    idle()
    h6 = value("rad_thetah")
    type_into("snap_edge", "9", Keys.ENTER)
    wait(lambda: value("rad_thetah") != h6)
    idle()
    edge = wait(lambda: float(by_id("ro_edge").find_element(By.CLASS_NAME, "v").text) > 8)
    wmin, wmax = float(value("pbeam_energy_min")), float(value("pbeam_energy_max"))
    shot("03-edge-lock-9GeV.png")
    check("edge lock: a new edge re-snaps θH, the read-out shows the edge there", edge and value("rad_thetah") != h6
          and abs(float(by_id("ro_edge").find_element(By.CLASS_NAME, "v").text) - 9) < 0.2, value("rad_thetah"))
    check("#9 the photon window follows the edge", wmin < 9 < wmax, f"{wmin}–{wmax}")
    check("edge lock: θH/θV are read-outs (not editable) while locked", by_id("rad_thetah").get_attribute("readonly") is not None)
    h9 = value("rad_thetah")
    type_into("rad_xoffset", "1.5", Keys.ENTER)
    wait(lambda: value("rad_thetah") != h9, 20)
    idle()
    q = js("return location.search.slice(1)")
    snap = api("/api/snap?" + "&".join(p for p in q.split("&") if p.split("=")[0] in
                                       ("radiator_name", "rad_xoffset", "rad_yoffset", "snap_edge", "ebeam_energy")) + "&snap_action=PERP")
    check("edge lock: moving the beam re-snaps for the spot's mean tilt", abs(float(value("rad_thetah")) - snap["rad_thetah"]) < 1e-5,
          f"page {value('rad_thetah')}, api {snap['rad_thetah']}")

    # ---- #5 a prominent warning when the beam is not all on the crystal.
    type_into("rad_xoffset", "-2.8", Keys.ENTER)
    type_into("rad_yoffset", "3.3", Keys.ENTER)
    warning = wait(lambda: by_id("beamwarning").is_displayed() and by_id("beamwarning").text, 30)
    idle()
    panel_warn = js("return document.querySelector('.panel[data-kind=polar] .warn').textContent")
    js("document.getElementById('beamview').scrollIntoView()")
    shot("05-beam-on-mount.png")
    check("#5 the beam view warns when the beam is on the mount", warning and "mount" in warning, str(warning))
    check("#5 the spectrum plots carry the warning", "mount" in panel_warn, panel_warn)
    # The warning line in a small plot's own title is wrapped, never cut off at the image's sides.
    png = js("const u = new URL(document.querySelector('.panel[data-kind=polar] .dl-png').href); u.searchParams.set('size_px', '400'); return u.href")
    edges = driver.execute_async_script("""const [u, done] = arguments; const i = new Image();
      i.onload = () => { const c = document.createElement('canvas'); c.width = i.width; c.height = i.height;
        const g = c.getContext('2d'); g.drawImage(i, 0, 0); const d = g.getImageData(0, 0, i.width, i.height).data; let n = 0;
        for (let y = 0; y < 60; y++) for (const x of [0, 1, 2, i.width - 3, i.width - 2, i.width - 1]) {
          const k = 4 * (y * i.width + x); if (d[k] + d[k + 1] + d[k + 2] < 600) n++; }
        done(n); };
      i.onerror = () => done('no image'); i.src = u;""", png)
    check("#5 the warning in a 400 px plot's title is wrapped, not cut off at its sides", edges == 0, f"{edges} dark pixels at the title's edges")
    # #15: the warning is announced when it appears, not at every step of the beam on the mount: only its
    # head is a live region, and the same warning repeated on every spectrum panel is not announced again.
    live = lambda: js("""return [...document.querySelectorAll('[role=alert], [aria-live]')].filter(e => e.closest('#beamview'))
      .map(e => e.textContent).join('|')""")
    live_before = live()
    type_into("rad_xoffset", "-2.7", Keys.ENTER)
    wait(lambda: "2.7" in by_id("rad_xoffset").get_attribute("value") and by_id("beamwarning").text != warning, 30)
    idle()
    panel_alerts = js("return document.querySelectorAll('.panel .warn[role=alert], .panel .warn [role=alert]').length")
    check("#15 the mount warning is not re-announced as the beam moves on the mount (nor once per panel)",
          live_before and live() == live_before and by_id("beamwarning").text != warning and panel_alerts == 0,
          f"{live_before!r} → {live()!r}, {panel_alerts} panel alerts")
    title = json.load(urllib.request.urlopen(js("return document.querySelector('.panel[data-kind=polar] .dl-json').href")))["title"]
    check("#5 the spectrum plot's own title carries the warning (PNG and downloads)", any("not all on the crystal" in t for t in title), str(title))
    type_into("rad_xoffset", "0", Keys.ENTER)
    type_into("rad_yoffset", "0", Keys.ENTER)
    wait(lambda: not by_id("beamwarning").is_displayed(), 30)
    idle()

    # ---- #12 the tilt plot auto-ranges; a range in the URL is kept and used.
    js("const s = document.querySelector('.panel select'); s.value = 'tilt'; s.dispatchEvent(new Event('change'));")
    idle()
    tilt_src = js("return document.querySelector('.panel[data-kind=tilt] .dl-png').href")
    check("#12 the tilt plot is auto-ranged to the distribution", "rad_tilt_range=" in tilt_src and "rad_tilt_range=1&" not in tilt_src, tilt_src)

    # ---- #3 the topograph quantity changes the beam-view picture.
    pic = lambda q: urllib.request.urlopen(base + js("return document.getElementById('radimg').getAttribute('src')").replace("map_quantity=thetah", q)).read()
    check("#3 'topograph shows' θV changes the beam-view picture", pic("map_quantity=thetav") != pic("map_quantity=thetah"))

    # ---- #10 the spot plot's ellipses stay inside the axes: the colour bar looks the same wherever the beam is.
    def spot_url(x):
        return ("/plot.png?radiator_name=SF-E01&plot_type=spot&size_px=500&ebeam_xsigma=1.5&ebeam_ysigma=1.5&ebeam_xycorr=0"
                f"&rad_xoffset={x}&rad_yoffset=0")
    diff = driver.execute_async_script("""const [u1, u2, done] = arguments;
      const load = u => new Promise((ok, no) => { const i = new Image(); i.onload = () => ok(i); i.onerror = no; i.src = u; });
      Promise.all([load(u1), load(u2)]).then(([a, b]) => {
        const px = i => { const c = document.createElement('canvas'); c.width = i.width; c.height = i.height;
          const g = c.getContext('2d'); g.drawImage(i, 0, 0); return g.getImageData(0, 0, c.width, c.height); };
        const A = px(a), B = px(b); let n = 0;
        for (let y = Math.round(A.height * 0.15); y < A.height; y++) for (let x = Math.round(A.width * 0.83); x < A.width; x++) {
          const k = 4 * (y * A.width + x); if (Math.abs(A.data[k] - B.data[k]) + Math.abs(A.data[k + 1] - B.data[k + 1]) > 40) n++; }
        done(n); }).catch(e => done(String(e)));""", spot_url(0), spot_url(-4.2))
    check("#10 the spot plot's beam ellipses are not drawn over the colour bar", diff == 0, f"{diff} pixels of the colour bar change with the beam")

    # ---- #4 a radiator's own thickness.
    js("const s = document.getElementById('radiator_name'); s.value = 'SF-P06'; s.dispatchEvent(new Event('change'));")
    wait(lambda: value("rad_thickness") == "100")
    idle()
    spectrum_thickness = wait(lambda: shared(".spectrum.parameters.rad_thickness"))
    check("#4 choosing SF-P06 sets the thickness to its 100 µm (not kept in the URL)", value("rad_thickness") == "100"
          and float(spectrum_thickness) == 100 and "rad_thickness" not in url_params(), f"{value('rad_thickness')} {spectrum_thickness}")

    # ---- Pins: several, named, in the URL, removable one by one.
    type_into("pin_name", "first")
    by_id("pin").click()
    type_into("snap_edge", "8", Keys.ENTER)
    idle()
    type_into("pin_name", "second")
    by_id("pin").click()
    idle()
    pins = js("return new URLSearchParams(location.search).getAll('pin').map(p => p.split('~')[0])")
    shot("06-pins.png")
    check("#13 pins are named and kept in the URL", pins == ["first", "second"], str(pins))
    compares = js("return new URL(document.querySelector('.panel[data-kind=polar] .dl-png').href).searchParams.getAll('compare').length")
    legend = json.load(urllib.request.urlopen(js("return document.querySelector('.panel[data-kind=polar] .dl-json').href")))
    labels = [c["label"] for c in legend["curves"]]
    check("several pins are overlaid, each as its own curve", compares == 2 and labels[-2:] == ["first", "second"], f"{compares} {labels}")
    pins_csv = urllib.request.urlopen(js("return document.querySelector('.panel[data-kind=polar] .dl-csv').href")).read().decode()
    check("#21 downloads carry each pin's name and its full parameters", [p["name"] for p in legend.get("pins", [])] == ["first", "second"]
          and legend["pins"][1]["parameters"].get("snap_edge") and "# pin 1 first: " in pins_csv and "# pin 2 second: " in pins_csv
          and ",first,second" in pins_csv, str(legend.get("pins"))[:300] + pins_csv[:400])
    url = driver.current_url
    driver.get("about:blank")
    driver.get(url)
    idle()
    restored = js("return [...document.querySelectorAll('#pins .pinname')].map(e => e.textContent)")
    check("#13 pins survive a reload from the URL", restored == ["pin 1: first", "pin 2: second"], str(restored))
    driver.find_elements(By.CSS_SELECTOR, "#pins .unpin")[0].click()
    wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#pins .unpin")) == 1)
    check("pins are removable one by one", js("return new URLSearchParams(location.search).getAll('pin').map(p => p.split('~')[0])") == ["second"])
    driver.find_elements(By.CSS_SELECTOR, "#pins .unpin")[0].click()
    idle()

    # ---- The URL holds the whole state.
    url = driver.current_url
    keep = {k: value(k) for k in ["rad_xoffset", "rad_thetah", "rad_thetav", "ebeam_energy", "snap_edge", "radiator_name"]}
    driver.get("about:blank")
    driver.get(url)
    idle()
    again = {k: value(k) for k in keep}
    kinds = js("return [...document.querySelectorAll('.panel')].map(p => p.dataset.kind)")
    check("the URL round-trips the state", again == keep and kinds == ["tilt", "polar"], f"{keep} vs {again}, {kinds}")
    open_page(url.split("?", 1)[1] + "&rad_tilt_range=0.3&rad_tilt_resol=0.005")
    tilt_src = js("return document.querySelector('.panel[data-kind=tilt] .dl-png').href")
    check("#12 a rad_tilt_range from the URL is kept and used", "rad_tilt_range=0.3" in tilt_src and value("rad_tilt_range") == "0.3"
          and url_params().get("rad_tilt_range") == "0.3", tilt_src)

    # ---- #8 the ideal crystal and an unknown radiator.
    open_page("radiator_name=ideal&panels=spot,polar")
    img = js("const i = document.getElementById('radimg'); return [i.hidden, i.getAttribute('src')]")
    check("#8 ideal: no broken image in the beam view", img[0] and img[1] is None and by_id("beamnote").is_displayed(), str(img))
    broken = js("return [...document.querySelectorAll('img')].filter(i => !i.hidden && i.getAttribute('src') && i.complete && i.naturalWidth === 0).length")
    check("#8 ideal: the spot panel explains instead of a broken plot", broken == 0
          and "ideal" in js("return document.querySelector('.panel[data-kind=spot] .wait').textContent"))
    open_page("radiator_name=JD70-103&rad_thetah=1.2&rad_thetav=50")
    message = by_id("radiator_message").text
    shot("07-unknown-radiator.png")
    check("#8 an unknown radiator from an old URL names the radiators there are", "JD70-103" in message and "SF-E01" in message
          and "import" in message, message)
    check("#8 the radiator list is not blank for it", value("radiator_name") == "JD70-103")
    # An old URL without angles has the edge lock on: nothing is snapped for a radiator the store lacks, and
    # nothing is marked stale or repeated under the plots (the message next to the list says it all).
    open_page("radiator_name=JD70-103")
    quiet = js("""return [window.spotfinder.state.snapping, document.getElementById('general_error').textContent,
      document.querySelectorAll('.stale').length, performance.getEntriesByType('resource').filter(e => e.name.includes('/api/snap')).length]""")
    check("#8 an unknown radiator with the edge lock: no snap, no repeated error, nothing marked stale",
          quiet == [False, "", 0, 0] and "JD70-103" in by_id("radiator_message").text, str(quiet))

    # ---- #21 GlueX's words: PARA/PERP and θz, end to end from the page's controls to the plane in the read-out.
    open_page("radiator_name=SF-G03&panels=spot,polar&ebeam_energy=12&snap_edge=9")
    seen = {}
    for setup in ["0/90", "45/135"]:
        js("const s = document.getElementById('azimuth_setup'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));", setup)
        wait(lambda: (url_params().get("rad_thetaz", "0") != "0") == (setup == "45/135"), 10)
        for plane in ["PARA", "PERP"]:
            by_id("plane_" + plane).click()
            wait(lambda: url_params().get("plane") == plane, 10)
            idle()
            seen[(setup, plane)] = wait(lambda: (lambda t: f"{plane} {setup} (" in t and t)(by_id("ro_plane").text), 30) or by_id("ro_plane").text
    nominal = {("0/90", "PARA"): 0, ("0/90", "PERP"): 90, ("45/135", "PARA"): -45, ("45/135", "PERP"): 45}
    def hall_d(text):
        m = re.search(r"Hall D (-?[0-9.]+)°", text)
        return float(m.group(1)) if m else None
    check("#21 the four GlueX orientations (0/90 and 45/135, PARA and PERP) from the page's controls to the read-out",
          all(f"{p} {s} (Hall D" in seen[(s, p)] and hall_d(seen[(s, p)]) is not None and abs(hall_d(seen[(s, p)]) - a) < 0.5
              for (s, p), a in nominal.items()), str(seen))
    check("#21 θz is in the URL and its box (45/135: 45° = 785.398163 mrad)", url_params().get("rad_thetaz") == "785.398163"
          and value("rad_thetaz") == "785.398163", str(url_params()))
    check("#21 the beam view states its handedness against Hall D's", "Hall D" in by_id("caption").text and "x to the right" in by_id("caption").text,
          by_id("caption").text)
    # Downloads keep the page's context: its query exactly (edge, beam energy, plane, θz), names that tell them apart.
    first = js("return document.querySelector('.panel[data-kind=polar] .dl-csv').href")
    polar_csv = urllib.request.urlopen(first, timeout=60).read().decode().split("\n")[0]
    spot_csv = urllib.request.urlopen(js("return document.querySelector('.panel[data-kind=spot] .dl-csv').href"), timeout=60).read().decode().split("\n")[0]
    check("#21 a spectrum CSV carries the page's query (edge 9, 12 GeV, PERP, θz), not defaults", all(w in polar_csv for w in
          ["snap_edge=9.0", "ebeam_energy=12.0", "snap_action=PERP", "rad_thetaz=785.398163", "pbeam_energy_max=10.0"]), polar_csv[:600])
    check("#21 the spot plot's CSV carries the page's beam energy and window too", "ebeam_energy=12.0" in spot_csv
          and "pbeam_energy_min=7.0" in spot_csv, spot_csv[:600])
    name_34 = js("return document.querySelector('.panel[data-kind=polar] .dl-png').download")
    js("window.spotfinder.state.actions.commit({collimator_diameter: '5'}, {push: true})")
    wait(lambda: url_params().get("collimator_diameter") == "5", 10)
    idle()
    name_5 = js("return document.querySelector('.panel[data-kind=polar] .dl-png').download")
    title = json.load(urllib.request.urlopen(js("return document.querySelector('.panel[data-kind=polar] .dl-json').href"), timeout=60))["title"]
    check("#21 file names carry the collimator, energy, edge and plane: 5 mm and 3.4 mm downloads differ",
          "coll3.4mm" in name_34 and "coll5mm" in name_5 and "E12" in name_5 and "edge9" in name_5 and "PERP45-135" in name_5, f"{name_34} {name_5}")
    check("#21 the plot's title says what the flux depends on (current, collimator, thickness)", any("collimator 5 mm" in t and "µA" in t for t in title), str(title))
    ro_beam = by_id("ro_beamline").text
    check("#21 a read-out names current, collimator and thickness", "2.2 µA" in ro_beam and "5 mm" in ro_beam and "µm" in ro_beam, ro_beam)
    # A lower beam energy than the locked edge: the error is at the beam energy, not at the window's 'to' box.
    type_into("ebeam_energy", "8", Keys.ENTER)
    msg = wait(lambda: err_text("ebeam_energy"), 20)
    idle()
    check("#21 a beam energy below the locked edge is refused at its own box, with its label; no error on the window",
          msg and "edge" in msg and msg.startswith("energy (GeV)") and not err_text("pbeam_energy_max") and not err_text("pbeam_energy_min"),
          f"{msg!r} max={err_text('pbeam_energy_max')!r}")
    type_into("ebeam_energy", "12", Keys.ENTER)
    wait(lambda: not err_text("ebeam_energy"), 20)
    idle()
    slider = js("const s = document.querySelector('input[data-slider=snap_edge]'); return [+s.min, +s.max, s.getBoundingClientRect().width]")
    check("#21 the edge slider moves a few MeV per pixel (not 0.1 GeV)", (slider[1] - slider[0]) / slider[2] <= 0.02, str(slider))
    js("document.getElementById('lock').click()")
    wait(lambda: url_params().get("lock") == "off", 10)
    idle()
    type_into("rad_thetav", str(round(float(value("rad_thetav")) + 5, 4)), Keys.ENTER)
    peak = wait(lambda: "no edge" in by_id("ro_peak_p").text and by_id("ro_peak_p").text, 30)
    check("#21 unlocked with the edge moved out of the window, 'peak polarization' says there is no edge in it",
          peak and "at its end" in peak, by_id("ro_peak_p").text + " " + by_id("ro_edge").text)
    check("#21 with the edge lock off the edge box is not a live control", by_id("snap_edge").get_attribute("readonly") is not None
          and not js("return document.querySelector('input[data-slider=snap_edge]').disabled === false"))
    # The original tool's words keep their meaning: snap_para is GlueX PERP at θz = 0.
    open_page("radiator_name=ideal&panels=polar&snap_action=snap_para&snap_edge=8")
    legacy = wait(lambda: (lambda t: "0/90" in t and t)(by_id("ro_plane").text), 30)
    check("#21 an old URL's snap_action=snap_para gives GlueX PERP (vertical plane)", legacy and "PERP 0/90" in legacy
          and url_params().get("plane") == "PERP", str(legacy))
    s = api("/api/spectrum?radiator_name=ideal&ebeam_energy=12&snap_action=PARA&snap_edge=9&pbeam_energy_min=7&pbeam_energy_max=10")
    check("#21 GET /api/spectrum acts on snap_action (snapped angles echoed, edge where asked, plane named)",
          s.get("gluex_plane") == "PARA 0/90" and float(s["parameters"]["rad_thetah"]) == 50 and abs(s["summary"]["coherent_peak_GeV"] - 9) < 0.2,
          f"{s.get('gluex_plane')} {s['parameters'].get('rad_thetah')} {s['summary'].get('coherent_peak_GeV')}")

    # ---- #14 the plots stay in view while a control far down is adjusted (1280×800 and 800 px).
    for w, h in [(1280, 800), (800, 900)]:
        driver.set_window_size(w, h)
        open_page("panels=spot,polar")
        js("document.getElementById('snap_edge').scrollIntoView({block: 'center'})")
        top = js("const r = document.querySelector('.panel').getBoundingClientRect(); return [r.top, r.bottom, innerHeight]")
        check(f"#14 at {w}×{h} the plots are in view while the edge control is", 0 <= top[0] < top[2] - 150, str(top))
        # Only the two columns scroll: the page itself never does (else the plots and header scroll away
        # with a control), and nothing in the results column is cut off sideways.
        sizes = js("""const r = document.querySelector('section.results');
          return [document.documentElement.scrollHeight, innerHeight, document.documentElement.scrollWidth, innerWidth, r.scrollWidth, r.clientWidth]""")
        check(f"#14 at {w}×{h} the page itself does not scroll, the results fit their column",
              sizes[0] <= sizes[1] and sizes[2] <= sizes[3] and sizes[4] <= sizes[5] + 1, str(sizes))
    shot("08-800px.png")
    driver.set_window_size(1280, 800)
    open_page("radiator_name=SF-E01&panels=map,polar&fom=rms_tilt")
    wait(lambda: "placements in" in js("return document.querySelector('.mapstatus .text').textContent"), 120)
    idle()
    # As the page opens, nothing scrolled: the whole map and the whole polarization plot are in the viewport
    # (a 1280×800 window: its viewport is shorter still), side by side.
    unscrolled = js("""const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
      return [box(document.querySelector('.mapcanvas')), box(document.querySelector('.panel[data-kind=polar] img')), innerWidth, innerHeight,
        document.querySelector('section.results').scrollTop, document.documentElement.scrollTop]""")
    inside = lambda b: b[0] >= 0 and b[1] >= 0 and b[2] <= unscrolled[2] and b[3] <= unscrolled[3] and b[3] - b[1] > 200
    shot("12-map-and-polar-1280x800-unscrolled.png")
    check("#21 at 1280×800 the whole map and the whole polarization plot are in view without scrolling",
          inside(unscrolled[0]) and inside(unscrolled[1]) and unscrolled[4] == 0 and unscrolled[5] == 0, str(unscrolled))
    js("document.getElementById('panels').scrollIntoView()")
    both = js("""const c = document.querySelector('.mapcanvas').getBoundingClientRect(), p = document.querySelector('.panel[data-kind=polar] img').getBoundingClientRect();
      return [c.top, c.bottom, p.top, p.bottom, innerHeight]""")
    shot("12-map-and-polar-1280x800.png")
    check("#21 at 1280×800 the map and the polarization plot are seen together", both[0] >= 0 and both[2] >= 0 and max(both[1], both[3]) <= both[4], str(both))
    driver.set_window_size(1400, 1000)

    # ---- Import from the page.
    open_page("panels=spot,polar")
    csv_path = os.path.join(artifacts, "page-import.csv")
    with open(csv_path, "w") as f:
        f.write("# name: page-import\n# thickness_um: 40\n# view: front\nx_mm,y_mm,thetah_urad,thetav_urad,surface\n")
        for j in range(40):
            for i in range(40):
                f.write(f"{i * 0.1:.2f},{j * 0.1:.2f},{(i - 20) * 0.5:.2f},{(j - 20) * 0.25:.2f},{'mount' if i > 35 and j < 4 else 'crystal'}\n")
    bad_path = os.path.join(artifacts, "page-import-bad.csv")
    with open(bad_path, "w") as f:
        f.write("# name: page-bad\nx_mm,y_mm,thetah_urad,thetav_urad,surface\n0.00,0.00,1,2,crystal\n0.05,0.00,oops,2,crystal\n")
    js("sessionStorage.removeItem('spotfinder-token')")
    if token:
        type_into("import_token", "not-the-token")
        by_id("import_file").send_keys(csv_path)
        refused = wait(lambda: "refused" in by_id("import_status").text and by_id("import_status").text, 20)
        check("#21 a refused token is not kept in session storage (it is asked again)", refused
              and js("return sessionStorage.getItem('spotfinder-token')") is None and value("import_token") == "", str(refused))
        type_into("import_token", token)
    by_id("import_file").send_keys(bad_path)
    bad = wait(lambda: "error" in by_id("import_status").get_attribute("class") and by_id("import_status").text, 20)
    check("import: a bad file's error names the line", bad and ("line 4" in bad or "line" in bad.lower()), str(bad))
    by_id("import_file").send_keys(csv_path)
    imported = wait(lambda: value("radiator_name") == "page-import", 30)
    idle()
    shot("09-imported.png")
    check("import: the new radiator is in the list at once and chosen", imported
          and js("return [...document.getElementById('radiator_name').options].some(o => o.value === 'page-import')"),
          by_id("import_status").text)
    check("import: the token is kept in this session's storage", js("return sessionStorage.getItem('spotfinder-token')") == token)

    # ---- A lower beam energy with the edge lock: the window follows the edge before the snap asks for it.
    open_page("panels=spot,polar")
    type_into("ebeam_energy", "6", Keys.ENTER)
    type_into("snap_edge", "3", Keys.ENTER)
    wait(lambda: value("pbeam_energy_max") == "4", 20)
    idle()
    errors_now = js("return [...window.spotfinder.state.errors.keys()]")
    edge = wait(lambda: float(by_id("ro_edge").find_element(By.CLASS_NAME, "v").text), 20)
    check("edge lock at 6 GeV beam energy: snapped at 3 GeV, window 1–4 GeV, no error at a field the user did not touch",
          not errors_now and value("pbeam_energy_min") == "1" and edge and abs(edge - 3) < 0.2, f"{errors_now} {edge}")
    # A derived value the user set and then cleared is the page's again (and leaves the URL).
    type_into("pbeam_energy_max", "5.5", Keys.ENTER)
    wait(lambda: url_params().get("pbeam_energy_max") == "5.5", 10)
    type_into("pbeam_energy_max", "", Keys.ENTER)
    wait(lambda: value("pbeam_energy_max") == "4", 10)
    idle()
    check("clearing the window's box gives it back to the edge", value("pbeam_energy_max") == "4"
          and "window" in url_params().get("auto", ""), f"{value('pbeam_energy_max')} {url_params()}")
    type_into("rad_tilt_range", "0.3", Keys.ENTER)
    wait(lambda: url_params().get("rad_tilt_range") == "0.3", 10)
    type_into("rad_tilt_range", "", Keys.ENTER)
    wait(lambda: "rad_tilt_range" not in url_params(), 10)
    idle()
    check("#12 clearing the tilt range returns it to auto (out of the URL)", "rad_tilt_range" not in url_params(), str(url_params()))

    # ---- #7 a slider drag is one history entry: Back returns to the value before the drag.
    open_page("panels=spot,polar")
    type_into("rad_xoffset", "1", Keys.ENTER)
    wait(lambda: url_params().get("rad_xoffset") == "1", 10)
    idle()
    slider = driver.find_element(By.CSS_SELECTOR, "input[data-slider=rad_xoffset]")
    ActionChains(driver).click_and_hold(slider).move_by_offset(25, 0).move_by_offset(10, 0).release().perform()
    wait(lambda: url_params().get("rad_xoffset") not in ("1", None), 10)
    dragged = value("rad_xoffset")
    idle()
    driver.back()
    wait(lambda: value("rad_xoffset") != dragged, 10)
    idle()
    check("#7 Back after a slider drag returns to the value before the drag", dragged != "1" and value("rad_xoffset") == "1",
          f"dragged to {dragged}, Back shows {value('rad_xoffset')}")

    # ---- Import a ROOT file from the page (#14): the two histogram names and the thickness.
    root_path = os.path.join(artifacts, "page-scan.root")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    made = subprocess.run([os.path.join(repo, ".venv/bin/python"), "-c", """import sys, numpy as np
sys.path.insert(0, sys.argv[2])
from conftest import centres, write_maps
XE, YE = np.linspace(-2.0, 2.0, 81), np.linspace(-2.0, 2.0, 81)
X, Y = np.meshgrid(centres(XE), centres(YE), indexing="ij")
write_maps(sys.argv[1], 5 + 10 * X, -3 + 4 * Y, XE, YE)""", root_path, os.path.join(repo, "python/tests")], capture_output=True, text=True)
    check("a ROOT file for the page import is written with uproot (.venv)", made.returncode == 0, made.stderr[-500:])
    open_page("panels=spot,polar")
    if token:
        type_into("import_token", token)
    by_id("import_file").send_keys(root_path)
    wait(lambda: by_id("root_options").is_displayed(), 10)
    type_into("import_thetah", "hmu_moco_h")
    type_into("import_thetav", "hmu_moco_v")
    type_into("import_name", "page-root")
    by_id("import_root").click()
    refused = wait(lambda: "error" in by_id("import_status").get_attribute("class") and by_id("import_status").text, 60)
    check("ROOT import without a thickness: the page names it", refused and "thickness" in refused, str(refused))
    has_thickness = bool(driver.find_elements(By.ID, "import_thickness"))
    check("ROOT import: the page asks for the thickness (a ROOT map has none)", has_thickness)
    if has_thickness:
        type_into("import_thickness", "60")
        by_id("import_root").click()
    imported = has_thickness and wait(lambda: value("radiator_name") == "page-root", 90)
    idle()
    check("ROOT import from the page: the radiator is chosen at once, with its thickness", imported and value("rad_thickness") == "60",
          f"{by_id('import_status').text} {value('rad_thickness')}")

    # ---- The spot map (#11).
    open_page("radiator_name=SF-E01&panels=map,polar&fom=peak_polarization&map_resnap=on")
    drawn = wait(lambda: js("const c = document.querySelector('.mapcanvas'); return c && !c.hidden && c.width > 0")
                 and driver.find_elements(By.CSS_SELECTOR, "ol.best .bestspot"), 120)
    wait(lambda: "placements in" in js("return document.querySelector('.mapstatus .text').textContent"), 120)
    shot("10-spot-map.png")
    check("#11 choosing the map draws it with its best spots", bool(drawn), js("return document.querySelector('.mapstatus .text').textContent"))
    # The radiator under the map shows its mount (light grey, 176) and the crystal's edge (white): counted on the canvas.
    surface = wait(lambda: (lambda n: n[0] > 300 and n[1] > 300 and n)(js("""const c = document.querySelector('.mapcanvas'),
        d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let m = 0, w = 0;
        for (let k = 0; k < d.length; k += 4) { const [r, g, b] = [d[k], d[k + 1], d[k + 2]];
          if (r === 176 && g === 176 && b === 176) m++; if (r === 255 && g === 255 && b === 255) w++; }
        return [m, w]""")), 20)
    check("#11 the map shows the mount and the crystal's outline", bool(surface), str(surface))
    if drawn:
        best = api("/api/map?" + js("""const u = new URL(document.querySelector('.panel[data-kind=map] .dl-json').href);
            u.searchParams.delete('plot_type'); u.searchParams.delete('format'); return u.search.slice(1)"""))["best"][0]
        polar_before = js("return document.querySelector('.panel[data-kind=polar] .dl-png').href")
        driver.find_elements(By.CSS_SELECTOR, "ol.best .bestspot")[0].click()
        wait(lambda: abs(float(value("rad_xoffset")) - best["rad_xoffset"]) < 1e-6)
        idle()
        check("#11 a best spot moves the beam there (offsets, re-snapped θH)",
              abs(float(value("rad_yoffset")) - best["rad_yoffset"]) < 1e-6 and abs(float(value("rad_thetah")) - best["rad_thetah"]) < 2e-3,
              f"{value('rad_xoffset')},{value('rad_yoffset')},{value('rad_thetah')} vs {best}")
        check("#11 the other plots follow", js("return document.querySelector('.panel[data-kind=polar] .dl-png').href") != polar_before)
        shot("11-spot-map-moved.png")
    # The map is asked once per question: it waits for the first snap (its window and angles), coarse then fine.
    maps = [u for u in requests("/api/map?")]
    queries = {re.sub(r"&map_step=[^&]*", "", u) for u in maps}
    check("#11/#16 the map waits for the snap: one question, coarse then fine", len(maps) == 2 and len(queries) == 1, str(maps))
    # Its data downloads say how they were computed, as every other plot's do.
    map_csv = urllib.request.urlopen(js("return document.querySelector('.panel[data-kind=map] .dl-csv').href"), timeout=120).read().decode()
    map_json = json.load(urllib.request.urlopen(js("return document.querySelector('.panel[data-kind=map] .dl-json').href"), timeout=120))
    check("#13 the map's CSV/JSON carry the parameters they were computed with", map_csv.startswith("# parameters: ")
          and "fom=peak_polarization" in map_csv.split("\n")[0] and map_json.get("parameters", {}).get("fom") == "peak_polarization",
          map_csv[:200] + " " + str(list(map_json)))
    check("#13 the map's download is named for its figure of merit", js("return document.querySelector('.panel[data-kind=map] .dl-png').download")
          .startswith("spotfinder_map_SF-E01_peak_polarization"), js("return document.querySelector('.panel[data-kind=map] .dl-png').download"))
    # #21: the map says how much the placement matters, colours are honest, the best spots are robust, and the
    # page and the PNG (its per-placement CSV) put the best spot at the same radiator point.
    statement = js("return document.querySelector('.mapstatement').textContent")
    bar = js("return document.querySelector('.mapcanvas').dataset.colourBar").split("|")
    best_text = driver.find_elements(By.CSS_SELECTOR, "ol.best .bestspot")[0].text if drawn else ""
    check("#21 the map states the spread of its figure of merit over the allowed placements", ("within" in statement or "span" in statement)
          and "%" in statement, statement)
    check("#21 honest colours: the colour bar spans at least 10 % of the best peak polarization, no e-notation",
          (float(bar[1]) - float(bar[0])) >= 0.1 * float(bar[1]) - 1e-3 and "e" not in "".join(bar), str(bar))
    big = driver.execute_async_script("const done = arguments[0]; import('/static/js/map.js').then(m => done(m.fmt ? m.fmt(4.24e7) : 'no fmt')).catch(e => done(String(e)))")
    right = js("const c = document.querySelector('.mapcanvas'); return [+c.dataset.colourBarRight, c.clientWidth]")
    check("#21 the map's colour bar writes large values as ×10ⁿ (as the read-outs) and its labels fit the canvas",
          big == "4.24×10⁷" and right[0] <= right[1], f"{big} {right}")
    check("#21 best spots show the worst value within the beam jitter and the margin to the excluded region",
          "worst within 0.3 mm" in best_text and ("from the excluded region" in best_text or "no placement excluded" in best_text), best_text)
    rows = [r.split(",") for r in map_csv.split("\n") if r and not r.startswith("#")]
    header, rows = rows[0], rows[1:]
    best = map_json["best"][0]
    row = next((r for r in rows if abs(float(r[0]) - best["rad_xoffset"]) < 1e-9 and abs(float(r[1]) - best["rad_yoffset"]) < 1e-9), None)
    drawn_at = [float(v) for v in js("return document.querySelector('.mapcanvas').dataset.bestRadiatorPoints").split(" ")[0].split(",")]
    check("#21 the map CSV is per placement, with the goniometer to use, and lists the best spots", header[:4] == ["rad_xoffset_mm", "rad_yoffset_mm",
          "radiator_x_mm", "radiator_y_mm"] and "rad_thetah_mrad" in header and len(rows) == map_json["placements"]
          and "# best spots" in map_csv and "robust_value" in map_json["best"][0], str(header) + f" {len(rows)} rows")
    check("#21 the page's map and the PNG agree on the orientation (best spot 1 at the same radiator point)",
          row is not None and abs(float(row[2]) - drawn_at[0]) < 1e-3 and abs(float(row[3]) - drawn_at[1]) < 1e-3, f"{row} vs {drawn_at}")

    # ---- The map step: a labelled box, validated at its field, kept in the URL, used by the map and its downloads.
    has_box = js("const b = document.getElementById('map_step'); return !!b && !!document.querySelector('label[for=map_step]')")
    check("#11 the map has a labelled step box", has_box)
    if has_box:
        clear_requests()
        type_into("map_step", "0.25", Keys.ENTER)
        wait(lambda: url_params().get("map_step") == "0.25" and "placements in" in js("return document.querySelector('.mapstatus .text').textContent")
             and requests("map_step=0.25"), 120)
        check("#11 the map step is kept in the URL and used by the map and its download", url_params().get("map_step") == "0.25"
              and "map_step=0.25" in requests("/api/map?")[-1]  # (a coarse map may come first)
              and "map_step=0.25" in js("return document.querySelector('.panel[data-kind=map] .dl-png').href"), str(requests("/api/map?")))
        type_into("map_step", "0.001", Keys.ENTER)
        msg = wait(lambda: err_text("map_step"), 60)
        check("#11 a bad map step is refused at its field, naming the parameter and its limit", msg and "map_step" in msg
              and by_id("map_step").get_attribute("aria-invalid") == "true", str(msg))
        type_into("map_step", "1e", Keys.TAB)
        msg = wait(lambda: "not a number" in err_text("map_step") and err_text("map_step"), 5)
        check("#11 a partial map step is not sent", msg and not requests("map_step=1e"), str(msg))
        check("#2 the map is marked stale while a value is invalid", js("return document.querySelector('.mapcanvas').classList.contains('stale')"))
        type_into("map_step", "0.5", Keys.ENTER)
        wait(lambda: not err_text("map_step") and "placements in" in js("return document.querySelector('.mapstatus .text').textContent"), 120)
        url = driver.current_url
        driver.get("about:blank")
        driver.get(url)
        idle()
        check("#11 the map step survives a reload", value("map_step") == "0.5" and not err_text("map_step"), value("map_step"))

    # A coarse spot sampling on a small radiator (the 4 mm one imported above: a preview of 12 steps across
    # would be finer than ebeam_xyresol allows): the map is still drawn.
    open_page("radiator_name=page-import&panels=map,polar&fom=rms_tilt&ebeam_xyresol=1")
    status = wait(lambda: (lambda t: ("placements in" in t or "failed" in t) and t)(
        js("return document.querySelector('.mapstatus .text').textContent")), 120)
    check("#11 with a coarse spot sampling the map is drawn (its preview in whole sampling steps)", status and "placements in" in status, str(status))

    # A map of a fixed goniometer: its best spot moves the beam and keeps the angles the map was computed with.
    open_page("radiator_name=SF-E01&panels=map,polar&fom=rms_tilt&map_resnap=off")
    wait(lambda: "placements in" in js("return document.querySelector('.mapstatus .text').textContent")
         and driver.find_elements(By.CSS_SELECTOR, "ol.best .bestspot"), 120)
    angles = (value("rad_thetah"), value("rad_thetav"))
    fixed_best = driver.find_elements(By.CSS_SELECTOR, "ol.best .bestspot")
    if fixed_best:
        fixed_best[min(1, len(fixed_best) - 1)].click()
        wait(lambda: url_params().get("lock") == "off", 10)
        idle()
    check("#11 a fixed-goniometer map's best spot keeps θH/θV (no re-snap)", fixed_best and (value("rad_thetah"), value("rad_thetav")) == angles
          and url_params().get("lock") == "off", f"{angles} → {(value('rad_thetah'), value('rad_thetav'))}, lock {url_params().get('lock')}")
    # ---- The Topography (#17 item 6, #18 item 7): rocking-curve scans → maps → a radiator.
    topography_end_to_end()  # first: the scans it reduces are then the ones the other checks look at
    topography_checks()
    errors = severe_errors()
    check("no unexpected console errors at the end", not errors, str(errors))
finally:
    driver.quit()

passed, failed = results.count(True), results.count(False)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

#!/usr/bin/env python3
"""Browser tests of the Spotfinder page in headless Chromium (Debian's chromium + chromium-driver,
driven by Debian's python3-selenium). Usage: test_page.py BASE_URL ARTIFACTS_DIR
Prints one line per check and a closing 'N passed, M failed' line; exit status 1 on any failure."""
import json, os, sys, time, urllib.request
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

base, artifacts = sys.argv[1].rstrip("/"), sys.argv[2]
os.makedirs(artifacts, exist_ok=True)
results = []

def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {detail}"), flush=True)

def wait(cond, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            v = cond()
            if v:
                return v
        except Exception:
            pass
        time.sleep(0.1)
    return None

options = webdriver.ChromeOptions()
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1100"]:
    options.add_argument(a)
options.binary_location = "/usr/bin/chromium"
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
js = driver.execute_script

def idle():
    return js("const imgs = [...document.querySelectorAll('.panel img')];"
              "return document.getElementById('busy').classList.contains('on') === false && imgs.length > 0 && "
              "imgs.every(i => i.complete && i.naturalWidth > 0) && document.getElementById('ebeam_energy').value !== ''")

def panel_srcs():
    return js("return [...document.querySelectorAll('.panel img')].map(i => i.src)")

def value(id_):
    return driver.find_element(By.ID, id_).get_attribute("value")

try:
    driver.get(base + "/?panels=spot,polar")
    ok = wait(lambda: idle() and value("rad_thetah") not in ("", "1.2296"))
    driver.save_screenshot(os.path.join(artifacts, "01-first-view.png"))
    check("page loads, snaps para at the default edge and draws both plots", bool(ok), f"thetah={value('rad_thetah')}")
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    check("no console errors", not severe, str(severe))

    # Moving the x-offset slider moves the radiator picture and changes the spot plot and the spectrum.
    before_transform = js("return document.getElementById('radimg').style.transform")
    before = panel_srcs()
    slider = driver.find_element(By.CSS_SELECTOR, "[data-slider=rad_xoffset]")
    slider.click()
    for _ in range(150):
        slider.send_keys(Keys.ARROW_RIGHT)
    changed = wait(lambda: idle() and all(a != b for a, b in zip(panel_srcs(), before)))
    after_transform = js("return document.getElementById('radimg').style.transform")
    driver.save_screenshot(os.path.join(artifacts, "02-after-x-offset.png"))
    check("x-offset slider moves the radiator under the beam", before_transform != after_transform, after_transform)
    check("x-offset slider redraws the spot picture and the spectrum", bool(changed), str(panel_srcs()))
    check("slider and number box stay in sync", abs(float(value("rad_xoffset")) - float(slider.get_attribute("value"))) < 1e-9)

    # Snap para sets θH from the spot's mean tilt.
    box = driver.find_element(By.ID, "rad_thetah")
    box.clear(); box.send_keys("2.5", Keys.TAB)
    wait(lambda: value("rad_thetah") == "2.5")
    driver.find_element(By.ID, "snap_para").click()
    snapped = wait(lambda: value("rad_thetah") != "2.5" and value("rad_thetah"))
    q = js("return location.search.slice(1)")
    api = json.load(urllib.request.urlopen(base + "/api/snap?" + q + "&snap_action=snap_para"))
    check("snap para sets θH", snapped and abs(float(snapped) - api["rad_thetah"]) < 1e-5 and value("rad_thetav") == "50",
          f"page {snapped}, api {api['rad_thetah']}")
    wait(idle)
    driver.save_screenshot(os.path.join(artifacts, "03-after-snap.png"))

    # An invalid input shows the server's message next to it.
    energy = driver.find_element(By.ID, "ebeam_energy")
    energy.clear(); energy.send_keys("-5", Keys.TAB)
    message = wait(lambda: driver.find_element(By.CSS_SELECTOR, "[data-err=ebeam_energy]").text)
    driver.save_screenshot(os.path.join(artifacts, "04-invalid-input.png"))
    check("invalid input shows the error next to it", bool(message) and "ebeam_energy" in message and "GeV" in message, str(message))
    check("the offending input is marked invalid", energy.get_attribute("aria-invalid") == "true")
    energy.clear(); energy.send_keys("11.6", Keys.TAB)
    wait(lambda: idle() and not driver.find_element(By.CSS_SELECTOR, "[data-err=ebeam_energy]").text)

    # The URL holds the whole state: a new visit to it restores the same view.
    url = driver.current_url
    state = {k: value(k) for k in ["rad_xoffset", "rad_thetah", "rad_thetav", "ebeam_energy", "radiator_name"]}
    driver.get("about:blank")
    driver.get(url)
    wait(idle)
    restored = {k: value(k) for k in state}
    kinds = js("return [...document.querySelectorAll('.panel select')].map(s => s.value)")
    check("the URL round-trips the state", restored == state and kinds == ["spot", "polar"], f"{url}: {state} vs {restored}, {kinds}")
    driver.save_screenshot(os.path.join(artifacts, "05-restored-from-url.png"))
    # The back button returns to the state before the last committed change.
    js("const s = document.querySelector('.panel select'); s.value = 'tilt'; s.dispatchEvent(new Event('change'));")
    wait(lambda: js("return location.search").find("panels=tilt") >= 0)
    driver.back()
    back_ok = wait(lambda: js("return [...document.querySelectorAll('.panel select')].map(s => s.value)") == ["spot", "polar"])
    check("the back button restores the previous view", bool(back_ok))
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "400" not in e["message"]]
    check("no unexpected console errors at the end", not severe, str(severe))
finally:
    driver.quit()

passed, failed = results.count(True), results.count(False)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

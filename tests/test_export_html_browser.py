"""The exported page in a real browser engine: Debian's chromium, headless, driven by Selenium
through the system chromedriver (installed by .ci/run). Offline: the page is a local file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from reader.annotations import add_annotation
from reader.export import export_to_file
from reader.store import add_document, document_sentences, set_user_translation
from tests.helpers_store import make_article

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
NL = "De hond loopt in de tuin. Hij blaft naar de kat."
EN = ["The dog walks in the garden.", "He barks at the cat."]


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("the browser test needs Debian's chromium and chromium-driver: "
                    "apt-get install chromium chromium-driver (as .ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,800",
                f"--user-data-dir={tmp_path / 'chromium-profile'}", "--no-first-run"):
        options.add_argument(arg)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # chromium refuses to run as root with its sandbox
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def _page(db, tmp_path, nl: str, en: list[str], **kw) -> Path:
    doc_id, _ = add_document(db, make_article([("heading", "Dieren"), ("body", nl)], title="Dieren"))
    rows = document_sentences(db, doc_id)
    set_user_translation(db, rows[0].id, "Animals")
    for row, text in zip(rows[1:], en, strict=True):
        set_user_translation(db, row.id, text)
    if kw.get("note"):
        add_annotation(db, doc_id, rows[2].id, "nl", 4, 9, note=kw["note"], colour="pink")
    return export_to_file(db, doc_id, None, tmp_path / "artikel.html")


def _word(driver, side: str, text: str):
    from selenium.webdriver.common.by import By

    words = driver.find_elements(By.CSS_SELECTOR, f".{side} .w")
    return next(w for w in words if w.text == text)


def test_hovering_a_dutch_word_highlights_its_english_counterpart(db, tmp_path, browser):
    from selenium.webdriver.common.action_chains import ActionChains

    page = _page(db, tmp_path, NL, EN, note="blaffen = to bark")
    browser.get(page.as_uri())
    dog, garden = _word(browser, "en", "dog"), _word(browser, "en", "garden")
    plain = dog.value_of_css_property("background-color")
    assert "hl" not in dog.get_attribute("class")

    ActionChains(browser).move_to_element(_word(browser, "nl", "hond")).perform()
    assert "hl" in dog.get_attribute("class").split()
    assert dog.value_of_css_property("background-color") != plain  # shown, not only a class
    assert "hl" not in garden.get_attribute("class").split()
    assert "src" in _word(browser, "nl", "hond").get_attribute("class").split()

    ActionChains(browser).move_to_element(_word(browser, "nl", "tuin")).perform()
    assert "hl" in garden.get_attribute("class").split()
    assert "hl" not in dog.get_attribute("class").split()  # the previous highlight is cleared

    shot = tmp_path / "hover.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000

    ActionChains(browser).move_to_element(_word(browser, "en", "cat")).perform()
    assert "hl" in _word(browser, "nl", "kat").get_attribute("class").split()  # the other way too
    # The pink highlight of the annotation is drawn, with its note as the mark's tooltip.
    from selenium.webdriver.common.by import By

    mark = browser.find_element(By.CSS_SELECTOR, "mark.pink")
    assert mark.text == "blaft" and mark.get_attribute("title") == "blaffen = to bark"
    assert mark.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")


def test_a_script_in_the_article_does_not_run_and_shows_as_text(db, tmp_path, browser):
    from selenium.webdriver.common.by import By

    nl = "Hij schreef <script>window.pwned = 1; alert(1)</script> op de muur. Dat ]]> en &amp; | bleef."
    en = ["He wrote </script><script>window.pwned = 2</script><!-- on the wall.", "That & | stayed."]
    page = _page(db, tmp_path, nl, en)
    browser.get(page.as_uri())
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    alerts = browser.execute_script("return document.querySelectorAll('script').length")
    assert alerts == 2  # the page's alignment data and its hover script, nothing else
    shown = browser.find_element(By.CSS_SELECTOR, "main").text
    assert "<script>window.pwned = 1; alert(1)</script>" in shown
    assert "</script><script>window.pwned = 2</script><!--" in shown
    assert "Dat ]]> en &amp; | bleef." in shown and "That & | stayed." in shown
    # No alert is open: reading the title would raise UnexpectedAlertPresentException.
    assert browser.title == "Dieren"


def test_the_dark_theme_follows_the_systems_preference(db, tmp_path, browser):
    page = _page(db, tmp_path, NL, EN)
    browser.get(page.as_uri())

    def background() -> str:
        return browser.execute_script("return getComputedStyle(document.documentElement).backgroundColor")

    light = background()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    dark = background()
    assert light == "rgb(253, 252, 248)" and dark == "rgb(30, 31, 34)"
    browser.save_screenshot(str(tmp_path / "dark.png"))

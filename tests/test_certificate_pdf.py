"""The certificate PDF (issue 17, items 7 and 8): each label once in English, the title of the
certificate country's module, Bangladeshi words in bn_BD, the criteria the credential states,
the configured logo and signature, a QR code that is the verify address, and a page without a
large empty band. Every check reads the PDF as a reader's tools do (pdftotext, pdfimages,
pdffonts, pdftoppm)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import segno
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.certificates import achievements, services
from lms.certificates.models import Certificate
from lms.certificates.pdf import render_pdf
from lms.content import services as content
from lms.db import db
from lms.i18n import gettext_in
from tests.conftest import EN_TEXT, PASSWORD, build_app, login, write_module
from tests.quiz_bank import QUIZ_YAML
from tests.test_certificates import earn

BASE = "https://dakshata.example.org"
SHIPPED = Path(__file__).resolve().parents[1] / "modules_content"
BANGLADESH_TITLE = "title_BD: পণ্যের ভ্যাট (মূসক)\n"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} missing: run `make system-deps` (poppler-utils)")
    return found


def text_of(pdf: bytes) -> str:
    run = subprocess.run([tool("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(run.stdout.decode().split())


def squeezed(pdf: bytes) -> str:
    """The text without spaces (pdftotext puts spaces around Bengali vowel signs)."""
    return "".join(text_of(pdf).split())


def download(client: FlaskClient, code: str, lang: str) -> bytes:
    with client.get(f"/certificates/{code}.pdf?lang={lang}") as response:
        assert response.status_code == 200
        return response.data


def images_in(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        [tool("pdfimages"), "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout
    return sum(1 for line in listing.splitlines()[2:] if line.split()[2] == "image")


def png(path: Path, size: tuple[int, int], colour: tuple[int, int, int, int]) -> Path:
    Image.new("RGBA", size, colour).save(path)
    return path


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """The module "Sales tax for leather units", whose title differs by country."""
    root = tmp_path / "content"
    english = EN_TEXT.format(title="Sales tax for leather units").replace(
        "summary:", "title_IN: GST for leather units\ntitle_BD: VAT for leather units\nsummary:", 1
    )
    folder = write_module(root, "tanning", en=english, bn="auto", bn_BD="auto")
    bangla = folder / "bn_BD.md"
    bangla.write_text(
        bangla.read_text(encoding="utf-8").replace("summary:", BANGLADESH_TITLE + "summary:", 1),
        encoding="utf-8",
    )
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(root), LMS_BASE_URL=BASE)


def rendered(app: Flask, certificate: Certificate, locale: str, latin: bool = False) -> bytes:
    with app.app_context():
        found = db.session.get(Certificate, certificate.id)
        url = services.absolute("lms.certificates.verify", code=found.code)
        return render_pdf(found, locale, url, latin)


# Item 7: the wording.


def test_an_english_certificate_says_each_label_once(app, client, make_user) -> None:  # noqa: ANN001
    learner = make_user(name="Rina Das")
    certificate = earn(app, learner.id, right=2)
    login(client, learner.email)
    text = text_of(download(client, certificate.code, "en"))
    for label in ("Score band", "Date", "Certificate code", "Pass", "Verify at"):
        assert len(re.findall(rf"\b{label}\b", text)) == 1, (label, text)
    assert text.count(certificate.code) == 2  # printed, and in the verify address under the QR
    issued = re.findall(r"\d{1,2} [A-Z][a-z]+ \d{4}", text)
    assert len(issued) == 1, text
    assert "Certificate of achievement" in text and text.count("achievement") == 1


def test_a_bengali_certificate_gives_each_label_in_bengali_and_english(  # noqa: ANN001
    app, client, make_user
) -> None:
    learner = make_user(name="Rina Das", locale="bn")
    certificate = earn(app, learner.id, right=2)
    login(client, learner.email)
    text = squeezed(download(client, certificate.code, "bn"))
    for message in ("Score band", "Date", "Certificate code", "Pass", "Certificate of achievement"):
        with app.app_context():
            bengali = "".join(gettext_in("bn", message).split())
        assert bengali != "".join(message.split())
        assert text.count(bengali) == 1 and text.count("".join(message.split())) == 1, message


def test_a_bangladesh_certificate_has_the_bangladesh_title(app, client, make_user) -> None:  # noqa: ANN001
    learner = make_user(name="Rokeya Begum", country="BD", locale="bn_BD")
    certificate = earn(app, learner.id)
    login(client, learner.email)
    english = text_of(download(client, certificate.code, "en"))
    assert "VAT for leather units" in english
    assert "GST" not in english and "Sales tax" not in english
    bangla = squeezed(download(client, certificate.code, "bn_BD"))
    assert "পণ্যেরভ্যাট(মূসক)" in bangla and "VATforleatherunits" in bangla
    assert "পরীক্ষারমডিউল" not in bangla  # the title without a country


def test_the_title_is_the_certificate_countrys_not_the_holders_now(app, make_user) -> None:  # noqa: ANN001
    learner = make_user(name="Rina Das", country="IN")
    certificate = earn(app, learner.id)
    assert "GST for leather units" in text_of(rendered(app, certificate, "en"))
    with app.app_context():
        db.session.get(User, learner.id).country = "BD"  # moved after it was issued
        db.session.commit()
    moved = text_of(rendered(app, certificate, "en"))
    assert "GST for leather units" in moved and "VAT" not in moved


def test_the_shipped_gst_vat_module_names_vat_on_bangladesh_certificates(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(LMS_CONTENT_DIR=str(SHIPPED), LMS_BASE_URL=BASE)
    texts = {}
    with app.app_context():
        about = achievements.text("gst-vat", "en").about()
        for country in ("IN", "BD"):
            user = accounts.create_user(
                f"{country}@example.org", "Rina Das", PASSWORD, country=country
            )
            issued = services.issue(user.id, "module", "gst-vat", {"en": "?"}, 90, "pass", about)
            url = services.absolute("lms.certificates.verify", code=issued.code)
            texts[country] = text_of(render_pdf(issued, "en", url))
    assert "VAT for leather businesses" in texts["BD"] and "GST" not in texts["BD"]
    assert "GST for leather businesses" in texts["IN"] and "VAT" not in texts["IN"]


def test_bangladeshi_certificates_say_sanadpatra_kritittva_and_uttirna(  # noqa: ANN001
    app, client, make_user
) -> None:
    """Needs the bn_BD catalog of issue 17 (a Bengali review of the PDF's words)."""
    learner = make_user(name="Rokeya Begum", country="BD", locale="bn_BD")
    certificate = earn(app, learner.id, right=2)
    login(client, learner.email)
    text = squeezed(download(client, certificate.code, "bn_BD"))
    assert "কৃতিত্বেরসনদপত্র" in text and "সনদপত্রেরকোড" in text and "উত্তীর্ণ" in text
    for old in ("শংসাপত্র", "সার্টিফিকেট", "মেধা", "পাস"):
        assert old not in text, old
    with app.app_context():
        assert gettext_in("bn_BD", "Merit") == gettext_in("bn", "Merit") == "কৃতিত্ব"
        assert gettext_in("bn", "Pass") == "উত্তীর্ণ"


def test_the_bangladeshi_catalog_calls_certificates_sanadpatra() -> None:
    """Every bn_BD message about certificates says সনদপত্র (not সার্টিফিকেট or শংসাপত্র)."""
    path = Path(__file__).resolve().parents[1] / "translations" / "bn_BD" / "LC_MESSAGES"
    with (path / "lms.po").open("rb") as fh:
        catalog = read_po(fh, locale="bn_BD")
    wrong = [
        message.id
        for message in catalog
        if message.id
        and re.search(r"certificate(?!ion)", str(message.id), re.I)
        and re.search("সার্টিফিকেট|শংসাপত্র", str(message.string))
    ]
    assert not wrong, wrong


# Item 8: the layout.


def test_the_criteria_are_the_credentials(app, client, make_user) -> None:  # noqa: ANN001
    learner = make_user(name="Rina Das", locale="bn")
    certificate = earn(app, learner.id)
    login(client, learner.email)
    credential = client.get(f"/verify/{certificate.code}.json").json["credential"]
    narrative = credential["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert "60%" in narrative
    assert " ".join(narrative.split()) in text_of(download(client, certificate.code, "en"))
    bengali = squeezed(download(client, certificate.code, "bn"))
    assert "".join(narrative.split()) in bengali
    assert "মডিউলেরপ্রতিটিঅংশপড়েছেন" in bengali and "৬০%" in bengali
    assert "60%নম্বর" in squeezed(rendered(app, certificate, "bn", latin=True))


def test_the_emblem_is_drawn_and_the_configured_images_are_printed(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    root = tmp_path / "content"
    (write_module(root, "tanning", bn="auto") / "quiz.yaml").write_text(QUIZ_YAML, "utf-8")
    logo = png(tmp_path / "logo.png", (600, 200), (20, 90, 120, 255))
    signature = png(tmp_path / "signature.png", (900, 300), (20, 30, 90, 180))
    found = {}
    for name, config in {
        "emblem": {},
        "logo": {"LMS_CERTIFICATE_LOGO": str(logo)},
        "both": {"LMS_CERTIFICATE_LOGO": str(logo), "LMS_CERTIFICATE_SIGNATURE": str(signature)},
    }.items():
        app = make_app(LMS_CONTENT_DIR=str(root), LMS_BASE_URL=BASE, **config)
        with app.app_context():
            user_id = accounts.create_user(f"{name}@example.org", "Rina Das", PASSWORD).id
        found[name] = images_in(rendered(app, earn(app, user_id), "en"), tmp_path)
    assert found == {"emblem": 0, "logo": 1, "both": 2}


def test_images_are_found_in_the_instance_folder_and_checked_at_start(
    tmp_path: Path,
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    png(instance / "signature.png", (300, 100), (0, 0, 0, 255))
    (write_module(tmp_path / "content", "tanning") / "quiz.yaml").write_text(QUIZ_YAML, "utf-8")
    app = build_app(
        instance,
        LMS_CONTENT_DIR=str(tmp_path / "content"),
        LMS_BASE_URL=BASE,
        LMS_CERTIFICATE_SIGNATURE="signature.png",
    )
    with app.app_context():
        user_id = accounts.create_user("a@example.org", "Rina Das", PASSWORD).id
    assert images_in(rendered(app, earn(app, user_id), "en"), tmp_path) == 1
    (instance / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    with pytest.raises(RuntimeError, match="LMS_CERTIFICATE_LOGO: .*logo.svg is not PNG or JPEG"):
        build_app(
            tmp_path / "other", migrate=False, LMS_CERTIFICATE_LOGO=str(instance / "logo.svg")
        )
    with pytest.raises(RuntimeError, match="LMS_CERTIFICATE_SIGNATURE: cannot read"):
        build_app(instance, migrate=False, LMS_CERTIFICATE_SIGNATURE="missing.png")


def test_an_english_pdf_of_a_latin_name_embeds_no_bengali_font(app, make_user) -> None:  # noqa: ANN001
    """Each font costs a PDF time; Bengali fonts come only with Bengali text."""
    latin = earn(app, make_user(name="Rina Das").id)
    bengali = earn(app, make_user(name="রিনা দাস").id)

    def fonts(pdf: bytes) -> str:
        run = subprocess.run([tool("pdffonts"), "-"], input=pdf, capture_output=True, check=False)
        if run.returncode:  # older poppler reads no stdin
            path = Path(app.instance_path) / "fonts.pdf"
            path.write_bytes(pdf)
            run = subprocess.run([tool("pdffonts"), str(path)], capture_output=True, check=True)
        return run.stdout.decode()

    assert "NotoSans" in fonts(rendered(app, latin, "en"))
    assert "Bengali" not in fonts(rendered(app, latin, "en"))
    assert "NotoSansBengali" in fonts(rendered(app, bengali, "en"))
    assert "রিনাদাস" in squeezed(rendered(app, bengali, "en"))


def page_image(pdf: bytes, tmp_path: Path, dpi: int) -> Image.Image:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [tool("pdftoppm"), "-png", "-gray", "-r", str(dpi), "-singlefile", str(path), str(path)],
        check=True,
    )
    return Image.open(tmp_path / "page.pdf.png").convert("L")


def test_the_qr_code_is_the_verify_address(app, make_user, tmp_path) -> None:  # noqa: ANN001
    """The drawn QR code, read module by module from the printed page, is the verify URL's."""
    certificate = earn(app, make_user(name="Rina Das").id)
    page = page_image(rendered(app, certificate, "bn"), tmp_path, 300)
    mm = page.width / 297
    corner = page.crop((int(205 * mm), int(149.5 * mm), int(284 * mm), int(183 * mm)))
    left, top, right, bottom = corner.point(lambda v: 255 if v < 100 else 0).getbbox()
    expected = segno.make(f"{BASE}/verify/{certificate.code}", error="m").matrix
    count = len(expected)
    cell = (right - left) / count
    assert abs((bottom - top) - (right - left)) < 3
    read = [
        [
            corner.getpixel((int(left + (c + 0.5) * cell), int(top + (r + 0.5) * cell))) < 100
            for c in range(count)
        ]
        for r in range(count)
    ]
    assert read == [[bool(v & 1) for v in row] for row in expected]


@pytest.mark.parametrize("locale", ["en", "bn_BD"])
def test_the_page_has_no_large_empty_band(app, make_user, tmp_path, locale) -> None:  # noqa: ANN001
    """Between its borders, no stretch of the page's height more than 2 cm tall is blank."""
    certificate = earn(app, make_user(name="Rina Das", country="BD").id)
    page = page_image(rendered(app, certificate, locale), tmp_path, 40)
    mm = page.width / 297
    inside = page.crop((int(15 * mm), int(15 * mm), int(282 * mm), int(195 * mm)))
    blank = [
        inside.crop((0, y, inside.width, y + 1)).getextrema()[0] > 235 for y in range(inside.height)
    ]
    longest = run = 0
    for empty in blank:
        run = run + 1 if empty else 0
        longest = max(longest, run)
    assert longest / mm < 20, longest / mm


def test_the_credential_and_page_name_the_countrys_title_as_the_pdf_does(
    make_app: Callable[..., Flask],
) -> None:
    """The titles stored at issue (signed into the credential, shown on the verify page) are
    the holder's country's, as the PDF prints them: 'VAT ...' for Bangladesh."""
    app = make_app(LMS_CONTENT_DIR=str(SHIPPED), LMS_BASE_URL=BASE)
    with app.app_context():
        module = content.library().get("gst-vat")
        bd = {loc: services._title_in(doc, "BD") for loc, doc in module.docs.items()}
        india = {loc: services._title_in(doc, "IN") for loc, doc in module.docs.items()}
    assert bd["en"] == "VAT for leather businesses" and "GST" not in bd["bn_BD"]
    assert india["en"] == "GST for leather businesses" and "ভ্যাট" not in india["bn"]

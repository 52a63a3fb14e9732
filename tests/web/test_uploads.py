"""Photo uploads under attack: files that are not pictures, pictures that carry a script, and
requests too large to accept. (The decompression bomb and the per-photo size limit are in
test_proposals.py.)"""
import io
import os
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Proposal, ProposalPhoto

from .test_proposals import EN, form, image_bytes

SCRIPT = b"<script>alert(1)</script><?php system($_GET['c']); ?><html><body onload=alert(2)>"


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def post_photo(client, process, photo):
    return client.post("/proposals/new", data=form(process, photos=[photo]), headers=EN,
                       content_type="multipart/form-data")


def _jpeg_with_comment() -> bytes:
    """A valid JPEG whose COM segment (right after SOI) holds the script."""
    plain = image_bytes("JPEG")
    segment = b"\xff\xfe" + struct.pack(">H", len(SCRIPT) + 2) + SCRIPT
    return plain[:2] + segment + plain[2:]


def _jpeg_with_xmp() -> bytes:
    """A valid JPEG with an XMP packet (APP1) holding the script."""
    plain = image_bytes("JPEG")
    body = b"http://ns.adobe.com/xap/1.0/\0" + b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + SCRIPT + b"</x:xmpmeta>"
    return plain[:2] + b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body + plain[2:]


def _png_with_text_chunk() -> bytes:
    """A valid PNG with a tEXt chunk holding the script, before IEND."""
    plain = image_bytes("PNG")
    body = b"Comment\0" + SCRIPT
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    return plain[:-12] + chunk + plain[-12:]


@pytest.mark.parametrize("content, name", [
    (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF", "scan.jpg"),
    (b"<html><script>alert(1)</script></html>", "page.png"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>', "logo.jpg"),
    (b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00;*/=alert(1)//", "polyglot.gif"),  # a GIF that is also JavaScript
    (b"<?php system($_GET['c']); ?>", "shell.php"),
])
def test_a_file_that_is_not_a_photo_is_refused_whatever_its_name(app, client, users, open_process, log_in,
                                                                  content, name):
    before = set(os.listdir(app.config["UPLOAD_FOLDER"]))
    log_in(users["resident"])
    response = post_photo(client, open_process, (io.BytesIO(content), name))
    assert response.status_code == 200
    assert "This file is not a picture we can read. Use JPEG, PNG or WebP." in response.get_data(as_text=True)
    assert rows(Proposal) == 0 and rows(ProposalPhoto) == 0
    assert set(os.listdir(app.config["UPLOAD_FOLDER"])) == before


@pytest.mark.parametrize("content, name", [
    (image_bytes("JPEG") + SCRIPT, "appended.jpg"),   # payload after the end-of-image marker
    (_jpeg_with_comment(), "comment.jpg"),           # payload inside the image, in a comment segment
    (_jpeg_with_xmp(), "xmp.jpg"),                   # payload in the XMP metadata packet
    (_png_with_text_chunk(), "text-chunk.png"),      # payload in a PNG text chunk
    (image_bytes("PNG") + SCRIPT, "shell.php"),      # a real picture named like a script
])
def test_a_picture_carrying_a_script_is_stored_and_served_without_it(app, client, users, open_process, log_in,
                                                                     content, name):
    assert SCRIPT[:20] in content
    log_in(users["resident"])
    response = post_photo(client, open_process, (io.BytesIO(content), name))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    photo = db.session.scalar(select(ProposalPhoto))
    assert photo.stored_name.endswith(".jpg") and name.rsplit(".", 1)[0] not in photo.stored_name
    with open(os.path.join(app.config["UPLOAD_FOLDER"], photo.stored_name), "rb") as stored:
        data = stored.read()
    for fragment in (b"<script", b"<?php", b"onload", b"<html"):
        assert fragment not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
    served = client.get(f"/photos/{photo.stored_name}")
    assert served.status_code == 200 and served.get_data() == data
    assert served.mimetype == "image/jpeg" and served.headers["X-Content-Type-Options"] == "nosniff"


def test_a_request_over_the_size_limit_gets_a_clear_page_and_nothing_is_stored(app, client, users, open_process,
                                                                               log_in, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    before = set(os.listdir(app.config["UPLOAD_FOLDER"]))
    log_in(users["resident"])
    big = image_bytes("PNG", size=(8, 8)) + os.urandom(100 * 1024)
    response = post_photo(client, open_process, (io.BytesIO(big), "big.png"))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The files you sent are too large" in page and "8 MB" in page
    assert 'lang="en"' in page  # the site's own page, in the reader's language
    assert rows(Proposal) == 0 and rows(ProposalPhoto) == 0
    assert set(os.listdir(app.config["UPLOAD_FOLDER"])) == before

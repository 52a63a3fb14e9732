"""Photo uploads: decoded and re-encoded with Pillow, so no file is ever served as uploaded.

Only real JPEG, PNG and WebP images are accepted (detected from the content, not the name);
metadata such as GPS coordinates is dropped; very large pictures are scaled down; decompression
bombs are refused before they are decoded."""
import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.errors import ServiceError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 2000  # pixels kept on the longest side
MAX_PIXELS = 40_000_000  # more than any phone camera: a bigger image is a bomb or a mistake




@dataclass(frozen=True)
class StoredImage:
    name: str
    width: int
    height: int


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_photo(stream, *, max_bytes: int) -> StoredImage:
    """Validate and re-encode an uploaded photo as JPEG under the upload folder."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ServiceError(_l("A photo may be at most %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    if not data:
        raise ServiceError(_l("The photo file is empty."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise ServiceError(_l("Photos must be JPEG, PNG or WebP images."))
                if probe.width * probe.height > MAX_PIXELS:
                    raise ServiceError(_l("This picture is too large in pixels."))
                probe.load()
                image = ImageOps.exif_transpose(probe)
                image = image.convert("RGB")
    except ServiceError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ServiceError(_l("This picture is too large in pixels.")) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ServiceError(_l("This file is not a picture we can read. Use JPEG, PNG or WebP.")) from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # Pillow writes some of the source's metadata back on save (a JPEG's COM comment, XMP, DPI),
    # and a comment can carry a <script> or PHP payload: keep only the pixels.
    image.info = {}
    name = f"{secrets.token_hex(16)}.jpg"
    image.save(upload_folder() / name, "JPEG", quality=85, optimize=True)  # no EXIF written
    return StoredImage(name=name, width=image.width, height=image.height)


def delete_stored(name: str) -> None:
    (upload_folder() / name).unlink(missing_ok=True)

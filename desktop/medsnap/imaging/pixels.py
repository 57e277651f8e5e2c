"""Turn whatever a decoder produced into upright 8-bit RGB or RGBA pixels.

Colour: if the source embeds an ICC profile, pixels are converted to sRGB with LittleCMS
(Pillow's ImageCms) and the profile is then dropped, so colours stay right without carrying
the profile (which may hold identifying text) forward. Without a profile, pixels are taken
as sRGB. 16-bit samples map their full range (0..65535) onto 0..255; other wide ranges
(32-bit integer, float) are stretched from their actual minimum to maximum.
"""

from __future__ import annotations

import io

from PIL import Image

try:  # LittleCMS is optional in Pillow builds; without it colours fall back to naive conversion.
    from PIL import ImageCms
except ImportError:  # pragma: no cover - depends on the Pillow build
    ImageCms = None  # type: ignore[assignment]

# EXIF orientation value -> the transposes that make the picture upright (applied in order).
_ORIENTATION_FIXES: dict[int, tuple[Image.Transpose, ...]] = {
    1: (),
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}
_ORIENTATION_TAG = 0x0112
_ICC_MODES = {"RGB", "RGBA", "CMYK", "L", "LA"}


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8); 1 when absent or unreadable, as any viewer would show it."""
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a damaged EXIF block must not stop the picture from loading
        return 1
    return value if isinstance(value, int) and value in _ORIENTATION_FIXES else 1


def make_upright(image: Image.Image, orientation: int) -> Image.Image:
    for step in _ORIENTATION_FIXES.get(orientation, ()):
        image = image.transpose(step)
    return image


def _icc_to_srgb(image: Image.Image, icc: bytes) -> Image.Image | None:
    """Convert to sRGB through the embedded profile; None if LittleCMS cannot use it."""
    if ImageCms is None or image.mode not in _ICC_MODES:
        return None
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if ImageCms.getProfileDescription(source).strip().lower().startswith("srgb"):
            return None  # already sRGB: skip the (slow) identity transform
        target = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        out_mode = "RGBA" if image.mode in ("RGBA", "LA") else "RGB"
        if image.mode == "LA":  # LittleCMS has no grey+alpha transform: split the alpha off
            alpha = image.getchannel("A")
            grey = ImageCms.profileToProfile(image.convert("L"), source, target, outputMode="RGB")
            grey.putalpha(alpha)
            return grey
        return ImageCms.profileToProfile(image, source, target, outputMode=out_mode)
    except Exception:  # a broken or mismatched profile: fall back to the naive conversion
        return None


def _wide_to_8bit(image: Image.Image) -> Image.Image:
    """I;16*, I and F (greyscale with more than 8 bits) to L."""
    if image.mode.startswith("I;16"):
        image = image.convert("I")
    low, high = image.getextrema()
    if image.mode == "I" and low >= 0 and high <= 255:
        return image.convert("L")
    if image.mode == "I" and low >= 0 and high <= 65535:
        return image.point(lambda v: v * (255 / 65535) + 0.5).convert("L")  # rounded
    if image.mode == "F" and low >= 0.0 and high <= 1.0:
        return image.point(lambda v: v * 255.0).convert("L")
    if high <= low:
        return Image.new("L", image.size, 0)
    scale = 255.0 / (high - low)
    return image.convert("F").point(lambda v: (v - low) * scale).convert("L")


def _has_transparency(image: Image.Image) -> bool:
    return "transparency" in image.info


def to_rgb_or_rgba(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Decoded pixels (any Pillow mode) -> RGB, or RGBA when some pixel is not fully opaque."""
    converted = _icc_to_srgb(image, icc) if icc else None
    if converted is not None:
        image = converted
    elif image.mode == "RGBA" or image.mode == "RGB":
        pass
    elif image.mode in ("P", "PA"):
        image = image.convert("RGBA" if image.mode == "PA" or _has_transparency(image) else "RGB")
    elif image.mode in ("L", "1") and _has_transparency(image):
        image = image.convert("RGBA")
    elif image.mode in ("L", "1"):
        image = image.convert("RGB")
    elif image.mode in ("LA", "La"):
        image = image.convert("LA").convert("RGBA")
    elif image.mode in ("RGBa", "RGBX"):
        image = image.convert("RGBA" if image.mode == "RGBa" else "RGB")
    elif image.mode.startswith("I") or image.mode == "F":
        image = _wide_to_8bit(image).convert("RGB")
    elif image.mode == "LAB" and ImageCms is not None:
        lab = ImageCms.createProfile("LAB")
        srgb = ImageCms.createProfile("sRGB")
        image = ImageCms.profileToProfile(image, lab, srgb, outputMode="RGB")
    else:  # CMYK without a profile, YCbCr, HSV...: Pillow's own formulas
        image = image.convert("RGB")
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")  # fully opaque: no alpha to keep
    return image


def plain_image(image: Image.Image) -> Image.Image:
    """These pixels as a plain Image with no info, no palette and no file behind it.

    Shares the decoded pixel store rather than copying it (a 24 MP copy costs ~70 ms and
    72 MB): a plain Image carries only mode, size and pixels, and whatever a file plugin
    or ``info`` held stays behind. RGB/RGBA only; other modes get a fresh copy.
    """
    if type(image) is Image.Image and not image.info:
        return image
    if image.mode not in ("RGB", "RGBA"):
        return fresh_copy(image)
    image.load()
    plain = image._new(image.im)  # Pillow's own constructor for a derived image: no copy
    plain.info = {}
    return plain


def fresh_copy(image: Image.Image) -> Image.Image:
    """A plain Image holding only these pixels: no info, no EXIF, no palette, no file."""
    fresh = Image.new(image.mode, image.size, None)  # uninitialised: paste fills every pixel
    fresh.paste(image, (0, 0))
    return fresh

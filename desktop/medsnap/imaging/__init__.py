"""Imaging: load sources into upright pixels; encode clean PNG/JPEG; find metadata.

No Qt here. The public API (others code against exactly this):
``load_picture``, ``Picture``, ``DEFAULT_MAX_PIXELS``, ``choose_format``, ``encode_clean``,
``find_metadata``, ``verify_clean``, ``MetadataItem``.
"""

from __future__ import annotations

from medsnap.imaging.encoding import choose_format, encode_clean, format_for_picture
from medsnap.imaging.loading import load_picture
from medsnap.imaging.metadata import MetadataItem, find_metadata, verify_clean
from medsnap.imaging.picture import DEFAULT_MAX_PIXELS, Picture

__all__ = ["DEFAULT_MAX_PIXELS", "MetadataItem", "Picture", "choose_format", "encode_clean",
           "find_metadata", "format_for_picture", "load_picture", "verify_clean"]

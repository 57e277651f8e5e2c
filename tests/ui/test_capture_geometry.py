"""Per-screen logical -> device pixel mapping for region capture, for monitor layouts that
cannot be built on this machine's Xvfb (several monitors, 125/150/200% scaling side by side)."""

from __future__ import annotations

import pytest

from medsnap.ui.capture_geometry import Box, ScreenInfo, drag_rect, screen_at, to_device

# a laptop at 150% left of a 4K monitor at 200%, with a 100% monitor above the laptop
LAYOUT = [
    ScreenInfo(0, 0, 1280, 800, 1.5),
    ScreenInfo(1280, -200, 1920, 1080, 2.0),
    ScreenInfo(0, -1024, 1280, 1024, 1.0),
]


@pytest.mark.parametrize("ratio", [1.0, 1.25, 1.5, 2.0])
def test_a_whole_screen_maps_to_the_whole_grab(ratio):
    screen = ScreenInfo(0, 0, 1536, 864, ratio)
    box = to_device((0, 0, 1536, 864), screen)
    assert box == Box(0, 0, round(1536 * ratio), round(864 * ratio))


@pytest.mark.parametrize("ratio, expected", [
    (1.0, Box(10, 20, 100, 50)),
    (1.25, Box(12, 25, 126, 63)),  # 12.5 -> 12 and 137.5 -> 138: partly covered pixels kept
    (1.5, Box(15, 30, 150, 75)),
    (2.0, Box(20, 40, 200, 100)),
])
def test_regions_cover_every_device_pixel_they_touch(ratio, expected):
    assert to_device((10, 20, 100, 50), ScreenInfo(0, 0, 800, 600, ratio)) == expected


def test_the_box_never_leaves_the_grab():
    screen = ScreenInfo(0, 0, 1366, 768, 1.25)  # 1707.5 device pixels: the grab has 1707
    box = to_device((1300, 700, 66, 68), screen, grab_size=(1707, 960))
    assert box.left + box.width == 1707 and box.top + box.height == 960


def test_drags_are_normalised_and_kept_on_their_screen():
    screen = LAYOUT[0]
    assert drag_rect((300, 200), (100, 50), screen) == (100, 50, 200, 150)
    assert drag_rect((1200, 700), (1900, 1000), screen) == (1200, 700, 80, 100)
    assert drag_rect((-40, 10), (20, 30), screen) == (0, 10, 20, 20)


def test_points_find_their_screen_in_a_mixed_layout():
    assert screen_at(LAYOUT, 10, 10) == 0
    assert screen_at(LAYOUT, 1280, -200) == 1
    assert screen_at(LAYOUT, 100, -5) == 2
    assert screen_at(LAYOUT, 3300, 0) is None  # beyond the right monitor
    assert screen_at(LAYOUT, 1000, 850) is None  # below the laptop


def test_each_screen_uses_its_own_ratio():
    left, right = LAYOUT[0], LAYOUT[1]
    same_logical = (100, 100, 400, 300)
    assert to_device(same_logical, left) == Box(150, 150, 600, 450)
    assert to_device(same_logical, right) == Box(200, 200, 800, 600)
